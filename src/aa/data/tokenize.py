"""The project's own small tokenisers and vocabulary (torchtext is discontinued).

Token id 0 is padding and 1 the unknown token, for every vocabulary: models find the true length
of a right-padded row as the count of non-zero ids, so no lengths tensor travels with the batch.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any, Callable, Iterable, Sequence

import torch
from torch import Tensor
from torch.nn.utils.rnn import pad_sequence

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1
_WORDS = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]", re.IGNORECASE)


def words(text: str) -> list[str]:
    """Lower-case words and punctuation marks, the way torchtext's basic_english split English."""
    return _WORDS.findall(text.replace("\\", " ").lower())


def characters(text: str) -> list[str]:
    """One token per character, after Unicode NFC so that accents count once."""
    return list(unicodedata.normalize("NFC", text.strip()))


def with_ngrams(tokens: list[str], n: int) -> list[str]:
    """The tokens followed by every run of 2..n consecutive tokens (the tutorial's bigrams)."""
    out = list(tokens)
    for k in range(2, n + 1):
        out += [" ".join(tokens[i:i + k]) for i in range(len(tokens) - k + 1)]
    return out


def tokenizer(level: str, ngrams: int = 1) -> Callable[[str], list[str]]:
    if level == "char":
        return characters
    if ngrams > 1:
        return lambda text: with_ngrams(words(text), ngrams)
    return words


class Vocabulary:
    """Token <-> id, built from the training split only; rarer tokens than min_freq become <unk>."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.itos = [PAD, UNK, *tokens]
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(cls, token_lists: Iterable[list[str]], min_freq: int = 1,
              max_size: int | None = None) -> "Vocabulary":
        counts = Counter(t for tokens in token_lists for t in tokens)
        ranked = sorted((t for t, c in counts.items() if c >= min_freq), key=lambda t: (-counts[t], t))
        return cls(ranked[:max_size] if max_size else ranked)

    def __len__(self) -> int:
        return len(self.itos)

    def ids(self, tokens: list[str]) -> list[int]:
        return [self.stoi.get(t, UNK_ID) for t in tokens]

    def unknown(self, token_lists: Iterable[list[str]]) -> int:
        """How many tokens these lists hold that the vocabulary maps to <unk>."""
        return sum(t not in self.stoi for tokens in token_lists for t in tokens)

    def account(self, ledger: Any, split: str, token_lists: Sequence[list[str]], max_length: int | None,
                what: str) -> None:
        """Write to the ledger how many of ``what`` lose tokens past ``max_length`` and how many tokens
        become <unk> (outside the training vocabulary, or cut by its size or min_freq)."""
        if max_length is not None:
            cut = sum(len(t) > max_length for t in token_lists)
            ledger.change(split, "truncated", cut, f"{what} cut to dataset.max_length={max_length} tokens")
        ledger.change(split, "unknown", self.unknown(token_lists),
                      "tokens mapped to <unk> (not in the training vocabulary, or under its min_freq/size)")

    def encode(self, token_lists: Sequence[list[str]], max_length: int) -> Tensor:
        """Right-padded (N, L) ids, L the longest row up to max_length; empty rows keep one <unk>."""
        rows = [torch.tensor(self.ids(t)[:max_length] or [UNK_ID], dtype=torch.long) for t in token_lists]
        if not rows:
            return torch.zeros(0, 1, dtype=torch.long)
        return pad_sequence(rows, batch_first=True, padding_value=PAD_ID)

    def decode(self, ids: Tensor, sep: str = " ") -> str:
        return sep.join(self.itos[i] for i in ids.tolist() if i != PAD_ID)
