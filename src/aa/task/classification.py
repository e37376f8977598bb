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
        # predictions are argmax class indices: torchmetrics' input checks would only cost time
        self.val_acc = torchmetrics.classification.MulticlassAccuracy(num_outputs, average="micro", validate_args=False)
        self.test_acc = torchmetrics.classification.MulticlassAccuracy(num_outputs, average="micro", validate_args=False)
        self.test_confusion = torchmetrics.classification.MulticlassConfusionMatrix(num_outputs, validate_args=False)

    def tally(self, phi: Tensor, y: Tensor) -> tuple[int, dict[str, Tensor]]:
        """Hits as an integer count: the task module sums a chunk's counts in one go."""
        pred, target = flat(phi, y)
        return y.numel(), {"acc": (self.loss.predict(pred) == target).sum()}

    def score(self, phi: Tensor, y: Tensor, split: str) -> None:
        phi, y = flat(phi, y)
        pred = self.loss.predict(phi)
        getattr(self, f"{split}_acc").update(pred, y)
        if split == "test":
            self.test_confusion.update(pred, y)
