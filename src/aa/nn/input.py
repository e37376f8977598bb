"""Input standardisation kept inside the model, so inference applies the training statistics."""
from __future__ import annotations

import torch
from torch import Tensor, nn


class Standardize(nn.Module):
    """x_hat = (x - mu) / sqrt(sigma^2 + eps), mu and sigma^2 per feature from the training split."""

    def __init__(self, mean: Tensor, var: Tensor, eps: float = 1e-5) -> None:
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.register_buffer("scale", torch.rsqrt(var + eps))

    @classmethod
    def fit(cls, x: Tensor, eps: float = 1e-5, dims: tuple[int, ...] = (0,)) -> "Standardize":
        """Features constant in the training split keep scale 1 instead of 1/sqrt(eps)."""
        var = x.var(dim=dims, unbiased=False, keepdim=True)[0]
        return cls(x.mean(dim=dims, keepdim=True)[0], torch.where(var > 0, var, torch.ones_like(var) - eps), eps)

    def forward(self, x: Tensor) -> Tensor:
        return (x - self.mean) * self.scale
