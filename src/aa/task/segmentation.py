"""Semantic segmentation: a class for every pixel. The loss is the pixels' cross-entropy, optionally plus
a Dice term (1 - soft Dice, averaged over classes) that weighs small classes as much as large ones;
pixels marked ``ignore_index`` (unlabelled) count in neither. Val/test report pixel accuracy, the
intersection over union of each class (TP / (TP + FP + FN) over the split's pixels) and their mean."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import torch
import torchmetrics
from torch import Tensor, nn
from torch.nn import functional as F

from aa.data.contract import DataModule
from aa.task.losses import Loss
from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from aa.task.module import TaskModule


def soft_dice(phi: Tensor, y: Tensor, ignore_index: int, eps: float = 1.0) -> Tensor:
    """Mean over classes of 2 |P ∩ T| / (|P| + |T|) with P the softmax probabilities, T the one-hot
    truth, summed over the batch's labelled pixels (``eps`` keeps absent classes at 1)."""
    keep = (y != ignore_index).unsqueeze(1)
    p = phi.softmax(1) * keep
    t = F.one_hot(torch.where(keep[:, 0], y, 0), phi.shape[1]).permute(0, 3, 1, 2).to(p) * keep
    dims = (0, 2, 3)
    return ((2 * (p * t).sum(dims) + eps) / (p.sum(dims) + t.sum(dims) + eps)).mean()


class PixelCrossEntropy(Loss):
    """Cross-entropy of every labelled pixel, + ``dice_weight`` (1 - soft Dice). Scores are
    (N, classes, H, W), targets (N, H, W) class indices; the class is the argmax over dim 1."""

    def __init__(self, dice_weight: float = 0.0, ignore_index: int = 255) -> None:
        self.dice_weight, self.ignore_index = dice_weight, ignore_index

    def __call__(self, phi: Tensor, y: Tensor) -> Tensor:
        q = F.cross_entropy(phi, y, ignore_index=self.ignore_index)
        if self.dice_weight:
            q = q + self.dice_weight * (1 - soft_dice(phi, y, self.ignore_index))
        return q

    def outputs(self, phi: Tensor) -> Tensor:
        return phi.softmax(1)

    def predict(self, phi: Tensor) -> Tensor:
        return phi.argmax(1)


def metric_name(name: str) -> str:
    """A class name as part of a metric key (iou_<name>): letters, digits and underscores."""
    return re.sub(r"\W+", "_", str(name)).strip("_").lower() or "class"


class Segmentation(Objective):
    """Batches are (images, class index per pixel)."""

    task = "segmentation"
    metric = "miou"

    def __init__(self, num_outputs: int, data: DataModule | None = None, dice_weight: float = 0.0,
                 ignore_index: int | None = None) -> None:
        super().__init__()
        ignore = ignore_index if ignore_index is not None else getattr(data, "ignore_index", 255)
        self.loss = PixelCrossEntropy(dice_weight, ignore)
        names = list(data.class_names) if data is not None and data.class_names else [str(c) for c in range(num_outputs)]
        self.class_keys = [f"iou_{metric_name(n)}" for n in names]
        for split in ("val", "test"):
            setattr(self, f"{split}_loss", torchmetrics.MeanMetric())
            setattr(self, f"{split}_iou", torchmetrics.classification.MulticlassJaccardIndex(
                num_outputs, average="none", ignore_index=ignore, validate_args=False))
            setattr(self, f"{split}_pixel_acc", torchmetrics.classification.MulticlassAccuracy(
                num_outputs, average="micro", ignore_index=ignore, validate_args=False))

    def step(self, task: "TaskModule", batch: tuple[Tensor, Tensor]) -> Step:
        x, y = batch
        phi = task.model(x)
        q = self.loss(phi, y)
        labelled = y != self.loss.ignore_index
        hits = ((phi.detach().argmax(1) == y) & labelled).flatten(1).sum(1) / labelled.flatten(1).sum(1).clamp(min=1)
        return Step(q, q.detach(), len(y), {"pixel_acc": hits.sum()})

    def evaluate(self, model: nn.Module, batch: tuple[Tensor, Tensor], split: str) -> None:
        x, y = batch
        phi = model(x)
        getattr(self, f"{split}_loss").update(self.loss(phi, y), weight=len(y))
        pred = phi.argmax(1)
        getattr(self, f"{split}_iou").update(pred, y)
        getattr(self, f"{split}_pixel_acc").update(pred, y)

    def compute(self, split: str) -> dict[str, Tensor]:
        loss, iou, acc = (getattr(self, f"{split}_{k}") for k in ("loss", "iou", "pixel_acc"))
        per_class = iou.compute()
        out = {"loss": loss.compute(), "miou": per_class.mean(), "pixel_acc": acc.compute()}
        out.update({key: value for key, value in zip(self.class_keys, per_class)})
        for m in (loss, iou, acc):
            m.reset()
        return out
