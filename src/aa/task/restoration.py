"""Restoration (super-resolution): the model's output is the high-resolution picture itself. The loss is
the mean squared (pixel_loss=mse) or absolute (l1) pixel error; val/test report PSNR = 10 log10(1 / MSE) in dB and
SSIM (torchmetrics, pixels in [0, 1]) of the model and, beside them, of the bicubic upscaling of the
input: the baseline a learned model has to beat."""
from __future__ import annotations

from typing import TYPE_CHECKING

import torchmetrics
from torch import Tensor, nn
from torch.nn import functional as F

from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from aa.task.module import TaskModule

LOSSES = {"l1": F.l1_loss, "mse": F.mse_loss}


def bicubic(x: Tensor, like: Tensor) -> Tensor:
    """The input upscaled to the target's size by bicubic interpolation, clipped to [0, 1]."""
    return F.interpolate(x, size=like.shape[-2:], mode="bicubic", align_corners=False).clamp(0, 1)


class Restoration(Objective):
    """Batches are (low-resolution input, high-resolution target)."""

    task = "restoration"
    metric = "psnr"

    def __init__(self, pixel_loss: str = "mse") -> None:
        super().__init__()
        self.pixel_loss, self.loss_name = LOSSES[pixel_loss], pixel_loss
        for split in ("val", "test"):
            setattr(self, f"{split}_loss", torchmetrics.MeanMetric())
            setattr(self, f"{split}_quality", nn.ModuleDict({
                "psnr": torchmetrics.image.PeakSignalNoiseRatio(data_range=1.0),
                "ssim": torchmetrics.image.StructuralSimilarityIndexMeasure(data_range=1.0),
                "bicubic_psnr": torchmetrics.image.PeakSignalNoiseRatio(data_range=1.0),
                "bicubic_ssim": torchmetrics.image.StructuralSimilarityIndexMeasure(data_range=1.0)}))

    def step(self, task: "TaskModule", batch: tuple[Tensor, Tensor]) -> Step:
        x, y = batch
        q = self.pixel_loss(task.model(x), y)
        return Step(q, q.detach(), len(y))

    def evaluate(self, model: nn.Module, batch: tuple[Tensor, Tensor], split: str) -> None:
        x, y = batch
        out = model(x)
        getattr(self, f"{split}_loss").update(self.pixel_loss(out, y), weight=len(y))
        estimate, baseline = out.clamp(0, 1), bicubic(x, y)
        quality = getattr(self, f"{split}_quality")
        quality["psnr"].update(estimate, y)
        quality["ssim"].update(estimate, y)
        quality["bicubic_psnr"].update(baseline, y)
        quality["bicubic_ssim"].update(baseline, y)

    def compute(self, split: str) -> dict[str, Tensor]:
        loss, quality = getattr(self, f"{split}_loss"), getattr(self, f"{split}_quality")
        out = {"loss": loss.compute(), **{name: m.compute() for name, m in quality.items()}}
        out["psnr_gain"] = out["psnr"] - out["bicubic_psnr"]
        loss.reset()
        for m in quality.values():
            m.reset()
        return out
