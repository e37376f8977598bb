"""A progress bar that counts optimiser updates, not Lightning batches.

For in-memory data one Lightning batch is a chunk of many updates (aa.data.tensor_data), which the
stock bar shows as "1/1" per epoch; this bar is told of each update by the chunk it is iterating. Its
speed column is measured over the whole fit (updates and epochs per second), where the stock column
measured one epoch's Lightning batches and read ``0.00it/s`` for an epoch of one chunk."""
from __future__ import annotations

import time
from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.callbacks import RichProgressBar
from rich.progress import ProgressColumn, Task
from rich.text import Text

from aa.data.tensor_data import Chunk


class UpdateProgressBar(RichProgressBar):
    def __init__(self, refresh_s: float = 0.1) -> None:
        super().__init__()
        self.refresh_s = refresh_s  # redraw at most this often: a redraw costs more than a small update
        self._done, self._drawn = 0, 0.0
        self._fit_updates, self._fit_epochs, self._fit_start = 0, 0, None

    def configure_columns(self, trainer: pl.Trainer) -> list:
        """Lightning's columns with its per-epoch speed replaced by the rate over the whole fit."""
        columns = super().configure_columns(trainer)
        return [*columns[:-1], RateColumn(self, style=self.theme.processing_speed)]

    def rate(self) -> str:
        """Updates (and epochs) per second since the fit began; empty until something was measured."""
        if self._fit_start is None or self._fit_updates == 0:
            return ""
        seconds = time.monotonic() - self._fit_start
        if seconds <= 0:
            return ""
        updates = self._fit_updates / seconds
        text = f"{updates:,.0f} updates/s" if updates >= 10 else f"{updates:.2f} updates/s"
        if self._fit_epochs:
            epochs = self._fit_epochs / seconds
            text += f", {epochs:.1f} epochs/s" if epochs >= 1 else f", {1 / epochs:.1f} s/epoch"
        return text

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._fit_updates, self._fit_epochs, self._fit_start = 0, 0, time.monotonic()
        super().on_train_start(trainer, pl_module)

    @property
    def total_train_batches(self) -> int | float:
        updates = getattr(self.trainer.train_dataloader, "updates", None)
        return updates() if callable(updates) else super().total_train_batches

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Lightning resets the epoch's task, and rich redraws the whole display on a reset; within
        ``refresh_s`` of the last redraw the reset is made without one (many short epochs a second)."""
        self._done = 0
        progress, now = self.progress, time.monotonic()
        if progress is None or progress.disable or now - self._drawn >= self.refresh_s:
            self._drawn = now
            super().on_train_epoch_start(trainer, pl_module)
            return
        progress.disable = True  # rich's Progress.refresh draws only while not disabled
        try:
            super().on_train_epoch_start(trainer, pl_module)
        finally:
            progress.disable = False

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any,
                             batch_idx: int) -> None:
        if isinstance(batch, Chunk):
            batch.on_update = self._advance

    def _advance(self) -> None:
        self._done += 1
        self._fit_updates += 1
        now = time.monotonic()
        if now - self._drawn >= self.refresh_s:
            self._drawn = now
            self._update(self.train_progress_bar_id, self._done)

    def on_validation_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any,
                                  batch_idx: int, dataloader_idx: int = 0) -> None:
        """No bar for an evaluation of one batch (in-memory data between epochs): it would flash "1/1"
        every epoch and cost more than the pass it shows."""
        if not _single_batch(trainer):
            super().on_validation_batch_start(trainer, pl_module, batch, batch_idx, dataloader_idx)

    def on_validation_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, outputs: Any,
                                batch: Any, batch_idx: int, dataloader_idx: int = 0) -> None:
        if not _single_batch(trainer):
            super().on_validation_batch_end(trainer, pl_module, outputs, batch, batch_idx, dataloader_idx)

    def get_metrics(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> dict[str, Any]:
        """The last finished epoch's train and val metrics beside the bar (the task module publishes them
        once an epoch, outside Lightning's progress-bar logging); no per-layer probes, no version number."""
        items = {k: v for k, v in super().get_metrics(trainer, pl_module).items() if k != "v_num"}
        for name, value in trainer.callback_metrics.items():
            if name.count("/") == 1 and name.split("/")[0] in ("train", "val"):
                items[name] = float(value)
        return items

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """Within fit the metrics are shown once the epoch's train metrics are out too (next epoch, or the
        end of training), so the bar never pairs one epoch's val with the previous one's train."""
        if trainer.state.fn == "fit":
            self.reset_dataloader_idx_tracker()
        else:
            super().on_validation_end(trainer, pl_module)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._fit_epochs += 1
        self.refresh()

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._update_metrics(trainer, pl_module)
        self.refresh()

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        if not isinstance(batch, Chunk):
            self._done += 1
            self._fit_updates += 1
        if not self.is_disabled and self.train_progress_bar_id is None:
            self._initialize_train_progress_bar_id()
        self._update(self.train_progress_bar_id, self._done)
        self._update_metrics(trainer, pl_module)
        self.refresh()


class RateColumn(ProgressColumn):
    """The training bar's rate over the whole fit; an evaluation bar's own speed when rich measured one."""

    def __init__(self, bar: UpdateProgressBar, style: Any) -> None:
        self.bar, self.style = bar, style
        super().__init__()

    def render(self, task: Task) -> Text:
        if task.id == self.bar.train_progress_bar_id:
            return Text(self.bar.rate(), style=self.style)
        return Text(f"{task.speed:.2f} batches/s" if task.speed else "", style=self.style)


def _single_batch(trainer: pl.Trainer) -> bool:
    batches = trainer.num_sanity_val_batches if trainer.sanity_checking else trainer.num_val_batches
    return sum(batches) <= 1
