"""scikit-learn's bundled diabetes set: 442 patients, 10 features, disease progression after a year.

Features are loaded unscaled (scikit-learn's scaled copy uses statistics of all 442 samples, test
included); ``standardize`` z-scores them with the training split only. With ``standardize_targets``
the targets are z-scored with the training split's mean and standard deviation too, so the MSE is
in units of that variance: 1.0 is what predicting the training mean scores. ``target_units`` maps
outputs back to the original scale (about 25-346).
"""
from __future__ import annotations

import torch
from torch import Tensor

from aa.data.tensor_data import TensorDataModule


class DiabetesData(TensorDataModule):
    task = "regression"

    def __init__(self, standardize_targets: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.standardize_targets = standardize_targets
        self.target_mean, self.target_std = 0.0, 1.0

    def load(self) -> tuple[Tensor, Tensor]:
        from sklearn.datasets import load_diabetes

        d = load_diabetes(scaled=False)
        self.feature_names = list(d.feature_names)
        return torch.tensor(d.data, dtype=torch.float32), torch.tensor(d.target, dtype=torch.float32)

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        super().setup(stage)
        if self.standardize_targets:
            self.target_mean = self.y_train.mean().item()
            self.target_std = self.y_train.std(unbiased=False).item()
            for name in ("y_train", "y_val", "y_test"):
                setattr(self, name, (getattr(self, name) - self.target_mean) / self.target_std)

    def target_units(self, y: Tensor) -> Tensor:
        """Model outputs (or targets) on the original disease-progression scale."""
        return y * self.target_std + self.target_mean
