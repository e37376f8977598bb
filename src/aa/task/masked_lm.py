"""Masked-language-model pretraining (BERT): 15 % of the real tokens of each window are chosen; of
those 80 % are replaced by <mask>, 10 % by a random token and 10 % left as they are, and the model must
name the original token at every chosen position (cross-entropy there only). Val/test draw their masks
from a fixed seed, so every epoch is scored on the same masked windows.

``BertObjective`` is BERT's two stages as one option: masked-LM pretraining on running text, and
classification (the loss group's loss, accuracy) when the data is labelled (fine-tuning)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
import torchmetrics
from torch import Tensor, nn
from torch.nn import functional as F

from aa.data.text_stream import MASK_ID, SPECIALS
from aa.task.classification import Classification
from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from aa.task.module import TaskModule


def mask_tokens(ids: Tensor, vocab: int, generator: torch.Generator | None = None, rate: float = 0.15,
                ) -> tuple[Tensor, Tensor]:
    """(inputs with the chosen tokens replaced, boolean mask of the chosen positions)."""
    u = torch.rand(ids.shape, generator=generator).to(ids.device)
    chosen = (u < rate) & (ids >= len(SPECIALS))
    how = torch.rand(ids.shape, generator=generator).to(ids.device)
    random_ids = torch.randint(len(SPECIALS), vocab, ids.shape, generator=generator).to(ids.device)
    inputs = torch.where(chosen & (how < 0.8), torch.full_like(ids, MASK_ID), ids)
    inputs = torch.where(chosen & (how >= 0.8) & (how < 0.9), random_ids, inputs)
    return inputs, chosen


class MaskedLM(Objective):
    """Batches are windows of running text (x, and x shifted, which this objective does not need)."""

    task = "language_model"
    metric = "acc"

    def __init__(self, num_outputs: int, rate: float = 0.15, seed: int = 0) -> None:
        super().__init__()
        self.vocab, self.rate, self.seed = num_outputs, rate, seed
        self.eval_generator = torch.Generator().manual_seed(seed)
        for split in ("val", "test"):
            setattr(self, f"{split}_loss", torchmetrics.MeanMetric())
            setattr(self, f"{split}_acc", torchmetrics.MeanMetric())

    def masked(self, model: nn.Module, x: Tensor, generator: torch.Generator | None) -> tuple[Tensor, Tensor, int]:
        inputs, chosen = mask_tokens(x, self.vocab, generator, self.rate)
        if not bool(chosen.any()):
            chosen[0, 0] = True  # a window too short to draw a position still trains on one
        logits = model.token_logits(inputs)[chosen].float()
        target = x[chosen]
        return F.cross_entropy(logits, target), (logits.argmax(-1) == target).float().mean(), int(chosen.sum())

    def step(self, task: "TaskModule", batch: tuple[Tensor, Tensor]) -> Step:
        loss, _, _ = self.masked(task.model, batch[0], None)
        return Step(loss, loss.detach(), len(batch[0]))

    def evaluate(self, model: nn.Module, batch: tuple[Tensor, Tensor], split: str) -> None:
        loss, acc, n = self.masked(model, batch[0], self.eval_generator)
        getattr(self, f"{split}_loss").update(loss, weight=n)
        getattr(self, f"{split}_acc").update(acc, weight=n)

    def compute(self, split: str) -> dict[str, Tensor]:
        self.eval_generator.manual_seed(self.seed)  # the same masks next epoch
        loss, acc = getattr(self, f"{split}_loss"), getattr(self, f"{split}_acc")
        out = {"loss": loss.compute(), "acc": acc.compute()}
        out["perplexity"] = torch.exp(out["loss"])
        loss.reset(), acc.reset()
        return out


class BertObjective(MaskedLM):
    """Masked-LM on running text; on labelled text (the data's task says so) a ``Classification`` instead."""

    def __new__(cls, data: Any, loss: Any, num_outputs: int, rate: float = 0.15) -> Any:  # type: ignore[misc]
        if data.task == "classification":
            return Classification(loss, num_outputs)
        return super().__new__(cls)

    def __init__(self, data: Any, loss: Any, num_outputs: int, rate: float = 0.15) -> None:
        super().__init__(num_outputs, rate)
