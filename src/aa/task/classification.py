"""Classification: the class with the largest output; accuracy and a test confusion matrix."""
from __future__ import annotations

from typing import Any

import torchmetrics
from torch import Tensor

from aa.task.losses import Loss, flat
from aa.task.supervised import Supervised


class Classification(Supervised):
    """Labels are class indices (one per sample, or one per step of a sequence)."""

    task = "classification"
    metric = "acc"

    def __init__(self, loss: Loss, num_outputs: int, engine: Any = None) -> None:
        super().__init__(loss, num_outputs, engine)
        self.val_acc = torchmetrics.classification.MulticlassAccuracy(num_outputs, average="micro")
        self.test_acc = torchmetrics.classification.MulticlassAccuracy(num_outputs, average="micro")
        self.test_confusion = torchmetrics.classification.MulticlassConfusionMatrix(num_outputs)

    def tally(self, phi: Tensor, y: Tensor) -> tuple[int, dict[str, Tensor]]:
        pred, target = flat(phi, y)
        hits = (self.loss.predict(pred) == target).sum().to(phi.dtype)
        return y.numel(), {"acc": hits}

    def score(self, phi: Tensor, y: Tensor, split: str) -> None:
        phi, y = flat(phi, y)
        pred = self.loss.predict(phi)
        getattr(self, f"{split}_acc").update(pred, y)
        if split == "test":
            self.test_confusion.update(pred, y)
