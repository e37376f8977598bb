"""Embedded handwriting recognition: lines of 3-8 handwritten digits (scikit-learn's 8x8 digits) side by
side, with random gaps and vertical jitter, each labelled with its digit string only (no positions).

The digit images are split into train/val/test pools first (seeded), and each split's lines are built
from its own pool: a test line shows only digit images never seen in training."""
from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from aa.data.tensor_data import TensorDataModule

ALPHABET = "0123456789"


def compose_lines(images: Tensor, labels: Tensor, n: int, min_digits: int, max_digits: int, max_gap: int,
                  jitter: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """``n`` lines (n, 1, 8 + 2 * jitter, width) and their targets (n, max_digits), label = digit + 1, 0 pads."""
    height = 8 + 2 * jitter
    width = max_digits * (8 + max_gap) + max_gap
    x = torch.zeros(n, 1, height, width)
    y = torch.zeros(n, max_digits, dtype=torch.long)
    counts = torch.randint(min_digits, max_digits + 1, (n,), generator=generator)
    for i in range(n):
        k = int(counts[i])
        pick = torch.randint(len(images), (k,), generator=generator)
        col = int(torch.randint(max_gap + 1, (1,), generator=generator))
        for j, p in enumerate(pick.tolist()):
            top = int(torch.randint(2 * jitter + 1, (1,), generator=generator))
            x[i, 0, top:top + 8, col:col + 8] = torch.maximum(x[i, 0, top:top + 8, col:col + 8], images[p])
            col += 8 + int(torch.randint(max_gap + 1, (1,), generator=generator))
        y[i, :k] = labels[pick] + 1
    return x, y


class DigitStringsData(TensorDataModule):
    task = "recognition"
    kinds = ("line",)
    alphabet = ALPHABET

    def __init__(self, n_train: int = 4000, n_val: int = 500, n_test: int = 1000, min_digits: int = 3,
                 max_digits: int = 8, max_gap: int = 3, jitter: int = 2, val_fraction: float = 0.15,
                 test_fraction: float = 0.2, **kwargs: Any) -> None:
        super().__init__(val_fraction=val_fraction, test_fraction=test_fraction, **kwargs)
        self.sizes = {"train": n_train, "val": n_val, "test": n_test}
        self.min_digits, self.max_digits, self.max_gap, self.jitter = min_digits, max_digits, max_gap, jitter

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        from sklearn.datasets import load_digits

        d = load_digits()
        images = torch.tensor(d.images, dtype=torch.float32) / 16.0
        labels = torch.tensor(d.target, dtype=torch.long)
        g = torch.Generator().manual_seed(self.seed)
        order = torch.randperm(len(labels), generator=g)
        n_test, n_val = round(len(order) * self.test_fraction), round(len(order) * self.val_fraction)
        pools = {"test": order[:n_test], "val": order[n_test:n_test + n_val], "train": order[n_test + n_val:]}
        for split, idx in pools.items():
            x, y = compose_lines(images[idx], labels[idx], self.sizes[split], self.min_digits, self.max_digits,
                                 self.max_gap, self.jitter, g)
            setattr(self, f"x_{split}", x)
            setattr(self, f"y_{split}", y)
            self.ledger.used(split, len(y), digits=int((y > 0).sum()))
        share = {s: f"{len(i)} of the 1797 digit images" for s, i in pools.items()}
        self.split_sources = {
            "train": f"{self.sizes['train']} lines drawn from {share['train']}",
            "val": f"{self.sizes['val']} lines drawn from {share['val']}",
            "test": f"{self.sizes['test']} lines drawn from {share['test']} (seed {self.seed}), held out: "
                    "no digit image of a test line is in training; never used to choose the checkpoint"}
        self._loaded = True

    @property
    def num_outputs(self) -> int:
        return len(self.alphabet) + 1
