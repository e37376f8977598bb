"""2-D Gaussian mixtures where a GAN's mode collapse can be seen and counted (the set-up of VEEGAN and
PacGAN): ``ring``, 8 Gaussians of std 0.02 on a circle of radius 2; ``grid``, 25 Gaussians of std 0.05
at {-4, -2, 0, 2, 4}^2. Generated from the seed; the class of a point is its mode."""
from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from aa.data.tensor_data import TensorDataModule

SHAPES = {"ring": 0.02, "grid": 0.05}


def centers(name: str) -> Tensor:
    """The modes' means, (K, 2)."""
    if name == "ring":
        a = torch.arange(8, dtype=torch.float64) * 2 * math.pi / 8
        return 2.0 * torch.stack([torch.cos(a), torch.sin(a)], 1)
    g = torch.arange(-4.0, 5.0, 2.0, dtype=torch.float64)
    return torch.cartesian_prod(g, g)


class MixtureData(TensorDataModule):
    """Equal-weight modes; ``task`` is its own, so classification figures leave it alone."""

    task = "mixture"

    def __init__(self, name: str = "ring", n_samples: int = 10000, std: float | None = None,
                 standardize: bool = False, val_fraction: float = 0.2, **kwargs: Any) -> None:
        super().__init__(standardize=standardize, val_fraction=val_fraction, **kwargs)
        self.name, self.n_samples = name, n_samples
        self.std = SHAPES[name] if std is None else std
        self.centers = centers(name).float()

    def load(self) -> tuple[Tensor, Tensor]:
        g = torch.Generator().manual_seed(self.seed)
        mode = torch.randint(len(self.centers), (self.n_samples,), generator=g)
        x = self.centers[mode] + self.std * torch.randn(self.n_samples, 2, generator=g)
        self.class_names = [f"mode{k}" for k in range(len(self.centers))]
        return x, mode

    def model_args(self) -> dict[str, Any]:
        return {"bounded": False}

    @property
    def num_outputs(self) -> int:
        return len(self.centers)
