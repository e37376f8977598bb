"""Regression: the output s = g(phi) estimates the target.

The loss is computed on the scale the data trains on (z-scored targets where the data standardises
them); every val/test metric is in the target's own units: MSE, RMSE, MAE and R^2, beside the trivial
baseline that predicts the training mean for every sample (``baseline_*``). R^2 = 1 - SSE / SST with SST
around the split's own mean; a model that does not beat the baseline is said so in the run's summary.
"""
from __future__ import annotations

from typing import Any, Callable

import torch
import torchmetrics
from torch import Tensor, nn

from aa.data.contract import DataModule, InMemory, TargetUnits
from aa.task.losses import Loss
from aa.task.supervised import Supervised

UNIT_METRICS = ("mse", "rmse", "mae", "r2", "baseline_mse", "baseline_rmse", "baseline_mae")


class Regression(Supervised):
    """Targets are real vectors (or scalars); the loss's output activation gives the estimate."""

    task = "regression"
    metric = "mse"

    def __init__(self, loss: Loss, num_outputs: int, engine: Any = None, data: DataModule | None = None) -> None:
        super().__init__(loss, num_outputs, engine)
        self.units: Callable[[Tensor], Tensor] = data.target_units if isinstance(data, TargetUnits) else _same
        mean = self.units(data.y_train.float()).mean(0) if isinstance(data, InMemory) and len(data.y_train) else None
        self.register_buffer("train_mean", torch.zeros(()) if mean is None else mean.cpu(), persistent=False)
        self.has_baseline = mean is not None
        for split in ("val", "test"):
            setattr(self, f"{split}_metrics", nn.ModuleDict({
                "mse": torchmetrics.MeanSquaredError(), "mae": torchmetrics.MeanAbsoluteError(),
                "r2": torchmetrics.R2Score(), "baseline_mse": torchmetrics.MeanSquaredError(),
                "baseline_mae": torchmetrics.MeanAbsoluteError()}))

    def score(self, phi: Tensor, y: Tensor, split: str) -> None:
        estimate = self.units(self.loss.outputs(phi).reshape(y.shape).float())
        truth = self.units(y.float())
        flat_e, flat_t = estimate.reshape(len(y), -1), truth.reshape(len(y), -1)
        metrics = getattr(self, f"{split}_metrics")
        metrics["mse"].update(flat_e, flat_t)
        metrics["mae"].update(flat_e, flat_t)
        metrics["r2"].update(flat_e.flatten(), flat_t.flatten())
        baseline = self.train_mean.to(flat_t).expand_as(flat_t)
        metrics["baseline_mse"].update(baseline, flat_t)
        metrics["baseline_mae"].update(baseline, flat_t)

    def compute(self, split: str) -> dict[str, Tensor]:
        loss, metrics = getattr(self, f"{split}_loss"), getattr(self, f"{split}_metrics")
        out = {"loss": loss.compute(), "mse": metrics["mse"].compute(), "mae": metrics["mae"].compute(),
               "r2": metrics["r2"].compute()}
        out["rmse"] = out["mse"].sqrt()
        if self.has_baseline:
            out["baseline_mse"] = metrics["baseline_mse"].compute()
            out["baseline_rmse"] = out["baseline_mse"].sqrt()
            out["baseline_mae"] = metrics["baseline_mae"].compute()
        loss.reset()
        for m in metrics.values():
            m.reset()
        return out

    def predict_units(self, phi: Tensor) -> Tensor:
        """Model outputs as estimates in the target's units (aa-predict)."""
        return self.units(self.loss.outputs(phi))


def _same(y: Tensor) -> Tensor:
    return y
