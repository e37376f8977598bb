"""The TensorFlow Playground's 2-D classification sets, generated from the seed.

Shapes follow the Playground's generators (radius 5): ``circle`` (inner disc vs outer ring),
``xor`` (sign of x*y), ``gauss`` (two Gaussian blobs) and ``spiral`` (two interleaved spirals).
``noise`` in [0, 1] plays the Playground's noise slider (0-50 %) divided by 50.
"""
from __future__ import annotations

import math

import torch
from torch import Tensor

from aa.data.tensor_data import TensorDataModule

RADIUS = 5.0


def _uniform(g: torch.Generator, n: int, lo: float, hi: float) -> Tensor:
    return lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)


def circle(n: int, noise: float, g: torch.Generator) -> tuple[Tensor, Tensor]:
    half = n // 2
    r = torch.cat([_uniform(g, half, 0, 0.5 * RADIUS), _uniform(g, n - half, 0.7 * RADIUS, RADIUS)])
    a = _uniform(g, n, 0, 2 * math.pi)
    pts = torch.stack([r * torch.sin(a), r * torch.cos(a)], 1)
    pts += _uniform(g, 2 * n, -RADIUS, RADIUS).reshape(n, 2) * noise * 0.5
    label = (torch.arange(n) < half).long()
    return pts, label


def xor(n: int, noise: float, g: torch.Generator) -> tuple[Tensor, Tensor]:
    pts = _uniform(g, 2 * n, -RADIUS, RADIUS).reshape(n, 2)
    pts += torch.sign(pts) * 0.3
    label = (pts[:, 0] * pts[:, 1] > 0).long()
    pts += _uniform(g, 2 * n, -RADIUS, RADIUS).reshape(n, 2) * noise * 0.5
    return pts, label


def gauss(n: int, noise: float, g: torch.Generator) -> tuple[Tensor, Tensor]:
    half = n // 2
    std = math.sqrt(0.5 + 3.5 * noise)
    centers = torch.tensor([[2.0, 2.0]] * half + [[-2.0, -2.0]] * (n - half), dtype=torch.float64)
    pts = centers + std * torch.randn(n, 2, generator=g, dtype=torch.float64)
    return pts, (torch.arange(n) < half).long()


def spiral(n: int, noise: float, g: torch.Generator) -> tuple[Tensor, Tensor]:
    half = n // 2
    pts, labels = [], []
    for label, delta, count in ((1, 0.0, half), (0, math.pi, n - half)):
        i = torch.arange(count, dtype=torch.float64)
        r = i / count * RADIUS
        t = 1.75 * i / count * 2 * math.pi + delta
        p = torch.stack([r * torch.sin(t), r * torch.cos(t)], 1)
        p += _uniform(g, 2 * count, -1, 1).reshape(count, 2) * noise
        pts.append(p)
        labels.append(torch.full((count,), label))
    return torch.cat(pts), torch.cat(labels)


GENERATORS = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral}


class PlaygroundData(TensorDataModule):
    def __init__(self, name: str = "spiral", n_samples: int = 600, noise: float = 0.1,
                 val_fraction: float = 0.2, **kwargs) -> None:
        super().__init__(val_fraction=val_fraction, **kwargs)
        self.name, self.n_samples, self.noise = name, n_samples, noise

    def load(self) -> tuple[Tensor, Tensor]:
        g = torch.Generator().manual_seed(self.seed)
        pts, labels = GENERATORS[self.name](self.n_samples, self.noise, g)
        self.class_names = ["orange", "blue"]
        return pts.float(), labels.long()
