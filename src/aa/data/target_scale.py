"""Regression targets standardised with the training split's statistics.

A target in grams or dollars (mean 4,200, spread 700) makes a squared-error loss of order 10^5 at the
first update; with a small network's outputs near zero, the default learning rate crawls. Training on
z = (y - mean) / std, with mean and std of the training split only, puts every target on the same
footing; ``target_units`` maps outputs back, so metrics and predictions are in the data's own units.
"""
from __future__ import annotations

import torch
from torch import Tensor


class StandardizedTargets:
    """Mixin for in-memory regression data: call ``standardize_target_splits`` once the splits exist."""

    standardize_targets: bool = True
    target_mean: Tensor = torch.zeros(())
    target_std: Tensor = torch.ones(())

    def standardize_target_splits(self) -> None:
        """Fit mean and std on y_train (per target column) and z-score every split with them."""
        y = self.y_train.float()
        if not self.standardize_targets or len(y) == 0:
            return
        self.target_mean = y.mean(0)
        self.target_std = y.std(0, unbiased=False).clamp_min(1e-12)
        for name in ("y_train", "y_val", "y_test"):
            setattr(self, name, (getattr(self, name) - self.target_mean) / self.target_std)

    def target_units(self, y: Tensor) -> Tensor:
        """Standardised values (model outputs or targets) in the data's own units."""
        return y * self.target_std.to(y.device) + self.target_mean.to(y.device)
