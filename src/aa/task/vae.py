"""The variational bound: -ELBO = E_q[-log p(x|z)] + KL(q(z|x) || N(0, I)) in nats per sample, with one
reparameterised draw z = mu + sigma * eps; training weighs the KL by beta, ramped up over ``warmup`` epochs."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
import torchmetrics
from torch import Tensor, nn

from aa.generative.parts import split_model
from aa.generative.quality import SampleQuality
from aa.task.autoencoder import reconstruction_nll
from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from aa.data.contract import DataModule
    from aa.task.module import TaskModule

TERMS = ("elbo", "recon", "kl")


def bound(model: nn.Module, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Per sample: the reconstruction term -log p(x|z) and the analytic KL term."""
    prep, net = split_model(model)
    c = y if net.classes else None
    mu, logvar = net.encode(prep(x), c)
    z = mu + (0.5 * logvar).exp() * torch.randn_like(mu)
    nll = reconstruction_nll(net.decode(z, c), x, net.decoder_kind, net.log_scale)
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)
    return nll, kl


class VariationalBound(Objective):
    """val/test ``elbo`` is the negative ELBO (beta = 1), also ``loss``; ``recon`` and ``kl`` its terms;
    ``fd`` and (conditional) ``class_acc`` judge prior samples with the reference classifier. Training
    weighs the KL term by ``beta`` (beta-VAE), ramped up from 0 over the first ``warmup`` epochs."""

    task = "generation"
    metric = "elbo"

    def __init__(self, data: "DataModule", model: nn.Module, classifier: nn.Module | None = None, quality: bool = True,
                 beta: float = 1.0, warmup: int = 0) -> None:
        super().__init__()
        self.beta, self.warmup = beta, warmup
        for split in ("val", "test"):
            for term in TERMS:
                setattr(self, f"{split}_{term}", torchmetrics.MeanMetric())
        conditional = bool(split_model(model)[1].classes)
        self.quality = SampleQuality(data, classifier, conditional) if quality else None

    def kl_weight(self, epoch: int) -> float:
        """beta, ramped linearly from 0 over the first ``warmup`` epochs."""
        return self.beta * (min(1.0, epoch / self.warmup) if self.warmup else 1.0)

    def step(self, task: "TaskModule", batch: Any) -> Step:
        x, y = batch
        nll, kl = bound(task.model, x, y)
        w = self.kl_weight(task.current_epoch)
        q = (nll + w * kl).mean()
        sums = {"elbo": (nll + kl).sum().detach(), "recon": nll.sum().detach(), "kl": kl.sum().detach()}
        return Step(q, q.detach(), len(x), sums)

    def evaluate(self, model: nn.Module, batch: Any, split: str) -> None:
        x, y = batch
        nll, kl = bound(model, x, y)
        for term, value in zip(TERMS, (nll + kl, nll, kl)):
            getattr(self, f"{split}_{term}").update(value)
        if self.quality is not None:
            net = split_model(model)[1]
            labels = y if net.classes else None
            self.quality.update(x, net.sample(len(x), labels), labels)

    def compute(self, split: str) -> dict[str, Tensor]:
        out = {term: getattr(self, f"{split}_{term}").compute() for term in TERMS}
        for term in TERMS:
            getattr(self, f"{split}_{term}").reset()
        out["loss"] = out["elbo"]
        if self.quality is not None:
            out.update(self.quality.compute())
        return out
