"""What an objective is: how one batch becomes a loss, and which metrics an epoch reports.

The shared ``TaskModule`` (``aa.task.module``) owns everything objectives have in common: the update
loop over a chunk of batches, optimiser steps, schedules, penalties, gradient limits, weight and input
noise, per-epoch logging and checkpoints. An objective says only what differs between model families:
the loss of one training batch, its evaluation metrics, and (rarely) its own optimisers and update
order (a GAN alternates two). Each objective is one file in ``aa/task/`` and one config in
``configs/objective/``; a model or dataset config chooses it with ``override /objective@_global_.objective``.

The contract, written out: ``task`` and ``metric`` name the run's kind and headline metric, ``step`` and
``evaluate``/``compute`` are abstract below, ``WithLoss`` marks objectives that score through a loss's
output layer (figures that predict use it), and an objective's config adds the figures its runs need
from ``configs/callbacks/figures/`` (classification: the confusion matrix), so callbacks never ask.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence, runtime_checkable

from torch import Tensor, nn

if TYPE_CHECKING:
    from torch.optim import Optimizer

    from aa.task.module import TaskModule


@dataclass
class Step:
    """One training batch's result.

    ``objective`` is what gets differentiated (shared penalties are added to it by the task module);
    None means the objective wrote the gradients itself (the manual BackProp engine). ``loss`` is the
    value reported as train/loss, ``n`` the samples it averages, ``sums`` batch sums of further
    training metrics, each logged per epoch as ``train/<name>`` = sum over the epoch / samples.
    """

    objective: Tensor | None
    loss: Tensor
    n: int
    sums: dict[str, Tensor] = field(default_factory=dict)


@runtime_checkable
class WithLoss(Protocol):
    """An objective that scores the model's outputs through a loss (``outputs``, ``predict``): the
    supervised ones and word2vec. Generative objectives have none."""

    loss: Any


class Objective(nn.Module):
    """Base class. Sub-classes keep their torchmetrics as sub-modules, so they follow the device.

    Every objective reports ``loss`` on each split (checkpoints and early stopping monitor val/loss
    by default) and names its headline metric in ``metric`` (e.g. ``acc``): sweeps optimise
    ``val/<metric>`` unless ``optimized_metric`` says otherwise.
    """

    task: str = "classification"
    """The kind of run, written to metrics.json (classification, regression, generation, ...)."""
    metric: str = "loss"
    players: tuple[str, ...] = ("model",)
    """One name per optimiser ``optimizers`` returns, in its order (the dashboard's ``lr/<player>``)."""

    def optimizers(self, model: nn.Module, optimizer: Callable[..., "Optimizer"]) -> list["Optimizer"]:
        """One optimiser over the model's parameters; objectives with several (a GAN) override this."""
        return [optimizer(params=model.parameters())]

    def step(self, task: "TaskModule", batch: Any) -> Step:  # pragma: no cover - abstract
        """The loss of one training batch (``task.model`` in training mode)."""
        raise NotImplementedError

    def update(self, task: "TaskModule", batch: Any, optimizers: Sequence["Optimizer"]) -> Step:
        """One update: the shared descent step with the first optimiser. Objectives with several
        optimisers call ``task.descend`` once per optimiser, in their own order."""
        return task.descend(optimizers[0], lambda: self.step(task, batch))

    def evaluate(self, model: nn.Module, batch: Any, split: str) -> None:  # pragma: no cover - abstract
        """Update this split's metrics with one evaluation batch (``model`` in evaluation mode)."""
        raise NotImplementedError

    def compute(self, split: str) -> dict[str, Tensor]:  # pragma: no cover - abstract
        """This split's epoch metrics by name (``loss`` among them), then reset them."""
        raise NotImplementedError

    def forward(self, model: nn.Module, x: Any) -> Any:
        """What ``TaskModule.forward`` returns: the model's output for inputs ``x``."""
        return model(x)
