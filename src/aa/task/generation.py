"""Conditional generation (one-to-many): learn P(next character | previous ones, class) on labelled
texts, report the per-character loss and next-character accuracy, and sample with a temperature."""
from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torchmetrics
from torch import Tensor, nn
from torch.nn import functional as F

from aa.models.token_input import PAD_ID
from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from aa.task.module import TaskModule


def shifted(model: nn.Module, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Inputs (start symbol, then the text), targets (the text, then 0 = end) and the mask of the
    positions that count: every character and the one end."""
    length = (x != PAD_ID).sum(1)
    x = x[:, : int(length.max())]
    start = torch.full_like(x[:, :1], model.start_id)
    inputs, targets = torch.cat([start, x], 1), torch.cat([x, torch.zeros_like(x[:, :1])], 1)
    mask = torch.arange(targets.shape[1], device=x.device) <= length.unsqueeze(1)
    return inputs, targets, mask


class Generation(Objective):
    """Batches are (token ids, class); ``samples`` texts per class at ``temperature`` for the dashboard."""

    task = "generation"
    metric = "char_acc"

    def __init__(self, samples: int = 5, temperature: float = 0.8) -> None:
        super().__init__()
        self.samples, self.temperature = samples, temperature
        for split in ("val", "test"):
            setattr(self, f"{split}_loss", torchmetrics.MeanMetric())
            setattr(self, f"{split}_char_acc", torchmetrics.MeanMetric())

    def losses(self, model: nn.Module, x: Tensor, label: Tensor) -> tuple[Tensor, Tensor, int]:
        inputs, targets, mask = shifted(model, x)
        logits, _ = model(inputs, label)
        loss = F.cross_entropy(logits[mask], targets[mask])
        hits = (logits.argmax(-1) == targets)[mask].float().sum()
        return loss, hits, int(mask.sum())

    def step(self, task: "TaskModule", batch: tuple[Tensor, Tensor]) -> Step:
        x, label = batch
        loss, hits, count = self.losses(task.model, x, label)
        return Step(loss, loss.detach(), len(x), {"char_acc": hits / count * len(x)})

    def evaluate(self, model: nn.Module, batch: tuple[Tensor, Tensor], split: str) -> None:
        loss, hits, count = self.losses(model, *batch)
        getattr(self, f"{split}_loss").update(loss, weight=count)
        getattr(self, f"{split}_char_acc").update(hits / count, weight=count)

    def compute(self, split: str) -> dict[str, Tensor]:
        out = {}
        for name in ("loss", "char_acc"):
            metric = getattr(self, f"{split}_{name}")
            out[name] = metric.compute()
            metric.reset()
        return out

    @torch.no_grad()
    def sample(self, model: nn.Module, label: Tensor, temperature: float | None = None,
               max_length: int = 32, generator: torch.Generator | None = None) -> Tensor:
        """Texts (N, <= max_length) drawn character by character from softmax(logits / temperature)."""
        t = temperature or self.temperature
        tokens = torch.full((len(label), 1), model.start_id, dtype=torch.long, device=label.device)
        state, out = None, []
        done = torch.zeros(len(label), dtype=torch.bool, device=label.device)
        for _ in range(max_length):
            logits, state = model(tokens, label, state)
            p = torch.softmax(logits[:, -1].float() / t, -1)
            nxt = torch.multinomial(p.cpu(), 1, generator=generator).to(label.device).squeeze(1)
            nxt = torch.where(done, PAD_ID, nxt)
            out.append(nxt)
            done = done | (nxt == PAD_ID)
            if bool(done.all()):
                break
            tokens = nxt.unsqueeze(1)
        return torch.stack(out, 1)
