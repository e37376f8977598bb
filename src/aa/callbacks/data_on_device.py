"""Keep in-memory data sets on the training device."""
from __future__ import annotations

import pytorch_lightning as pl

from aa.data.contract import OnDevice


class DataOnDevice(pl.Callback):
    """Move in-memory data sets to the training device once, so each update only slices tensors."""

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._move(trainer, pl_module)

    def on_test_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._move(trainer, pl_module)

    @staticmethod
    def _move(trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        dm = trainer.datamodule
        if isinstance(dm, OnDevice):
            dm.to(pl_module.device)
