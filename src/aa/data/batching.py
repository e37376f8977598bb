"""The lecture's batch modes as index plans: which samples each update of one epoch sees."""
from __future__ import annotations

import math

import torch
from torch import Tensor


class BatchMode:
    """Turns N training samples into the list of index tensors, one per optimiser update."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit

    def plan(self, n: int, generator: torch.Generator) -> list[Tensor]:
        idx = self._plan(n, generator)
        return idx[: self.limit] if self.limit else idx

    def updates_per_epoch(self, n: int) -> int:
        full = self._count(n)
        return min(full, self.limit) if self.limit else full

    def _plan(self, n: int, generator: torch.Generator) -> list[Tensor]:  # pragma: no cover
        raise NotImplementedError

    def _count(self, n: int) -> int:  # pragma: no cover
        raise NotImplementedError


class FullBatch(BatchMode):
    """"Batch" mode: one update per epoch from all N samples."""

    def _plan(self, n, generator):
        return [torch.arange(n)]

    def _count(self, n):
        return 1


class MiniBatch(BatchMode):
    """ceil(N/B) updates per epoch, each from B samples (the last may be smaller)."""

    def __init__(self, size: int = 32, shuffle: bool = True, limit: int | None = None) -> None:
        super().__init__(limit)
        self.size, self.shuffle = size, shuffle

    def _plan(self, n, generator):
        order = torch.randperm(n, generator=generator) if self.shuffle else torch.arange(n)
        return list(order.split(self.size))

    def _count(self, n):
        return math.ceil(n / self.size)


class Incremental(BatchMode):
    """N updates per epoch, each from one sample, in a new random order every epoch (the lecture's
    "random sample"), or with shuffle=False in the same stored order every epoch."""

    def __init__(self, shuffle: bool = True, limit: int | None = None) -> None:
        super().__init__(limit)
        self.shuffle = shuffle

    def _plan(self, n, generator):
        order = torch.randperm(n, generator=generator) if self.shuffle else torch.arange(n)
        return list(order.unsqueeze(1))

    def _count(self, n):
        return n


class Online(BatchMode):
    """Each sample once, in arrival order, one update per sample: the data as a stream."""

    def _plan(self, n, generator):
        return list(torch.arange(n).unsqueeze(1))

    def _count(self, n):
        return n
