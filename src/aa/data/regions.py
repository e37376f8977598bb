"""Generated 2-D sets for the lecture's decision regions (section 1), in the square [-1, 1]^2.

Each set needs one more kind of frontier than the last: ``half_plane`` (a line: a perceptron is
enough), ``ring`` (a convex blob inside a ring: a closed region, one hidden layer), ``two_blobs``
(one class in two disconnected blobs on a uniform background) and ``checkerboard`` (an XOR-like
board of ``cells`` x ``cells`` squares: non-convex regions). ``noise`` adds Gaussian jitter to the
points after labelling. ``random_labels`` replaces every label by a fair coin flip drawn from the
seed, in every split: nothing is left to generalise, so what a net reaches on the training split
is memorisation (the lecture's N-1 hidden units claim) and the test split stays at chance.
"""
from __future__ import annotations

import math

import torch
from torch import Tensor

from aa.data.tensor_data import TensorDataModule

Generator = torch.Generator


def _square(g: Generator, n: int) -> Tensor:
    return torch.rand(n, 2, generator=g, dtype=torch.float64) * 2 - 1


def _disc(g: Generator, n: int, center: tuple[float, float], r_in: float, r_out: float) -> Tensor:
    """Points uniform in area over the annulus r_in <= r <= r_out around ``center`` (r_in=0: a disc)."""
    r = torch.sqrt(r_in ** 2 + (r_out ** 2 - r_in ** 2) * torch.rand(n, generator=g, dtype=torch.float64))
    a = torch.rand(n, generator=g, dtype=torch.float64) * 2 * math.pi
    return torch.stack([center[0] + r * torch.cos(a), center[1] + r * torch.sin(a)], 1)


def half_plane(n: int, g: Generator, cells: int) -> tuple[Tensor, Tensor]:
    """Class 1 above the tilted line x1 = 0.5 x0 + 0.1."""
    x = _square(g, n)
    return x, (x[:, 1] > 0.5 * x[:, 0] + 0.1).long()


def ring(n: int, g: Generator, cells: int) -> tuple[Tensor, Tensor]:
    """Class 1: a disc of radius 0.35; class 0: the ring 0.6 < r < 0.95 around it (half the points each)."""
    half = n // 2
    x = torch.cat([_disc(g, half, (0, 0), 0, 0.35), _disc(g, n - half, (0, 0), 0.6, 0.95)])
    return x, (torch.arange(n) < half).long()


BLOBS = ((-0.5, -0.5), (0.5, 0.5))


def two_blobs(n: int, g: Generator, cells: int) -> tuple[Tensor, Tensor]:
    """Class 1: two discs of radius 0.3 around (-0.5, -0.5) and (0.5, 0.5); class 0: the rest of the
    square farther than 0.45 from both centres (drawn by rejection), half the points each."""
    half = n // 2
    ones = torch.cat([_disc(g, half // 2, BLOBS[0], 0, 0.3), _disc(g, half - half // 2, BLOBS[1], 0, 0.3)])
    zeros = torch.empty(0, 2, dtype=torch.float64)
    while len(zeros) < n - half:
        cand = _square(g, 2 * (n - half))
        far = torch.ones(len(cand), dtype=torch.bool)
        for c in BLOBS:
            far &= (cand - torch.tensor(c, dtype=torch.float64)).norm(dim=1) > 0.45
        zeros = torch.cat([zeros, cand[far]])
    return torch.cat([ones, zeros[: n - half]]), (torch.arange(n) < half).long()


def checkerboard(n: int, g: Generator, cells: int) -> tuple[Tensor, Tensor]:
    """Uniform points; the label is the colour of their square on a cells x cells board (2: XOR)."""
    x = _square(g, n)
    idx = ((x + 1) / 2 * cells).floor().clamp(0, cells - 1).long()
    return x, ((idx[:, 0] + idx[:, 1]) % 2).long()


GENERATORS = {"half_plane": half_plane, "ring": ring, "two_blobs": two_blobs, "checkerboard": checkerboard}


class RegionsData(TensorDataModule):
    def __init__(self, name: str = "two_blobs", n_samples: int = 1000, noise: float = 0.0, cells: int = 4,
                 random_labels: bool = False, val_fraction: float = 0.2, **kwargs) -> None:
        super().__init__(val_fraction=val_fraction, **kwargs)
        self.name, self.n_samples, self.noise, self.cells = name, n_samples, noise, cells
        self.random_labels = random_labels

    def load(self) -> tuple[Tensor, Tensor]:
        g = torch.Generator().manual_seed(self.seed)
        x, y = GENERATORS[self.name](self.n_samples, g, self.cells)
        if self.noise:
            x = x + self.noise * torch.randn(x.shape, generator=g, dtype=x.dtype)
        if self.random_labels:
            y = torch.randint(0, 2, y.shape, generator=g)
        self.class_names = ["0", "1"]
        return x.float(), y.long()
