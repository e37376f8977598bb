"""Sequence to sequence: cross-entropy of every target token under teacher forcing for training; on
val/test also the decoded outputs (greedy or beam, ``aa.decode``) against the targets: token accuracy,
exact-sequence match and corpus BLEU (torchmetrics)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torchmetrics
from torch import Tensor, nn
from torch.nn import functional as F

from aa.data.seq2seq_tasks import BOS_ID
from aa.decode.hypotheses import Decoded
from aa.decode.search import Decoder
from aa.models.token_input import PAD_ID
from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from aa.data.seq2seq_tasks import PairData
    from aa.task.module import TaskModule


def teacher_inputs(y: Tensor) -> Tensor:
    """Decoder inputs: <s> then the target shifted right by one."""
    return torch.cat([torch.full_like(y[:, :1], BOS_ID), y[:, :-1]], 1)


def trim(y: Tensor) -> Tensor:
    return y[:, : max(int((y != PAD_ID).sum(1).max()), 1)]


def match(pred: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Per row: correct target tokens (</s> included, position by position) and whether all match."""
    width = max(pred.shape[1], y.shape[1])
    pred, y = F.pad(pred, (0, width - pred.shape[1])), F.pad(y, (0, width - y.shape[1]))
    real = y != PAD_ID
    same = pred == y
    return (same & real).sum(1), same.all(1)


class Seq2Seq(Objective):
    """Batches are (source ids, target ids ending in </s>); ``decode`` is the inference used on val/test."""

    task = "seq2seq"
    metric = "exact"

    def __init__(self, data: "PairData", decode: Decoder | None = None) -> None:
        super().__init__()
        self.decoder = decode or Decoder()
        self.max_length = int(data.y_train.shape[1]) + 10
        self.words = data.tgt_vocab.itos
        for split in ("val", "test"):
            setattr(self, f"{split}_loss", torchmetrics.MeanMetric())
            setattr(self, f"{split}_token_acc", torchmetrics.SumMetric())
            setattr(self, f"{split}_tokens", torchmetrics.SumMetric())
            setattr(self, f"{split}_exact", torchmetrics.MeanMetric())
            setattr(self, f"{split}_bleu", torchmetrics.text.BLEUScore(n_gram=4, smooth=True))

    def token_loss(self, model: nn.Module, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """Mean cross-entropy per target token, and the logits."""
        logits = model(x, teacher_inputs(y))
        return F.cross_entropy(logits.flatten(0, 1), y.flatten(), ignore_index=PAD_ID), logits

    def step(self, task: "TaskModule", batch: tuple[Tensor, Tensor]) -> Step:
        x, y = batch
        y = trim(y)
        loss, logits = self.token_loss(task.model, x, y)
        hits, _ = match(logits.detach().argmax(-1), y)
        acc = (hits.float() / (y != PAD_ID).sum(1)).sum()
        return Step(loss, loss.detach(), len(y), {"token_acc": acc})

    def decode(self, model: nn.Module, x: Tensor) -> Decoded:
        return self.decoder(model, x, self.max_length)

    def evaluate(self, model: nn.Module, batch: tuple[Tensor, Tensor], split: str) -> None:
        x, y = batch
        y = trim(y)
        loss, _ = self.token_loss(model, x, y)
        getattr(self, f"{split}_loss").update(loss, weight=int((y != PAD_ID).sum()))
        pred = self.decode(model, x).tokens
        hits, exact = match(pred, y)
        getattr(self, f"{split}_token_acc").update(hits.sum())
        getattr(self, f"{split}_tokens").update((y != PAD_ID).sum())
        getattr(self, f"{split}_exact").update(exact.float())
        getattr(self, f"{split}_bleu").update([self.text(p) for p in pred], [[self.text(t)] for t in y])

    def text(self, ids: Tensor) -> str:
        """Tokens before </s>, space-separated, for BLEU."""
        return " ".join(self.words[i] for i in ids.tolist() if i > 3)

    def compute(self, split: str) -> dict[str, Tensor]:
        names = ("loss", "token_acc", "tokens", "exact", "bleu")
        m = {n: getattr(self, f"{split}_{n}") for n in names}
        out = {"loss": m["loss"].compute(), "token_acc": m["token_acc"].compute() / m["tokens"].compute().clamp(min=1),
               "exact": m["exact"].compute(), "bleu": m["bleu"].compute()}
        for metric in m.values():
            metric.reset()
        return out

    def forward(self, model: nn.Module, x: Tensor) -> Tensor:
        return self.decode(model, x).tokens
