"""How good generated samples are, per evaluation split: the Frechet distance between real and generated
samples (torchmetrics' FID in the reference classifier's features, or in the plane for 2-D mixtures),
the reference classifier's accuracy on class-conditional samples, and for mixtures the modes covered and
the share of high-quality samples."""
from __future__ import annotations

import torch
import torchmetrics
from torch import Tensor, nn
from torchmetrics.image.fid import FrechetInceptionDistance

from aa.data.contract import DataModule, KnownDensity
from aa.generative.modes import mode_stats


class Plane(nn.Module):
    """Identity features for 2-D points: the Frechet distance between the two point clouds' Gaussians."""

    num_features = 2

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(len(x), -1).float()


class SampleQuality(nn.Module):
    def __init__(self, data: DataModule, classifier: nn.Module | None = None, conditional: bool = False) -> None:
        super().__init__()
        known = isinstance(data, KnownDensity)
        self.centers = data.centers if known else None
        self.std = data.std if known else None
        self.judge = None
        if self.centers is None:
            from aa.generative.classifier import reference_classifier

            self.judge = classifier if classifier is not None else reference_classifier(data)
        self.fid = FrechetInceptionDistance(feature=self.judge if self.judge is not None else Plane(),
                                            reset_real_features=True)
        self.conditional = conditional
        self.class_acc = torchmetrics.MeanMetric()
        self.fakes: list[Tensor] = []

    @torch.no_grad()
    def update(self, real: Tensor, fake: Tensor, labels: Tensor | None = None) -> None:
        self.fid.update(real, real=True)
        self.fid.update(fake, real=False)
        if self.centers is not None:
            self.fakes.append(fake.detach())
        if self.conditional and self.judge is not None and labels is not None:
            self.class_acc.update((self.judge.classify(fake).argmax(1) == labels).float())

    def compute(self) -> dict[str, Tensor]:
        out = {"fd": self.fid.compute().float()}
        self.fid.reset()
        if self.fakes:
            out["modes"], out["hq"] = mode_stats(torch.cat(self.fakes), self.centers, self.std)
            self.fakes.clear()
        if self.class_acc.update_count:
            out["class_acc"] = self.class_acc.compute()
            self.class_acc.reset()
        return out
