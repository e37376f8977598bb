"""A callback that SIGKILLs an aa-train process at a chosen point of a chosen epoch, as a crash or a pulled
plug would; it fires only when the environment variable AA_TEST_KILL names that point, so the same run
directory can be resumed with the same stored overrides."""
from __future__ import annotations

import os
import signal

import pytorch_lightning as pl


class KillAt(pl.Callback):
    """Points: ``E:start`` (epoch E begins: the previous epoch's checkpoint is on disk), ``E:trained``
    (epoch E's updates are done, its checkpoint not yet written), ``E:val`` (inside epoch E's validation)."""

    def _maybe(self, trainer: pl.Trainer, where: str) -> None:
        if os.environ.get("AA_TEST_KILL") == f"{trainer.current_epoch}:{where}":
            os.kill(os.getpid(), signal.SIGKILL)

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._maybe(trainer, "start")

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: object) -> None:
        self._maybe(trainer, "trained")

    def on_validation_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: object) -> None:
        if trainer.state.fn == "fit":
            self._maybe(trainer, "val")
