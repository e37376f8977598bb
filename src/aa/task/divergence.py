"""A loss that stops being finite ends the run loudly: which loss, when, and what to try."""
from __future__ import annotations

from typing import Any


class Diverged(RuntimeError):
    """Raised by the task module at the first non-finite training loss."""

    def __init__(self, loss: str, value: float, epoch: int, update: int, epoch_update: int) -> None:
        self.loss, self.value, self.epoch, self.update, self.epoch_update = loss, value, epoch, update, epoch_update
        super().__init__(f"{loss} became {value} at epoch {epoch}, update {update}")

    def paragraph(self, cfg: Any, checkpoint: str | None) -> str:
        """One paragraph for the console: where it happened, what was kept, what to change."""
        lr = (cfg.get("optim") or {}).get("lr")
        kept = (f"The last checkpoint with finite weights is kept: {checkpoint}." if checkpoint
                else "No checkpoint was written before it.")
        return (f"Training diverged: {self.loss} became {self.value} at epoch {self.epoch} (update "
                f"{self.epoch_update} of that epoch, {self.update} in all), so the run stopped. {kept} "
                f"Try a lower learning rate (optim.lr={lr} now, e.g. optim.lr={lr / 10:g}), gradient clipping "
                "(regularization=clip_norm), or normalised inputs (dataset.standardize=true)."
                if isinstance(lr, (int, float)) else
                f"Training diverged: {self.loss} became {self.value} at epoch {self.epoch} (update "
                f"{self.epoch_update} of that epoch, {self.update} in all), so the run stopped. {kept} "
                "Try a lower learning rate, gradient clipping (regularization=clip_norm), or normalised inputs.")
