"""Which way a metric is better, shared by the Optuna direction check and the summary's ranking."""
from __future__ import annotations

LOWER_IS_BETTER = ("loss", "mse", "mae", "error", "perplexity")


def direction(metric: str) -> str:
    """'minimize' for losses and errors, 'maximize' for accuracies and scores."""
    return "minimize" if any(w in metric.lower() for w in LOWER_IS_BETTER) else "maximize"


def default_metric(optimized: str | None, task: str | None) -> str:
    """The metric a run returns to a sweeper: the configured one, else val/acc or val/loss."""
    return optimized or ("val/acc" if task in (None, "classification") else "val/loss")
