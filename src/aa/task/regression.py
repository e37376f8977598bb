"""Regression: the output s = g(phi) estimates the target; mean squared error on val/test."""
from __future__ import annotations

from typing import Any

import torchmetrics
from torch import Tensor

from aa.task.losses import Loss
from aa.task.supervised import Supervised


class Regression(Supervised):
    """Targets are real vectors (or scalars); the loss's output activation gives the estimate."""

    task = "regression"
    metric = "mse"

    def __init__(self, loss: Loss, num_outputs: int, engine: Any = None) -> None:
        super().__init__(loss, num_outputs, engine)
        self.val_mse, self.test_mse = torchmetrics.MeanSquaredError(), torchmetrics.MeanSquaredError()

    def score(self, phi: Tensor, y: Tensor, split: str) -> None:
        getattr(self, f"{split}_mse").update(self.loss.outputs(phi).reshape(y.shape), y)
