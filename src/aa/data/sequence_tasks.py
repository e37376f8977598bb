"""Synthetic long-lag memory tasks, generated from the seed: adding, copy and parity.

Each sample is a float sequence (T, d); the answer depends on steps far back, so they separate a
simple recurrent net from LSTM/GRU (Hochreiter & Schmidhuber 1997).
"""
from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F

from aa.data.tensor_data import TensorDataModule


class SequenceTask(TensorDataModule):
    kinds = ("sequence",)

    def __init__(self, n_samples: int = 10000, length: int = 50, val_fraction: float = 0.1,
                 test_fraction: float = 0.1, **kwargs) -> None:
        kwargs["standardize"] = False
        super().__init__(val_fraction=val_fraction, test_fraction=test_fraction, **kwargs)
        self.n_samples, self.length = n_samples, length

    def input_transform(self) -> None:
        return None

    def _generator(self) -> torch.Generator:
        return torch.Generator().manual_seed(self.seed)


class AddingData(SequenceTask):
    """x_t = (value in U(0,1), marker); two markers, one in each half; target: the sum of the two
    marked values. Predicting the mean 1 always gives MSE = Var(U+U) = 1/6 ~ 0.167."""

    task = "regression"

    def load(self) -> tuple[Tensor, Tensor]:
        g, n, t = self._generator(), self.n_samples, self.length
        values = torch.rand(n, t, generator=g)
        first = torch.randint(0, t // 2, (n,), generator=g)
        second = torch.randint(t // 2, t, (n,), generator=g)
        markers = torch.zeros(n, t)
        markers[torch.arange(n), first] = 1.0
        markers[torch.arange(n), second] = 1.0
        return torch.stack([values, markers], dim=2), (values * markers).sum(1)


class CopyData(SequenceTask):
    """Copy memory (Arjovsky et al. 2016): `length` symbols, delay-1 blanks, a delimiter, then the net
    repeats the symbols; a label per step (blank until the recall). Inputs are one-hot."""

    def __init__(self, delay: int = 20, alphabet: int = 8, per_step: bool = True, length: int = 5,
                 **kwargs) -> None:
        super().__init__(length=length, **kwargs)
        self.delay, self.alphabet = delay, alphabet

    def load(self) -> tuple[Tensor, Tensor]:
        g, n, s, k = self._generator(), self.n_samples, self.length, self.alphabet
        symbols = torch.randint(1, k + 1, (n, s), generator=g)
        blanks = torch.zeros(n, self.delay - 1, dtype=torch.long)
        inputs = torch.cat([symbols, blanks, torch.full((n, 1), k + 1), torch.zeros(n, s, dtype=torch.long)], 1)
        targets = torch.cat([torch.zeros(n, s + self.delay, dtype=torch.long), symbols], 1)
        self.class_names = ["blank", *map(str, range(1, k + 1))]
        return F.one_hot(inputs, k + 2).float(), targets


class ParityData(SequenceTask):
    """Bits in, the parity of their count out: at the end (per_step=false) or after every step."""

    def __init__(self, per_step: bool = False, length: int = 10, **kwargs) -> None:
        super().__init__(length=length, **kwargs)
        self.per_step = per_step

    def load(self) -> tuple[Tensor, Tensor]:
        bits = torch.randint(0, 2, (self.n_samples, self.length), generator=self._generator())
        running = bits.cumsum(1) % 2
        self.class_names = ["even", "odd"]
        return bits.unsqueeze(2).float(), running if self.per_step else running[:, -1]
