"""Running text for Word2Vec: a plain-text file streamed line by line into one tensor of word ids.

The vocabulary comes from the training text (words seen at least ``min_count`` times, most frequent
first); rarer words are dropped from the stream, as gensim does. Each epoch frequent words are
sub-sampled (Mikolov et al.: word w is kept with probability (sqrt(f/t) + 1) t/f, f its share of the
text, t = ``sample``) and the kept stream is cut into runs of ``batch_size`` centre words; the model
builds each word's context window inside its sentence. Held-out sentences give the val loss (which
chooses the checkpoint) and, separately, the test loss (``test_fraction``, never seen before the test).
"""
from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any, Callable, Iterable, Iterator

import torch
from torch import Tensor

from aa.base.errors import ConfigError
from aa.data.contract import DataModule
from aa.data.splits import seeded_split_sources

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
MAX_SENTENCE = 10000  # gensim's LineSentence cuts longer lines (text8 is one line) into such pieces


def tokenize(line: str) -> list[str]:
    """Lower-case words without punctuation."""
    return WORD.findall(line.lower())


def read_lines(path: str, key: str = "dataset.path") -> Iterator[list[str]]:
    """The words of each line of a UTF-8 text file, streamed; very long lines come in pieces."""
    if not os.path.isfile(path):
        raise ConfigError(key, path, "is not a file; give the path of a plain-text corpus (one sentence "
                          "or document per line)")
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            words = tokenize(line)
            for i in range(0, len(words), MAX_SENTENCE):
                yield words[i:i + MAX_SENTENCE]


class Stream:
    """Word ids and the sentence each belongs to, as int32 tensors."""

    def __init__(self, tokens: Tensor, sentences: Tensor) -> None:
        self.tokens, self.sentences = tokens, sentences

    def __len__(self) -> int:
        return len(self.tokens)

    def to(self, device: torch.device | str) -> "Stream":
        return Stream(self.tokens.to(device), self.sentences.to(device))

    def runs(self, size: int) -> list[tuple[Tensor, Tensor]]:
        return [(self.tokens[i:i + size], self.sentences[i:i + size]) for i in range(0, len(self), size)]


class Epoch:
    """One epoch's updates: sub-sample the stream, then runs of ``batch_size`` centre words in order."""

    def __init__(self, dm: "CorpusData") -> None:
        self.dm = dm

    def __len__(self) -> int:
        return 1

    def __iter__(self) -> Iterator[list[tuple[Tensor, Tensor]]]:
        dm = self.dm
        stream = dm.train
        keep = torch.rand(len(stream), device=stream.tokens.device) < dm.keep_prob[stream.tokens.long()]
        yield Stream(stream.tokens[keep].long(), stream.sentences[keep].long()).runs(dm.batch_size)  # index dtype once an epoch


class Held:
    """Evaluation runs of the held-out sentences (a plain list would look like several loaders)."""

    def __init__(self, runs: list[tuple[Tensor, Tensor]]) -> None:
        self._runs = runs

    def __len__(self) -> int:
        return len(self._runs)

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        return iter(self._runs)


class CorpusData(DataModule):
    """Any plain-text file; sub-classes generate or locate their text by overriding ``sentences``.

    A language model (GPT, BERT) reads the same text as windows of running text: built for the "text"
    input kind, the data module is a ``CorpusWindows`` over this one (``aa.data.text_stream``)."""

    task = "embedding"
    kinds = ("words", "text")

    def __new__(cls, *args: Any, input_kind: str | None = None, **kwargs: Any) -> Any:
        if input_kind == "text":
            from aa.data.text_stream import CorpusWindows

            shared = {k: kwargs[k] for k in ("seed", "batch_mode", "chunk_updates") if k in kwargs}
            return CorpusWindows(cls(*args, **kwargs), input_kind=input_kind, **shared)
        return super().__new__(cls)

    def __init__(self, path: str = "???", min_count: int = 5, sample: float = 1e-3,
                 max_vocab: int | None = None, batch_size: int = 1024, val_fraction: float = 0.02,
                 test_fraction: float | None = None, seed: int = 0, **_: Any) -> None:
        super().__init__()
        self.path = os.path.expanduser(path)
        self.min_count, self.sample, self.max_vocab = min_count, sample, max_vocab
        self.batch_size, self.val_fraction, self.seed = batch_size, val_fraction, seed
        self.test_fraction = val_fraction if test_fraction is None else test_fraction
        self.word_classes: dict[str, str] = {}
        self._loaded = False

    def sentences(self) -> Iterable[list[str]]:
        """The corpus as lists of words, streamed (a second pass re-reads it)."""
        return read_lines(self.path)

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        held = self._held_out()
        counts: Counter = Counter()
        for i, words in enumerate(self.sentences()):
            if held(i) == "train":
                counts.update(words)
        if not counts:
            raise ConfigError("dataset.path", self.path, "holds no words; give a non-empty plain-text file")
        ranked = sorted((w for w, c in counts.items() if c >= self.min_count), key=lambda w: (-counts[w], w))
        if not ranked:
            raise ConfigError("dataset.min_count", self.min_count, "removes every word: the most frequent "
                              f"word occurs {max(counts.values())} times", f"a min_count <= {max(counts.values())}")
        self.itos = ranked[: self.max_vocab] if self.max_vocab else ranked
        self.stoi = {w: i for i, w in enumerate(self.itos)}
        self.counts = torch.tensor([counts[w] for w in self.itos], dtype=torch.float64)
        streams = {part: self._encode(lambda i, part=part: held(i) == part) for part in ("train", "val", "test")}
        self.train, self.held, self.test = (streams[part][0] for part in ("train", "val", "test"))
        self.ledger.unit = "tokens"
        self.split_sources = seeded_split_sources(self.val_fraction, self.test_fraction, self.seed, "the sentences")
        for part, (stream, dropped) in streams.items():
            self.ledger.used(part, len(stream.tokens))
            self.ledger.change(part, "dropped", dropped, "words outside the vocabulary left out of the "
                               f"stream (seen under dataset.min_count={self.min_count} times in training"
                               + (f", or past dataset.max_vocab={self.max_vocab}" if self.max_vocab else "") + ")")
        freq = self.counts / self.counts.sum()
        keep = ((freq / self.sample).sqrt() + 1) * self.sample / freq if self.sample > 0 else torch.ones_like(freq)
        self.keep_prob = keep.clamp(max=1).float()
        self._loaded = True

    def _held_out(self) -> Callable[[int], str]:
        """The split of sentence i from a seeded draw u: val under val_fraction, test in the next
        test_fraction, else train. Each held-out split gets at least one sentence (the lowest draws), so a
        small corpus still measures val and test on text never trained on; under three sentences it is
        refused."""
        n = sum(1 for _ in self.sentences())
        if n == 0:
            raise ConfigError("dataset.path", self.path, "holds no words; give a non-empty plain-text file")
        wanted = [f for f in (self.val_fraction, self.test_fraction) if f > 0]
        if n < len(wanted) + 1:
            raise ConfigError("dataset.path", self.path, f"holds {n} sentence(s) (lines, cut every "
                              f"{MAX_SENTENCE} words); the val and test splits need sentences of their own",
                              f"a text of {len(wanted) + 1} or more lines")
        u = torch.rand(n, generator=torch.Generator().manual_seed(self.seed))
        part = ["val" if x < self.val_fraction else "test" if x < self.val_fraction + self.test_fraction
                else "train" for x in u.tolist()]
        for name, fraction in (("val", self.val_fraction), ("test", self.test_fraction)):
            if fraction > 0 and name not in part:
                spare = [i for i in u.argsort().tolist() if part[i] == "train"]
                part[spare[0]] = name
        return part.__getitem__

    def _encode(self, wanted: Callable[[int], bool]) -> tuple[Stream, int]:
        """The word ids of the sentences ``wanted`` picks, and how many of their words were left out."""
        ids, sent, dropped = [], [], 0
        for i, words in enumerate(self.sentences()):
            if not wanted(i):
                continue
            row = [self.stoi[w] for w in words if w in self.stoi]
            dropped += len(words) - len(row)
            ids.extend(row)
            sent.extend([i] * len(row))
        return Stream(torch.tensor(ids, dtype=torch.int32), torch.tensor(sent, dtype=torch.int32)), dropped

    def training_sentences(self) -> Iterator[list[str]]:
        """The training text as word lists (for other tools, e.g. gensim in the benchmark)."""
        self.setup()
        held = self._held_out()
        for i, words in enumerate(self.sentences()):
            if held(i) == "train":
                yield words

    @property
    def input_shape(self) -> tuple[int, ...]:
        self.setup()
        return (len(self.itos),)

    @property
    def num_outputs(self) -> int:
        return self.input_shape[0]

    @property
    def x_val(self) -> Tensor:
        """Held-out word ids: what a model's forward takes (the model-graph callback traces it)."""
        return self.held.tokens

    def input_transform(self) -> None:
        return None

    def model_args(self) -> dict[str, Any]:
        return {"counts": self.counts}

    def to(self, device: torch.device | str) -> "CorpusData":
        self.setup()
        self.train, self.held, self.test = self.train.to(device), self.held.to(device), self.test.to(device)
        self.keep_prob = self.keep_prob.to(device)
        return self

    def train_dataloader(self) -> Epoch:
        return Epoch(self)

    def val_dataloader(self) -> Held:
        return Held(self.held.runs(self.batch_size * 4))

    def test_dataloader(self) -> Held:
        return Held(self.test.runs(self.batch_size * 4))
