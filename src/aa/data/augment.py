"""The lecture's data augmentation for images (flips, rotation, crops, colour, noise), batched on the device.

Each sample draws its own parameters (a torchvision v2 transform called on a batch would give every
image the same ones). The data modules apply the composition to training batches only, as the
lecture requires; validation and test images are never touched."""
from __future__ import annotations

import math
from typing import Any, Callable

import torch
from torch import Tensor
from torch.nn import functional as F

from aa.base.errors import ConfigError


def _uniform(n: int, low: float, high: float, like: Tensor) -> Tensor:
    return torch.rand(n, device=like.device, dtype=like.dtype) * (high - low) + low


def _warp(x: Tensor, theta: Tensor) -> Tensor:
    """Resample each image through its own 2x3 affine map (normalised coordinates), zeros outside."""
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


class Augment:
    """Transforms float images (B, C, H, W) in [0, 1]; each sample is transformed with probability p."""

    def __init__(self, p: float = 1.0) -> None:
        self.p = p

    def __call__(self, x: Tensor) -> Tensor:
        if x.dim() != 4 or not x.is_floating_point():
            raise ConfigError("augmentation", type(self).__name__.lower(), "transforms images, but this model "
                              f"reads inputs of shape {tuple(x.shape[1:])}", "augmentation=none, or a model "
                              "that reads images")
        chosen = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < self.p
        return torch.where(chosen, self.apply(x), x)

    def apply(self, x: Tensor) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v}' for k, v in vars(self).items())})"


class Flip(Augment):
    """Horizontal mirror image."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p)

    def apply(self, x: Tensor) -> Tensor:
        return x.flip(-1)


class Rotate(Augment):
    """Rotation about the centre by an angle drawn from [-degrees, degrees]; corners fill with zeros."""

    def __init__(self, degrees: float = 15.0, p: float = 1.0) -> None:
        super().__init__(p)
        self.degrees = degrees

    def apply(self, x: Tensor) -> Tensor:
        a = _uniform(len(x), -1, 1, x) * math.radians(self.degrees)
        cos, sin, zero = a.cos(), a.sin(), torch.zeros_like(a)
        theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
        return _warp(x, theta)


class Crop(Augment):
    """A random crop resized back: area fraction drawn from [scale, 1], then a shift of up to ``padding``
    whole pixels with zeros filling in (padding=4, scale=1 is the CIFAR pad-and-crop)."""

    def __init__(self, padding: int = 4, scale: float = 1.0, p: float = 1.0) -> None:
        super().__init__(p)
        self.padding, self.scale = padding, scale

    def apply(self, x: Tensor) -> Tensor:
        n, (h, w) = len(x), x.shape[-2:]
        side = _uniform(n, self.scale, 1, x).sqrt()
        shifts = []
        for size in (w, h):
            pixels = torch.randint(-self.padding, self.padding + 1, (n,), device=x.device).to(x.dtype)
            shifts.append((1 - side) * _uniform(n, -1, 1, x) + pixels * 2 / size)
        zero = torch.zeros_like(side)
        theta = torch.stack([torch.stack([side, zero, shifts[0]], 1), torch.stack([zero, side, shifts[1]], 1)], 1)
        return _warp(x, theta)


class Color(Augment):
    """Brightness, contrast and (colour images) saturation, each scaled by a factor from [1-a, 1+a]."""

    def __init__(self, brightness: float = 0.2, contrast: float = 0.2, saturation: float = 0.2, p: float = 1.0) -> None:
        super().__init__(p)
        self.brightness, self.contrast, self.saturation = brightness, contrast, saturation

    def _factor(self, x: Tensor, amount: float) -> Tensor:
        return _uniform(len(x), 1 - amount, 1 + amount, x).view(-1, 1, 1, 1)

    def apply(self, x: Tensor) -> Tensor:
        x = x * self._factor(x, self.brightness)
        grey = _grey(x)
        mean = grey.mean(dim=(1, 2, 3), keepdim=True)
        x = (x - mean) * self._factor(x, self.contrast) + mean
        if x.shape[1] == 3:
            grey = _grey(x)
            x = grey + (x - grey) * self._factor(x, self.saturation)
        return x.clamp(0, 1)


def _grey(x: Tensor) -> Tensor:
    """ITU-R 601 luma, the grey level torchvision's colour transforms use."""
    if x.shape[1] != 3:
        return x.mean(1, keepdim=True)
    w = torch.tensor([0.299, 0.587, 0.114], device=x.device, dtype=x.dtype).view(1, 3, 1, 1)
    return (x * w).sum(1, keepdim=True)


class Noise(Augment):
    """Gaussian noise on every pixel, kept within [0, 1]."""

    def __init__(self, std: float = 0.05, p: float = 1.0) -> None:
        super().__init__(p)
        self.std = std

    def apply(self, x: Tensor) -> Tensor:
        return (x + torch.randn_like(x) * self.std).clamp(0, 1)


class Compose:
    """The chosen augmentations, applied in the order they were listed."""

    def __init__(self, steps: list[Callable[[Tensor], Tensor]]) -> None:
        self.steps = steps

    def __call__(self, x: Tensor) -> Tensor:
        for step in self.steps:
            x = step(x)
        return x

    def __repr__(self) -> str:
        return f"Compose({self.steps})"


def build_augmentation(node: Any) -> Compose:
    """One callable from the augmentation group's nodes (image options here, text ones in text_augment)."""
    from hydra.utils import instantiate

    return Compose([instantiate(child) for child in node.values()])
