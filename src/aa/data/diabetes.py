"""scikit-learn's bundled diabetes set: 442 patients, 10 features, disease progression after a year.

Features are loaded unscaled (scikit-learn's scaled copy uses statistics of all 442 samples, test
included); ``standardize`` z-scores them with the training split only. With ``standardize_targets``
the targets are z-scored with the training split's mean and standard deviation too (the loss is on
that scale); ``target_units`` maps outputs back, so metrics are on the original scale (about 25-346).
"""
from __future__ import annotations

import torch
from torch import Tensor

from aa.data.target_scale import StandardizedTargets
from aa.data.tensor_data import TensorDataModule


class DiabetesData(StandardizedTargets, TensorDataModule):
    task = "regression"

    def __init__(self, standardize_targets: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.standardize_targets = standardize_targets

    def load(self) -> tuple[Tensor, Tensor]:
        from sklearn.datasets import load_diabetes

        d = load_diabetes(scaled=False)
        self.feature_names = list(d.feature_names)
        return torch.tensor(d.data, dtype=torch.float32), torch.tensor(d.target, dtype=torch.float32)

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        super().setup(stage)
        self.standardize_target_splits()
