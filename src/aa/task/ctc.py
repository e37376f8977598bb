"""Connectionist temporal classification (Graves et al., 2006): a network emits a distribution over the
alphabet plus a blank at every frame (column of a line image, step of a spectrogram), and the loss sums
over every alignment of the transcript to the frames (``torch.nn.CTCLoss``), so no frame needs a label.
Val/test decode the frames (greedy or prefix beam, ``aa.decode.ctc``) and report the character and word
error rates (torchmetrics: edit distance / reference length)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import torch
import torchmetrics
from torch import Tensor, nn

from aa.decode.ctc import BLANK, decode
from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from aa.task.module import TaskModule


class Transcribes:
    """What the CTC objective needs of the data: ``alphabet`` (label k is alphabet[k - 1]; 0 is blank and
    pads the targets)."""

    alphabet: Sequence[str]


def text(labels: Sequence[int], alphabet: Sequence[str]) -> str:
    return "".join(alphabet[k - 1] for k in labels if 0 < k <= len(alphabet))


class CTC(Objective):
    """Batches are (inputs, targets right-padded with 0); the model returns (N, T, alphabet + 1) scores."""

    task = "recognition"
    metric = "cer"

    def __init__(self, data: Transcribes, strategy: str = "greedy", beam_size: int = 8) -> None:
        super().__init__()
        self.alphabet = list(data.alphabet)
        self.strategy, self.beam_size = strategy, beam_size
        self.ctc = nn.CTCLoss(blank=BLANK, zero_infinity=True)
        for split in ("val", "test"):
            setattr(self, f"{split}_loss", torchmetrics.MeanMetric())
            setattr(self, f"{split}_cer", torchmetrics.text.CharErrorRate())
            setattr(self, f"{split}_wer", torchmetrics.text.WordErrorRate())
            setattr(self, f"{split}_exact", torchmetrics.MeanMetric())

    def ctc_loss(self, model: nn.Module, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """Mean CTC loss per target label (CTCLoss's 'mean'), and the (N, T, C) log-probabilities."""
        log_probs = model(x).float().log_softmax(-1)
        n, t = log_probs.shape[:2]
        lengths = (y != BLANK).sum(1)
        frames = torch.full((n,), t, dtype=torch.long, device=y.device)
        return self.ctc(log_probs.transpose(0, 1), y, frames, lengths), log_probs

    def step(self, task: "TaskModule", batch: tuple[Tensor, Tensor]) -> Step:
        x, y = batch
        loss, _ = self.ctc_loss(task.model, x, y)
        return Step(loss, loss.detach(), len(y))

    def transcribe(self, log_probs: Tensor) -> list[str]:
        return [text(s, self.alphabet) for s in decode(log_probs, self.strategy, self.beam_size)]

    def evaluate(self, model: nn.Module, batch: tuple[Tensor, Tensor], split: str) -> None:
        x, y = batch
        loss, log_probs = self.ctc_loss(model, x, y)
        getattr(self, f"{split}_loss").update(loss, weight=len(y))
        pred = self.transcribe(log_probs)
        true = [text(row, self.alphabet) for row in y.tolist()]
        getattr(self, f"{split}_cer").update(pred, true)
        getattr(self, f"{split}_wer").update(pred, true)
        getattr(self, f"{split}_exact").update(torch.tensor([float(p == t) for p, t in zip(pred, true)], device=y.device))

    def compute(self, split: str) -> dict[str, Tensor]:
        out = {}
        for name in ("loss", "cer", "wer", "exact"):
            metric = getattr(self, f"{split}_{name}")
            out[name] = metric.compute()
            metric.reset()
        return out

    def forward(self, model: nn.Module, x: Tensor) -> Tensor:
        return model(x).log_softmax(-1)
