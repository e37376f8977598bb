"""Validation images in TensorBoard as image | truth | prediction, the class maps painted a colour per
class, under a legend naming every class colour (added by the segmentation objective)."""
from __future__ import annotations

import pytorch_lightning as pl
import torch
from torch import Tensor

from aa.base.plotting import palette, pyplot
from aa.callbacks.figures import EpochFigure, publish
from aa.data.contract import InMemory


BACKGROUND, UNLABELLED = (0.12, 0.12, 0.12), (1.0, 1.0, 1.0)


def class_colours(n: int) -> Tensor:
    """A colour per class: near-black for the background (class 0), the class palette for the others."""
    return torch.tensor([BACKGROUND, *palette(n)[1:n]], dtype=torch.float32)


def paint(classes: Tensor, colours: Tensor, ignore_index: int) -> Tensor:
    """(H, W, 3) picture of a class map: each pixel in its class's colour, unlabelled pixels white."""
    out = colours[classes.clamp(0, len(colours) - 1)]
    return torch.where((classes == ignore_index)[..., None], torch.tensor(UNLABELLED), out)


class SegmentationOverlays(EpochFigure):
    """The first ``count`` validation images after the first epoch, every ``every_n_epochs`` and the last."""

    def __init__(self, count: int = 4, every_n_epochs: int = 5) -> None:
        super().__init__(every_n_epochs)
        self.count = count

    @staticmethod
    def applies(trainer: pl.Trainer) -> bool:
        return isinstance(trainer.datamodule, InMemory) and trainer.datamodule.task == "segmentation"

    @torch.no_grad()
    def draw(self, trainer: pl.Trainer, pl_module: pl.LightningModule, epoch: int) -> None:
        dm = trainer.datamodule
        x, y = dm.x_val[: self.count], dm.y_val[: self.count]
        was_training = pl_module.training
        pl_module.eval()
        x_in = dm.batch_transform(x) if dm.batch_transform is not None else x
        pred = pl_module(x_in.to(pl_module.device)).argmax(1).cpu()
        pl_module.train(was_training)
        names = list(dm.class_names)
        colours = class_colours(len(names))
        ignore = dm.ignore_index
        plt = pyplot()
        fig, axes = plt.subplots(len(x), 3, figsize=(6.6, 2.2 * len(x) + 0.6), squeeze=False)
        for row, (image, truth, guess) in enumerate(zip(x.cpu().float(), y.cpu(), pred)):
            pictures = (image[:3].permute(1, 2, 0).clamp(0, 1) if image.shape[0] >= 3 else image[0],
                        paint(truth, colours, ignore), paint(guess, colours, ignore))
            for col, (ax, picture) in enumerate(zip(axes[row], pictures)):
                ax.imshow(picture.numpy(), cmap="gray" if picture.dim() == 2 else None, interpolation="nearest")
                ax.set_xticks([]), ax.set_yticks([])
                if row == 0:
                    ax.set_title(("image", "truth", "prediction")[col], fontsize=12)
        from matplotlib.patches import Patch

        handles = [Patch(color=tuple(c.tolist()), label=n) for n, c in zip(names, colours)]
        if bool((y == ignore).any()):
            handles.append(Patch(facecolor=UNLABELLED, edgecolor="black", label="unlabelled"))
        fig.legend(handles=handles, loc="lower center", ncol=min(4, len(handles)), fontsize=10, frameon=False)
        fig.subplots_adjust(left=0.02, right=0.98, top=1 - 0.35 / fig.get_figheight(), bottom=0.45 / fig.get_figheight(),
                            wspace=0.05, hspace=0.08)
        publish(trainer, "val/segmentation", fig, epoch, "segmentation.png", tight=False)
