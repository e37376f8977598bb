"""Running text for language models: token-id streams per split, served as windows of ``block_size``
tokens whose targets are the same windows shifted by one token (next-token prediction), or, for a masked
language model, the windows themselves.

Training windows start every ``stride`` tokens (views into one stream: no copy); val and test windows
do not overlap, so each held-out token is predicted once. Ids 0 and 1 are <pad> and <unk> (as in
``aa.data.tokenize``); 2 is <mask> (what a masked language model hides tokens behind)."""
from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any, Sequence

import torch
from torch import Tensor

from aa.base.errors import ConfigError
from aa.data.tensor_data import TensorDataModule

SPECIALS = ("<pad>", "<unk>", "<mask>")
UNK_ID, MASK_ID = 1, 2
_WORDS = re.compile(r"\w+|[^\w\s]")


def words(text: str) -> list[str]:
    """Words and punctuation marks, case kept."""
    return _WORDS.findall(text)


class TextWindows(TensorDataModule):
    """The shared part: ``streams()`` gives each split's tokens; this builds the vocabulary from the
    training split (rarer than ``min_freq``: <unk>) and the windows."""

    task = "language_model"
    kinds = ("text",)

    def __init__(self, block_size: int = 32, stride: int = 1, level: str = "word", min_freq: int = 1,
                 **kwargs: Any) -> None:
        kwargs["standardize"] = False
        super().__init__(**kwargs)
        self.block_size, self.stride, self.level, self.min_freq = block_size, stride, level, min_freq

    def streams(self) -> dict[str, list[str]]:  # pragma: no cover - abstract
        """Each split's tokens in reading order."""
        raise NotImplementedError

    @property
    def separator(self) -> str:
        return "" if self.level == "char" else " "

    def tokens(self, text: str) -> list[str]:
        return list(text) if self.level == "char" else words(text)

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        streams = self.streams()
        counts = Counter(streams["train"])
        ranked = sorted((t for t, c in counts.items() if c >= self.min_freq and t not in SPECIALS),
                        key=lambda t: (-counts[t], t))
        self.itos = [*SPECIALS, *ranked]
        self.stoi = {t: i for i, t in enumerate(self.itos)}
        self.ledger.unit = "windows"
        for split, tokens in streams.items():
            ids = torch.tensor(self.encode(tokens), dtype=torch.long)
            step = self.stride if split == "train" else self.block_size
            size = self.block_size + 1
            if len(ids) < size and split != "train" and len(ids) >= 2:
                size = len(ids)  # a short held-out split: one window of all of it
            if len(ids) < size:
                raise ConfigError("dataset.block_size", self.block_size, f"is longer than the {split} split "
                                  f"({len(ids)} tokens): no window of block_size + 1 tokens fits",
                                  f"a block_size under {max(1, len(ids) - 1)}, or more text")
            windows = ids.unfold(0, size, step)
            setattr(self, f"x_{split}", windows[:, :-1])
            setattr(self, f"y_{split}", windows[:, 1:])
            self.ledger.used(split, len(windows), tokens=len(ids))
            unknown = sum(1 for t in tokens if t not in self.stoi)
            self.ledger.change(split, "unknown", unknown, "tokens mapped to <unk> (not in the training text, or "
                               f"under dataset.min_freq={self.min_freq})")
        self._loaded = True

    def encode(self, tokens: Sequence[str]) -> list[int]:
        return [self.stoi.get(t, UNK_ID) for t in tokens]

    def decode(self, ids: Tensor | Sequence[int]) -> str:
        ids = ids.tolist() if isinstance(ids, Tensor) else ids
        return self.separator.join(self.itos[i] for i in ids if i >= len(SPECIALS) or i == UNK_ID)

    @property
    def num_outputs(self) -> int:
        self.setup()
        return len(self.itos)

    def model_args(self) -> dict[str, Any]:
        self.setup()
        return {"vocabulary": list(self.itos), "block_size": self.block_size}


class TextFileData(TextWindows):
    """A user's plain-text file, split in reading order: the first part trains, then ``val_fraction``
    validates and the last ``test_fraction`` tests (never used to choose the checkpoint)."""

    def __init__(self, path: str = "???", val_fraction: float = 0.1, test_fraction: float = 0.1,
                 **kwargs: Any) -> None:
        super().__init__(val_fraction=val_fraction, test_fraction=test_fraction, **kwargs)
        self.path = os.path.expanduser(path)

    def streams(self) -> dict[str, list[str]]:
        if not os.path.isfile(self.path):
            raise ConfigError("dataset.path", self.path, "is not a file; give a plain-text (UTF-8) file")
        with open(self.path, encoding="utf-8", errors="replace") as f:
            tokens = self.tokens(f.read())
        n = len(tokens)
        n_test, n_val = round(n * self.test_fraction), round(n * self.val_fraction)
        cut = n - n_test - n_val
        self.split_sources = {
            "train": f"the first {cut:,} tokens of {os.path.basename(self.path)}",
            "val": f"the next {n_val:,} tokens ({self.val_fraction:.0%})",
            "test": f"the last {n_test:,} tokens ({self.test_fraction:.0%}), held out: never used to choose the "
                    "checkpoint"}
        return {"train": tokens[:cut], "val": tokens[cut:cut + n_val], "test": tokens[cut + n_val:]}


class CorpusWindows(TextWindows):
    """A corpus data set (``corpus``, ``grammar``, ``lee``, ``text8``) read by a language model: the same
    sentences and the same seeded held-out sentences as Word2Vec's, each sentence followed by "." and the
    split's sentences joined into one stream. ``source`` is the corpus data module that knows the text."""

    def __init__(self, source: Any, block_size: int = 32, stride: int = 8, **kwargs: Any) -> None:
        super().__init__(block_size=block_size, stride=stride, min_freq=source.min_count,
                         val_fraction=source.val_fraction, test_fraction=source.test_fraction, **kwargs)
        self.source = source

    def streams(self) -> dict[str, list[str]]:
        from aa.data.splits import seeded_split_sources

        held = self.source._held_out()
        out: dict[str, list[str]] = {"train": [], "val": [], "test": []}
        for i, words in enumerate(self.source.sentences()):
            out[held(i)] += [*words, "."]
        self.split_sources = seeded_split_sources(self.val_fraction, self.test_fraction, self.seed, "the sentences")
        return out
