"""Normalization layers chosen by the ``normalization`` group, for vectors (dims=1) or images (dims=2).

PyTorch normalizes with the biased variance (1/M); the slides write 1/(M-1). The difference is a
factor M/(M-1) inside the square root, negligible for the batch sizes used, and the biased form is
what every library and pretrained model uses, so we keep PyTorch's.
"""
from __future__ import annotations

from torch import nn


def NoNorm(num_features: int, dims: int = 1, eps: float = 1e-5) -> nn.Module:
    return nn.Identity()


def BatchNorm(num_features: int, dims: int = 1, eps: float = 1e-5) -> nn.Module:
    """Per-feature statistics over the mini-batch, learned gamma and beta; running stats in eval."""
    return (nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d)(num_features, eps=eps)


def LayerNorm(num_features: int, dims: int = 1, eps: float = 1e-5) -> nn.Module:
    """Statistics over the M_k outputs of one sample (over channels for images, via GroupNorm(1))."""
    return nn.LayerNorm(num_features, eps=eps) if dims == 1 else nn.GroupNorm(1, num_features, eps=eps)
