"""Target functions for the MLP as regressor (lecture section 1, universal approximation).

Inputs are uniform in [-1, 1]^d, generated from the seed; targets are f(x) plus Gaussian noise of
standard deviation ``noise`` on every split, so the best reachable test MSE is about noise^2.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor

from aa.data.tensor_data import TensorDataModule


def _sin(x: Tensor) -> Tensor:
    return torch.sin(3 * math.pi * x[:, 0])


def _step(x: Tensor) -> Tensor:
    return (x[:, 0] > 0).to(x.dtype)


def _abs(x: Tensor) -> Tensor:
    return x[:, 0].abs()


def _product(x: Tensor) -> Tensor:
    return x[:, 0] * x[:, 1]


def _ripple(x: Tensor) -> Tensor:
    return torch.sin(2 * math.pi * x.norm(dim=1))


def _bump(x: Tensor) -> Tensor:
    return torch.exp(-4 * x.pow(2).sum(dim=1))


FUNCTIONS: dict[str, tuple[int, Callable[[Tensor], Tensor]]] = {
    "sin": (1, _sin),          # sin(3 pi x): one and a half periods
    "step": (1, _step),        # 1 if x > 0 else 0: a jump no finite net reproduces exactly
    "abs": (1, _abs),          # |x|: two linear pieces, exact for two ReLU units
    "product": (2, _product),  # x1 x2: a saddle
    "ripple": (2, _ripple),    # sin(2 pi |x|): rings
    "bump": (2, _bump),        # exp(-4 |x|^2): one Gaussian bump
}


class FunctionData(TensorDataModule):
    """Samples (x, f(x) + noise) of one target function; ``target`` is f without noise, for figures."""

    task = "regression"

    def __init__(self, name: str = "sin", n_samples: int = 500, noise: float = 0.05,
                 val_fraction: float = 0.2, **kwargs) -> None:
        super().__init__(val_fraction=val_fraction, **kwargs)
        if name not in FUNCTIONS:
            raise ValueError(f"unknown function {name!r}; choose one of {', '.join(FUNCTIONS)}")
        self.name, self.n_samples, self.noise = name, n_samples, noise
        self.dims, self.target = FUNCTIONS[name]

    def load(self) -> tuple[Tensor, Tensor]:
        g = torch.Generator().manual_seed(self.seed)
        x = 2 * torch.rand(self.n_samples, self.dims, generator=g) - 1
        return x, self.target(x) + self.noise * torch.randn(self.n_samples, generator=g)
