"""Image data sets held whole on the training device as uint8 (N, C, H, W): a quarter of the memory of
float32, and each batch becomes float in [0, 1] on the device, where augmentation then runs.

The official test split is kept; validation is carved from the training split with the seed."""
from __future__ import annotations


import torch
from torch import Tensor

from aa.base.errors import ConfigError
from aa.config.download_check import data_root
from aa.data.tensor_data import TensorDataModule
from aa.nn.input import Standardize


class VisionData(TensorDataModule):
    kinds = ("image", "vector")

    def __init__(self, root: str | None = None, download: bool = True, val_fraction: float = 0.1,
                 standardize: bool = True, **kwargs) -> None:
        super().__init__(val_fraction=val_fraction, test_fraction=0.0, standardize=standardize, **kwargs)
        self.root, self.download = data_root(root), download
        if self.augment is not None and self.input_kind != "image":
            raise ConfigError("augmentation", "on", "transforms images, but this model reads flat vectors",
                              "augmentation=none, or a model that reads images")

    def load_splits(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:  # pragma: no cover - abstract
        """(x_train, y_train, x_test, y_test), images as uint8 (N, C, H, W); sets ``class_names``."""
        raise NotImplementedError

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        x, y, x_test, y_test = self.load_splits()
        if self.input_kind == "vector":
            x, x_test = x.flatten(1), x_test.flatten(1)
        order = torch.randperm(len(y), generator=torch.Generator().manual_seed(self.seed))
        n_val = round(len(y) * self.val_fraction)
        val, train = order[:n_val], order[n_val:]
        self.x_train, self.y_train = x[train], y[train]
        self.x_val, self.y_val = x[val], y[val]
        self.x_test, self.y_test = x_test, y_test
        self.ledger.unit = "images"
        self.split_sources = {"train": f"{1 - self.val_fraction:.0%} of the training set",
                              "val": f"{self.val_fraction:.0%} of the training set (seed {self.seed})",
                              "test": "the data set's own test set"}
        self._loaded = True

    def batch_transform(self, x: Tensor) -> Tensor:
        return x.float().div_(255)

    def input_transform(self) -> Standardize | None:
        """Per-channel (images) or per-pixel (vectors) statistics of the training split, summed in chunks."""
        if not self.standardize:
            return None
        self.setup()
        dims = (0,) if self.x_train.dim() == 2 else (0, 2, 3)
        total = squares = 0.0
        count = 0
        for chunk in self.x_train.split(8192):
            f = chunk.double().div(255)
            s = f.sum(dims, keepdim=True)
            total, squares = total + s, squares + (f * f).sum(dims, keepdim=True)
            count += f.numel() // s.numel()
        mean = total / count
        var = (squares / count - mean * mean).clamp_min(0)
        var = torch.where(var > 0, var, torch.ones_like(var))
        return Standardize(mean[0].float(), var[0].float())
