"""scikit-learn's bundled 8x8 handwritten digits: 1797 samples, 10 classes, shipped with the package."""
from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F

from aa.data.tensor_data import TensorDataModule


class DigitsData(TensorDataModule):
    kinds = ("vector", "image")

    def __init__(self, image_size: int = 8, **kwargs) -> None:
        super().__init__(**kwargs)
        self.image_size = image_size

    def load(self) -> tuple[Tensor, Tensor]:
        from sklearn.datasets import load_digits

        d = load_digits()
        self.class_names = [str(c) for c in d.target_names]
        return torch.tensor(d.data, dtype=torch.float32) / 16.0, torch.tensor(d.target, dtype=torch.long)

    def prepare_input(self, x: Tensor) -> Tensor:
        if self.input_kind != "image":
            return x
        img = x.reshape(-1, 1, 8, 8)
        if self.image_size != 8:
            img = F.interpolate(img, size=(self.image_size, self.image_size), mode="bilinear", align_corners=False)
        return img
