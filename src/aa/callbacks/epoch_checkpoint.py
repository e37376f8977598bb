"""Checkpoints as a resumable run needs them: last.ckpt kept recent, the best one beside it.

Lightning's ModelCheckpoint writes last.ckpt only in an epoch that also writes a top-k file, i.e. only
while the monitored metric improves: once validation stops improving, a run killed later resumes from
its best epoch and repeats every epoch since (a 60-epoch digits run left last.ckpt at epoch 37). Here
last.ckpt is written after an epoch's checks whenever ``last_every_s`` seconds have passed since the last
write, and always after an improving epoch, the last epoch and an epoch after which the run stops (a
signal, the time budget, early stopping): a run killed without warning repeats at most that much
training. An improving epoch's top-k file is a hard link to that same file: one serialisation and one
write, not two. Epochs of small models take milliseconds, and a write each costs as much as the training.
"""
from __future__ import annotations

import os
import shutil
import time
from typing import Any
from weakref import proxy

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import ModelCheckpoint
from torch import Tensor

from aa.base.atomic import replacing
from aa.base.checkpoint_io import AtomicCheckpointIO


class EpochCheckpoint(ModelCheckpoint):
    """ModelCheckpoint (same arguments, same top-k bookkeeping) whose last.ckpt follows every epoch.
    The defaults are a run's: best.ckpt by val/loss beside last.ckpt, written after the epoch's last hook."""

    def __init__(self, *args: Any, monitor: str | None = "val/loss", filename: str | None = "best",
                 save_last: bool | str | None = True, auto_insert_metric_name: bool = False,
                 save_on_train_epoch_end: bool | None = True, last_every_s: float = 10.0, **kwargs: Any) -> None:
        super().__init__(*args, monitor=monitor, filename=filename, save_last=save_last,
                         auto_insert_metric_name=auto_insert_metric_name,
                         save_on_train_epoch_end=save_on_train_epoch_end, **kwargs)
        if last_every_s < 0:
            raise ValueError(f"last_every_s must be >= 0, not {last_every_s}")
        self.last_every_s = last_every_s
        self._pending: list[str] | None = None
        self._last_written: float | None = None

    @property
    def state_key(self) -> str:
        """ModelCheckpoint's key: runs saved with Lightning's class resume with this one, and back."""
        return super().state_key.replace(type(self).__qualname__, ModelCheckpoint.__qualname__, 1)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.save_last == "link":  # Lightning's own scheme: last.ckpt links to the newest top-k file
            super().on_train_epoch_end(trainer, pl_module)
        elif self._should_save_on_train_epoch_end(trainer):
            self._save_epoch(trainer)

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.save_last == "link" or getattr(self, "_defer_save_until_validation", False):
            super().on_validation_end(trainer, pl_module)  # a step-triggered save waiting for its metric
        elif not self._should_save_on_train_epoch_end(trainer):
            self._save_epoch(trainer)

    def _save_epoch(self, trainer: pl.Trainer) -> None:
        """Top-k bookkeeping first (last.ckpt carries its outcome), then last.ckpt, then the top-k files
        the bookkeeping asked for, as links to it."""
        if self._should_skip_saving_checkpoint(trainer):
            return
        candidates = self._monitor_candidates(trainer)
        self._pending = [] if self.save_last else None  # without last.ckpt, top-k files are written as usual
        try:
            if self._every_n_epochs >= 1 and (trainer.current_epoch + 1) % self._every_n_epochs == 0:
                self._save_topk_checkpoint(trainer, candidates)
            pending = self._pending or []
        finally:
            self._pending = None
        if self.save_last and (pending or self._last_due(trainer)):
            self._save_last_checkpoint(trainer, candidates)
            self._last_written = time.monotonic()
        for path in pending:
            self._copy_of_last(trainer, path)

    def _last_due(self, trainer: pl.Trainer) -> bool:
        """last.ckpt after this epoch: time for one, the run stops, or this was its last epoch or step."""
        if self._last_written is None or time.monotonic() - self._last_written >= self.last_every_s:
            return True
        last_epoch = trainer.max_epochs is not None and 0 < trainer.max_epochs <= trainer.current_epoch + 1
        last_step = trainer.max_steps is not None and 0 < trainer.max_steps <= trainer.global_step
        return bool(trainer.should_stop or last_epoch or last_step)

    def _save_checkpoint(self, trainer: pl.Trainer, filepath: str) -> None:
        if self._pending is not None:  # a top-k file, written once last.ckpt is
            self._pending.append(filepath)
            return
        super()._save_checkpoint(trainer, filepath)

    def _copy_of_last(self, trainer: pl.Trainer, filepath: str) -> None:
        """``filepath`` becomes last.ckpt's content, atomically. A hard link needs a writer that replaces
        last.ckpt by a new file (AtomicCheckpointIO renames over it) rather than rewriting it in place."""
        if trainer.is_global_zero:
            with replacing(filepath) as tmp:
                try:
                    if not isinstance(trainer.strategy.checkpoint_io, AtomicCheckpointIO):
                        raise OSError("the checkpoint writer may rewrite last.ckpt in place")
                    os.link(self.last_model_path, tmp)
                except OSError:  # no hard links here (another file system, another writer): a real copy
                    shutil.copyfile(self.last_model_path, tmp)
        trainer.strategy.barrier()
        self._last_global_step_saved = trainer.global_step
        self._last_checkpoint_saved = filepath
        if trainer.is_global_zero:
            for logger in trainer.loggers:
                logger.after_save_checkpoint(proxy(self))

    def _monitor_candidates(self, trainer: pl.Trainer) -> dict[str, Tensor]:
        """As ModelCheckpoint's, with a clone per value instead of a deepcopy of the whole dict (about
        1 ms an epoch for the digits run's dozen metrics)."""
        candidates = {k: v.detach().clone() if isinstance(v, Tensor) else v for k, v in trainer.callback_metrics.items()}
        epoch, step = candidates.get("epoch"), candidates.get("step")
        candidates["epoch"] = epoch.int() if isinstance(epoch, Tensor) else torch.tensor(trainer.current_epoch)
        candidates["step"] = step.int() if isinstance(step, Tensor) else torch.tensor(trainer.global_step)
        return candidates
