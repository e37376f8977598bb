"""The regressor's fit as a figure: curve vs target (1-D), surfaces (2-D), predicted vs true (tabular).

Added to the callbacks by the regression objective's config; draws from in-memory data sets.
"""
from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
from torch import Tensor

from aa.callbacks.figures import EpochFigure, pyplot, publish
from aa.data.contract import DataModule, InMemory, KnownTarget, TargetUnits


class RegressionFigure(EpochFigure):
    """Drawn after the first epoch, every ``every_n_epochs`` and at the last one; kept as regression_fit.png."""

    def __init__(self, every_n_epochs: int = 10, resolution: int = 200) -> None:
        super().__init__(every_n_epochs, resolution)

    @staticmethod
    def applies(trainer: pl.Trainer) -> bool:
        dm = trainer.datamodule
        return isinstance(dm, InMemory)

    @torch.no_grad()
    def predict(self, pl_module: pl.LightningModule, x: Tensor) -> Tensor:
        """s = g(phi) of the output layer in evaluation mode, on the CPU."""
        was_training = pl_module.training
        pl_module.eval()
        s = pl_module.loss.outputs(pl_module(x.to(pl_module.device)))
        pl_module.train(was_training)
        return s[:, 0].cpu() if s.dim() > 1 else s.cpu()

    def draw(self, trainer: pl.Trainer, pl_module: pl.LightningModule, epoch: int) -> None:
        dm = trainer.datamodule
        x, y = dm.x_train.cpu(), dm.y_train.cpu()
        target = dm.target if isinstance(dm, KnownTarget) and callable(dm.target) else None  # a table's is a name
        if x.dim() == 2 and x.shape[1] == 1:
            fig = self._curve(pl_module, x, y, target)
        elif x.dim() == 2 and x.shape[1] == 2 and target is not None:
            fig = self._surfaces(pl_module, x, target)
        else:
            fig = self._scatter(pl_module, dm)
        fig.suptitle(f"regression fit, epoch {epoch + 1}", y=1.02)
        publish(trainer, "regression_fit", fig, epoch, "regression_fit.png")

    def _curve(self, pl_module: pl.LightningModule, x: Tensor, y: Tensor, target: Any) -> Any:
        grid = torch.linspace(x.min().item(), x.max().item(), self.resolution).unsqueeze(1)
        fig, ax = pyplot().subplots(figsize=(5, 3.5))
        ax.scatter(x[:, 0], y, s=6, color="0.6", label="training samples")
        if target is not None:
            ax.plot(grid[:, 0], target(grid), color="black", lw=1.5, ls="--", label="target f(x)")
        ax.plot(grid[:, 0], self.predict(pl_module, grid), color="tab:red", lw=2, label="network")
        ax.set_xlabel("x"), ax.set_ylabel("y")
        ax.legend(fontsize=7)
        return fig

    def _surfaces(self, pl_module: pl.LightningModule, x: Tensor, target: Any) -> Any:
        n = min(self.resolution, 120)
        lo, hi = x.min(0).values, x.max(0).values
        gx, gy = torch.meshgrid(torch.linspace(lo[0].item(), hi[0].item(), n),
                                torch.linspace(lo[1].item(), hi[1].item(), n), indexing="xy")
        grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)
        true, pred = target(grid).reshape(n, n), self.predict(pl_module, grid).reshape(n, n)
        fig, axes = pyplot().subplots(1, 3, figsize=(11, 3.4))
        shared = {"levels": torch.linspace(true.min().item(), true.max().item(), 21).tolist(), "extend": "both"}
        for ax, z, title, kw in ((axes[0], true, "target f(x)", shared), (axes[1], pred, "network", shared),
                                 (axes[2], (pred - true).abs(), "|error|", {"levels": 20, "cmap": "magma"})):
            im = ax.contourf(gx, gy, z, **({"cmap": "viridis"} | kw))
            ax.set_title(title), ax.set_xticks([]), ax.set_yticks([])
            fig.colorbar(im, ax=ax, fraction=0.046)
        return fig

    def _scatter(self, pl_module: pl.LightningModule, dm: DataModule) -> Any:
        units = dm.target_units if isinstance(dm, TargetUnits) else (lambda t: t)
        true, pred = units(dm.y_val.cpu().reshape(-1)), units(self.predict(pl_module, dm.x_val))
        fig, ax = pyplot().subplots(figsize=(4.2, 4))
        ax.scatter(true, pred, s=10, alpha=0.7)
        lo, hi = min(true.min(), pred.min()).item(), max(true.max(), pred.max()).item()
        ax.plot([lo, hi], [lo, hi], color="black", lw=1, ls="--", label="predicted = true")
        ax.set_xlabel("true (validation)"), ax.set_ylabel("predicted")
        ax.legend(fontsize=7)
        return fig
