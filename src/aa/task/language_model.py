"""Next-token prediction (a causal language model): cross-entropy of every token given the ones before
it, over windows of running text; perplexity = exp(mean cross-entropy per token) on val/test: the
number of equally likely tokens the model is, on average, choosing among."""
from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torchmetrics
from torch import Tensor, nn
from torch.nn import functional as F

from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from aa.task.module import TaskModule


class LanguageModel(Objective):
    """Batches are (window ids, the same shifted by one); the model returns (N, T, vocabulary) scores."""

    task = "language_model"
    metric = "perplexity"

    def __init__(self, temperature: float = 0.8, top_k: int | None = None) -> None:
        super().__init__()
        self.temperature, self.top_k = temperature, top_k
        for split in ("val", "test"):
            setattr(self, f"{split}_loss", torchmetrics.MeanMetric())
            setattr(self, f"{split}_token_acc", torchmetrics.MeanMetric())

    @staticmethod
    def token_loss(model: nn.Module, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        logits = model(x)
        return F.cross_entropy(logits.flatten(0, 1).float(), y.flatten()), logits

    def step(self, task: "TaskModule", batch: tuple[Tensor, Tensor]) -> Step:
        x, y = batch
        loss, _ = self.token_loss(task.model, x, y)
        return Step(loss, loss.detach(), len(y))

    def evaluate(self, model: nn.Module, batch: tuple[Tensor, Tensor], split: str) -> None:
        x, y = batch
        loss, logits = self.token_loss(model, x, y)
        getattr(self, f"{split}_loss").update(loss, weight=y.numel())
        getattr(self, f"{split}_token_acc").update((logits.argmax(-1) == y).float().mean(), weight=y.numel())

    def compute(self, split: str) -> dict[str, Tensor]:
        loss, acc = getattr(self, f"{split}_loss"), getattr(self, f"{split}_token_acc")
        out = {"loss": loss.compute(), "token_acc": acc.compute()}
        out["perplexity"] = torch.exp(out["loss"])
        loss.reset(), acc.reset()
        return out
