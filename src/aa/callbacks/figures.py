"""Figures for TensorBoard (and PNGs in the run directory): decision regions and confusion matrix."""
from __future__ import annotations

import os
from typing import Any

import pytorch_lightning as pl
import torch

from aa.base.plotting import legible, pyplot
from aa.data.contract import DataModule, InMemory
from aa.task.classification import Classification


def publish(trainer: pl.Trainer, tag: str, fig: Any, step: int, png: str, tight: bool = True) -> None:
    """Send a figure to every TensorBoard logger and keep the latest as a PNG beside the run: drawn once,
    the same pixels for both (a tight savefig and add_figure drew it three times). ``tight=False``: the
    figure set its own margins, which saves tight_layout's extra drawing pass."""
    import warnings

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    if tight:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a layout that cannot tighten is drawn as it is
            fig.tight_layout()
    canvas.draw()
    image = legible(np.asarray(canvas.buffer_rgba())[..., :3].copy())
    Image.fromarray(image).save(os.path.join(trainer.default_root_dir, png), compress_level=1)
    for logger in trainer.loggers:
        if hasattr(logger.experiment, "add_image"):
            logger.experiment.add_image(tag, image, global_step=step, dataformats="HWC")
    pyplot().close(fig)


class EpochFigure(pl.Callback):
    """A figure drawn after the first epoch, every ``every_n_epochs`` and at the last, when it applies."""

    def __init__(self, every_n_epochs: int = 10, resolution: int = 120) -> None:
        self.every_n_epochs, self.resolution = every_n_epochs, resolution

    @staticmethod
    def applies(trainer: pl.Trainer) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def draw(self, trainer: pl.Trainer, pl_module: pl.LightningModule, epoch: int) -> None:  # pragma: no cover
        raise NotImplementedError

    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.sanity_checking or not self.applies(trainer):
            return
        epoch = trainer.current_epoch
        last = epoch + 1 >= (trainer.max_epochs or 0) or trainer.should_stop
        if (epoch + 1) % self.every_n_epochs == 0 or last or epoch == 0:
            self.draw(trainer, pl_module, epoch)


class DecisionBoundary(EpochFigure):
    """For 2-D inputs, the class-1 probability over the plane with the training points, as the
    TensorFlow Playground draws it. Added by the 2-D data sets' configs (playground, regions, table):
    their features and (for a table) task are known only once loaded, hence the check."""

    @staticmethod
    def applies(trainer: pl.Trainer) -> bool:
        dm: DataModule | None = trainer.datamodule
        return (isinstance(dm, InMemory) and dm.input_shape == (2,) and dm.task == "classification"
                and trainer.lightning_module.objective.task == "classification")  # not a GAN's or VAE's outputs

    @torch.no_grad()
    def draw(self, trainer: pl.Trainer, pl_module: pl.LightningModule, epoch: int) -> None:
        plt = pyplot()
        dm = trainer.datamodule
        x, y = dm.x_train.cpu(), dm.y_train.cpu()
        lo, hi = x.min(0).values - 0.5, x.max(0).values + 0.5
        g0 = torch.linspace(lo[0].item(), hi[0].item(), self.resolution)
        g1 = torch.linspace(lo[1].item(), hi[1].item(), self.resolution)
        gx, gy = torch.meshgrid(g0, g1, indexing="xy")
        grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], 1).to(pl_module.device)
        was_training = pl_module.training
        pl_module.eval()
        phi = pl_module(grid)
        pl_module.train(was_training)
        prob = torch.softmax(phi, -1)[:, 1] if phi.shape[-1] > 1 else torch.sigmoid(phi[:, 0])
        fig, ax = plt.subplots(figsize=(4.2, 4))
        ax.contourf(gx.numpy(), gy.numpy(), prob.reshape(gx.shape).cpu().numpy(), levels=20, cmap="RdBu", vmin=0,
                    vmax=1, alpha=0.8)
        ax.scatter(x[:, 0].numpy(), x[:, 1].numpy(), c=y.numpy(), cmap="RdBu", vmin=0, vmax=1, s=10,
                   edgecolors="white", linewidths=0.4)
        ax.set_title(f"decision boundary, epoch {epoch + 1}")
        ax.set_xticks([]), ax.set_yticks([])
        publish(trainer, "decision_boundary", fig, epoch, "decision_boundary.png")


class ConfusionMatrix(pl.Callback):
    """The test split's confusion matrix (rows: true class, columns: predicted; empty cells blank)."""

    def on_test_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not isinstance(pl_module.objective, Classification):
            return
        cm_metric = pl_module.objective.test_confusion
        cm = cm_metric.compute().cpu()
        dm: DataModule | None = trainer.datamodule
        names = (list(dm.class_names) if dm is not None else None) or [str(i) for i in range(len(cm))]
        plt = pyplot()
        size = min(1.3 + 0.27 * len(cm), 16)  # near the card's width (about 350 px) for 10 classes: no shrinking
        fig, ax = plt.subplots(figsize=(size, size))
        ax.imshow(cm.numpy(), cmap="Blues")
        if len(cm) <= 30:  # counts in the non-empty cells: an empty one reads at a glance, and each text costs a ms
            for i, j in cm.nonzero().tolist():
                ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=9 if len(cm) <= 15 else 7,
                        color="white" if cm[i, j] > cm.max() / 2 else "black")
            ax.set_xticks(range(len(cm)), names, rotation=90, fontsize=9)
            ax.set_yticks(range(len(cm)), names, fontsize=9)
        ax.set_xlabel("predicted"), ax.set_ylabel("true")
        ax.set_title("test confusion matrix")
        label = 0.35 + 0.08 * max(map(len, names)) if len(cm) <= 30 else 0.35  # inches: axis label, tick names
        fig.subplots_adjust(left=(label + 0.1) / size, bottom=(label + 0.1) / size, right=1 - 0.1 / size,
                            top=1 - 0.35 / size)
        publish(trainer, "test/confusion_matrix", fig, trainer.current_epoch, "confusion_matrix.png", tight=False)
        cm_metric.reset()
