"""The pieces of Lightning's loop state aa reads that its public API does not offer, read here only, so
that an upgrade that moves them fails one test (tests/test_lightning_state.py) instead of a run."""
from __future__ import annotations

from typing import Any


def optimizer_step_progress(trainer: Any) -> Any:
    """The counter behind ``trainer.global_step`` under manual optimisation: updates that call torch's
    optimisers directly advance it themselves (``increment_ready`` / ``increment_completed``)."""
    return trainer.fit_loop.epoch_loop.manual_optimization.optim_step_progress


def logging_step(trainer: Any) -> int:
    """The step Lightning logs epoch-level metrics at (batches that stepped an optimiser so far), so metrics
    aa publishes itself sit on the same x-axis as Lightning's own."""
    return trainer.fit_loop.epoch_loop._batches_that_stepped


def time_budget(timer: Any) -> float:
    """Seconds a Timer callback allows (trainer.max_time): its duration, which Timer keeps private."""
    return float(timer._duration)
