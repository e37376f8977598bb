"""Sequence tagging (named entities): cross-entropy of every real token's tag (padding -1 is left out);
val/test report token accuracy and the entity-level precision, recall and F1 of ``aa.task.entities``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import torch
import torchmetrics
from torch import Tensor, nn
from torch.nn import functional as F

from aa.task.entities import counts, scores
from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from aa.task.module import TaskModule

PAD_TAG = -1


class Tagging(Objective):
    """Batches are (word ids, tag ids); the model returns (N, L, tags) scores."""

    task = "tagging"
    metric = "f1"

    def __init__(self, data: "HasTags") -> None:
        super().__init__()
        self.tags = list(data.class_names)
        for split in ("val", "test"):
            setattr(self, f"{split}_loss", torchmetrics.MeanMetric())
            setattr(self, f"{split}_token_acc", torchmetrics.MeanMetric())
            for name in ("hit", "predicted", "true"):  # entities: correct, predicted, true
                setattr(self, f"{split}_{name}", torchmetrics.SumMetric())

    @staticmethod
    def tag_loss(model: nn.Module, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        logits = model(x)
        return F.cross_entropy(logits.flatten(0, 1).float(), y.flatten(), ignore_index=PAD_TAG), logits

    def step(self, task: "TaskModule", batch: tuple[Tensor, Tensor]) -> Step:
        x, y = batch
        loss, _ = self.tag_loss(task.model, x, y)
        return Step(loss, loss.detach(), len(y))

    def names(self, ids: Tensor, y: Tensor) -> list[list[str]]:
        return [[self.tags[i] for i, t in zip(row, gold) if t != PAD_TAG] for row, gold in zip(ids.tolist(), y.tolist())]

    def evaluate(self, model: nn.Module, batch: tuple[Tensor, Tensor], split: str) -> None:
        x, y = batch
        loss, logits = self.tag_loss(model, x, y)
        real = y != PAD_TAG
        pred = logits.argmax(-1)
        getattr(self, f"{split}_loss").update(loss, weight=int(real.sum()))
        getattr(self, f"{split}_token_acc").update((pred == y)[real].float().mean(), weight=int(real.sum()))
        for name, count in zip(("hit", "predicted", "true"), counts(self.names(y, y), self.names(pred, y))):
            getattr(self, f"{split}_{name}").update(torch.tensor(float(count), device=y.device))

    def compute(self, split: str) -> dict[str, Tensor]:
        metrics = [getattr(self, f"{split}_{n}") for n in ("loss", "token_acc", "hit", "predicted", "true")]
        out = {"loss": metrics[0].compute(), "token_acc": metrics[1].compute()}
        out.update({k: torch.tensor(v) for k, v in scores(*(int(m.compute()) for m in metrics[2:])).items()})
        for m in metrics:
            m.reset()
        return out


class HasTags:
    """What the objective needs of the data: ``class_names``, the tags (O first)."""

    class_names: Sequence[str]
