"""How fast the input arrives beside how fast training consumes it, so a user sees when data is the
bottleneck: the time between the end of one training batch and the start of the next is spent waiting for
the loader (decoding, augmenting on workers, collating, moving to the device)."""
from __future__ import annotations

import logging
import time
from typing import Any

import pytorch_lightning as pl
from torch import Tensor

log = logging.getLogger("aa")


def batch_samples(batch: Any) -> int | None:
    """Samples in a batch (x, y), or in a chunk of such updates; None where the shape says nothing sure."""
    if isinstance(batch, (list, tuple)) and len(batch) == 2 and isinstance(batch[0], Tensor):
        return len(batch[0])
    if isinstance(batch, list) and batch and all(isinstance(b, (list, tuple)) and len(b) == 2 for b in batch):
        counts = [batch_samples(b) for b in batch]
        return None if None in counts else sum(counts)
    return None


class InputRate(pl.Callback):
    """Seconds spent waiting for input and in the training step, over the whole fit; written to train.log at
    its end and to metrics.json ("input")."""

    def __init__(self) -> None:
        self.waiting = self.training = 0.0
        self.samples: int | None = 0
        self._ended: float | None = None
        self._started = 0.0

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._ended = time.perf_counter()  # the first batch's wait counts from the epoch's start

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any,
                             batch_idx: int) -> None:
        self._started = time.perf_counter()
        if self._ended is not None:
            self.waiting += self._started - self._ended
        n = batch_samples(batch)
        self.samples = None if n is None or self.samples is None else self.samples + n

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        self._ended = time.perf_counter()
        self.training += self._ended - self._started

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._ended = None  # validation between epochs is not waiting for training input

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        section = self.report().get("input")
        if section:
            log.info("input: %s", section["said"])

    def report(self) -> dict[str, Any]:
        total = self.waiting + self.training
        if total <= 0:
            return {}
        share = self.waiting / total
        said = f"waited {self.waiting:.1f} s for input and trained {self.training:.1f} s ({share:.0%} waiting)"
        section: dict[str, Any] = {"waiting_s": round(self.waiting, 3), "training_s": round(self.training, 3),
                                   "waiting_share": round(share, 4)}
        if self.samples:
            section["input_samples_per_s"] = round(self.samples / self.waiting, 1) if self.waiting > 0 else None
            section["training_samples_per_s"] = round(self.samples / self.training, 1) if self.training > 0 else None
            said += (f"; the input delivers {self.samples / max(self.waiting, 1e-9):,.0f} samples/s, training "
                     f"consumes {self.samples / max(self.training, 1e-9):,.0f} samples/s")
        if share > 0.5:
            said += " (the data is the bottleneck: more dataset.workers, smaller images or a larger batch may help)"
        section["said"] = said
        return {"input": section}
