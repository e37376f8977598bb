"""Text augmentation from the lecture: substitute, insert and delete words with probability p.

Each op is a callable on a training batch of token ids (N, L), right-padded with id 0, applied on
the device to training batches only. New words are drawn from the batch's own words, i.e. by their
frequency in the corpus (synonym replacement would need a thesaurus, which is not shipped).
"""
from __future__ import annotations

import torch
from torch import Tensor

from aa.base.errors import ConfigError
from aa.data.tokenize import PAD_ID


def _draw(x: Tensor, real: Tensor, shape: tuple[int, ...]) -> Tensor:
    pool = x[real]
    return pool[torch.randint(len(pool), shape, device=x.device)]


class TextAugment:
    def __init__(self, p: float = 0.1) -> None:
        self.p = p

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"

    def _words(self, x: Tensor) -> Tensor:
        """Where the words are; refuses float inputs (images, vectors), which have no words."""
        if x.is_floating_point():
            raise ConfigError("augmentation", type(self).__name__, "edits the words of texts, but this "
                              f"data set's inputs are float tensors of shape {tuple(x.shape[1:])}",
                              "augmentation=none, or a text data set (names, ag_news, text_csv)")
        return x != PAD_ID


class SubstituteWords(TextAugment):
    """Each word is replaced, with probability p, by a word drawn from the batch."""

    def __call__(self, x: Tensor) -> Tensor:
        real = self._words(x)
        swap = real & (torch.rand(x.shape, device=x.device) < self.p)
        return torch.where(swap, _draw(x, real, x.shape), x)


class InsertWords(TextAugment):
    """After each word, with probability p, a word drawn from the batch is inserted."""

    def __call__(self, x: Tensor) -> Tensor:
        real = self._words(x)
        insert = real & (torch.rand(x.shape, device=x.device) < self.p)
        shift = torch.cumsum(insert.long(), 1) - insert.long()
        pos = torch.arange(x.shape[1], device=x.device) + shift
        out = torch.zeros(x.shape[0], x.shape[1] + int(insert.sum(1).max()), dtype=x.dtype, device=x.device)
        out.scatter_(1, pos, x)
        rows, cols = insert.nonzero(as_tuple=True)
        out[rows, pos[rows, cols] + 1] = _draw(x, real, rows.shape)
        return out


class DeleteWords(TextAugment):
    """Each word is dropped with probability p; a text keeps at least its first word."""

    def __call__(self, x: Tensor) -> Tensor:
        real = self._words(x)
        keep = real & (torch.rand(x.shape, device=x.device) >= self.p)
        keep[:, 0] |= ~keep.any(1)
        pos = torch.cumsum(keep.long(), 1) - 1
        out = torch.zeros_like(x)
        rows, cols = keep.nonzero(as_tuple=True)
        out[rows, pos[rows, cols]] = x[rows, cols]
        return out
