"""Validation pictures in TensorBoard as low-res | bicubic | model | truth, with each row's PSNR of
bicubic and of the model in the column titles (added by the restoration objective)."""
from __future__ import annotations

import math

import pytorch_lightning as pl
import torch
from torch import Tensor
from torch.nn import functional as F

from aa.base.plotting import pyplot
from aa.callbacks.figures import EpochFigure, publish
from aa.data.contract import InMemory


def psnr(a: Tensor, b: Tensor) -> float:
    mse = float(F.mse_loss(a, b))
    return 10 * math.log10(1 / mse) if mse > 0 else float("inf")


def picture(x: Tensor) -> Tensor:
    return x[0] if x.shape[0] == 1 else x[:3].permute(1, 2, 0)


class SuperResolutionFigure(EpochFigure):
    """The first ``count`` validation pictures after the first epoch, every ``every_n_epochs`` and the last."""

    def __init__(self, count: int = 3, every_n_epochs: int = 5) -> None:
        super().__init__(every_n_epochs)
        self.count = count

    @staticmethod
    def applies(trainer: pl.Trainer) -> bool:
        return isinstance(trainer.datamodule, InMemory) and trainer.datamodule.task == "restoration"

    @torch.no_grad()
    def draw(self, trainer: pl.Trainer, pl_module: pl.LightningModule, epoch: int) -> None:
        dm = trainer.datamodule
        x, y = dm.x_val[: self.count].float(), dm.y_val[: self.count].float()
        was_training = pl_module.training
        pl_module.eval()
        out = pl_module(x.to(pl_module.device)).clamp(0, 1).cpu()
        pl_module.train(was_training)
        x, y = x.cpu(), y.cpu()
        up = F.interpolate(x, size=y.shape[-2:], mode="bicubic", align_corners=False).clamp(0, 1)
        plt = pyplot()
        fig, axes = plt.subplots(len(x), 4, figsize=(8.4, 2.3 * len(x)), squeeze=False)
        for row in range(len(x)):
            titles = ("low-res", f"bicubic {psnr(up[row], y[row]):.1f} dB", f"model {psnr(out[row], y[row]):.1f} dB",
                      "truth")
            for ax, image, title in zip(axes[row], (x[row], up[row], out[row], y[row]), titles):
                ax.imshow(picture(image).numpy(), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
                ax.set_title(title, fontsize=11)
                ax.set_xticks([]), ax.set_yticks([])
        publish(trainer, "val/super_resolution", fig, epoch, "super_resolution.png")
