"""Predict a target with one of the lecture's losses: the shared part of classification and regression."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torchmetrics
from torch import Tensor, nn

from aa.task.losses import Loss
from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from aa.task.module import TaskModule


def split_aux(out: Tensor | tuple) -> tuple[Tensor, list[tuple[float, Tensor]]]:
    """Models with auxiliary heads (Inception) return (phi, [(weight, aux_phi), ...]) in training."""
    if isinstance(out, tuple):
        return out[0], list(out[1])
    return out, []


class Supervised(Objective):
    """Batches are (x, y); q = loss(phi, y) + sum of weighted auxiliary losses. ``engine`` (the manual
    BackProp) may replace autograd: it returns (q, phi) with the gradients already written."""

    def __init__(self, loss: Loss, num_outputs: int, engine: Any = None) -> None:
        super().__init__()
        self.loss, self.num_outputs, self.engine = loss, num_outputs, engine
        self.val_loss, self.test_loss = torchmetrics.MeanMetric(), torchmetrics.MeanMetric()

    def step(self, task: "TaskModule", batch: tuple[Tensor, Tensor]) -> Step:
        x, y = batch
        if self.engine is not None:
            params = [p for p in task.model.parameters() if p.requires_grad]
            loss, phi = self.engine(task, x, y, params)
            return Step(None, loss.detach(), *self.tally(phi.detach(), y))
        phi, aux = split_aux(task.model(x))
        loss = self.loss(phi, y)
        objective = loss
        for weight, aux_phi in aux:
            objective = objective + weight * self.loss(aux_phi, y)
        return Step(objective, loss.detach(), *self.tally(phi.detach(), y))

    def tally(self, phi: Tensor, y: Tensor) -> tuple[int, dict[str, Tensor]]:
        """Samples in the batch and sums of further training metrics."""
        return len(y), {}

    def evaluate(self, model: nn.Module, batch: tuple[Tensor, Tensor], split: str) -> None:
        x, y = batch
        phi, _ = split_aux(model(x))
        getattr(self, f"{split}_loss").update(self.loss(phi, y), weight=len(y))
        self.score(phi, y, split)

    def score(self, phi: Tensor, y: Tensor, split: str) -> None:  # pragma: no cover - abstract
        """Update the split's headline metric."""
        raise NotImplementedError

    def compute(self, split: str) -> dict[str, Tensor]:
        loss, metric = getattr(self, f"{split}_loss"), getattr(self, f"{split}_{self.metric}")
        out = {"loss": loss.compute(), self.metric: metric.compute()}
        loss.reset(), metric.reset()
        return out

    def forward(self, model: nn.Module, x: Tensor) -> Tensor:
        return split_aux(model(x))[0]

