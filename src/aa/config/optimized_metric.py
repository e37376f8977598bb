"""Which way a metric is better, shared by the Optuna direction check and the summary's ranking."""
from __future__ import annotations

LOWER_IS_BETTER = ("loss", "mse", "mae", "error", "perplexity", "cer", "wer")


def direction(metric: str) -> str:
    """'minimize' for losses and errors, 'maximize' for accuracies and scores."""
    return "minimize" if any(w in metric.lower() for w in LOWER_IS_BETTER) else "maximize"


def default_metric(optimized: str | None, metric: str | None) -> str:
    """The metric a run returns to a sweeper: the configured one, else the objective's headline
    metric on the validation split (val/acc for classification, val/mse for regression)."""
    return optimized or f"val/{metric or 'loss'}"
