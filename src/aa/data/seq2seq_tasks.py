"""Sequence-to-sequence data: pairs of token strings, generated from the seed (reverse, sort, addition,
dates) or read from a file (``aa.data.text_pairs``).

A batch is (x, y): source ids (N, S) and target ids (N, T), both right-padded with id 0; every target
ends with the end token ``</s>``. Vocabularies come from the training split only, so ids 0-3 are always
padding, unknown, ``<s>`` (the decoder's first input) and ``</s>``.
"""
from __future__ import annotations

import datetime
import random
from typing import Sequence

import torch
from torch import Tensor

from aa.data.splits import seeded_split_sources
from aa.data.tensor_data import TensorDataModule
from aa.data.tokenize import Vocabulary, characters, words

BOS, EOS = "<s>", "</s>"
BOS_ID, EOS_ID = 2, 3
Pairs = list[tuple[str, str]]


def vocabulary(token_lists: Sequence[list[str]], min_freq: int = 1) -> Vocabulary:
    """Padding, unknown, start and end first, then the training tokens by frequency."""
    built = Vocabulary.build(token_lists, min_freq)
    return Vocabulary([BOS, EOS, *built.itos[2:]])


class PairData(TensorDataModule):
    """Splits the pairs with the seed, builds both vocabularies from the training split, encodes."""

    task = "seq2seq"
    kinds = ("tokens",)

    def __init__(self, level: str = "char", min_freq: int = 1, val_fraction: float = 0.1,
                 test_fraction: float = 0.1, **kwargs) -> None:
        kwargs["standardize"] = False
        super().__init__(val_fraction=val_fraction, test_fraction=test_fraction, **kwargs)
        self.level, self.min_freq = level, min_freq
        self.src_vocab: Vocabulary | None = None
        self.tgt_vocab: Vocabulary | None = None

    def pairs(self) -> Pairs:  # pragma: no cover - abstract
        """(source, target) strings."""
        raise NotImplementedError

    def test_pairs(self) -> Pairs:
        """An official test split, when the source has one."""
        return []

    def tokens(self, text: str) -> list[str]:
        return characters(text) if self.level == "char" else words(text)

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        pairs, test = self.pairs(), self.test_pairs()
        self.test_pairs_given = bool(test)
        order = torch.randperm(len(pairs), generator=torch.Generator().manual_seed(self.seed)).tolist()
        n_val = round(len(pairs) * self.val_fraction)
        n_test = 0 if test else round(len(pairs) * self.test_fraction)
        test = test or [pairs[i] for i in order[:n_test]]
        val = [pairs[i] for i in order[n_test:n_test + n_val]]
        train = [pairs[i] for i in order[n_test + n_val:]]
        src = [self.tokens(s) for s, _ in train]
        tgt = [self.tokens(t) for _, t in train]
        self.src_vocab, self.tgt_vocab = vocabulary(src, self.min_freq), vocabulary(tgt, self.min_freq)
        self.x_train, self.y_train = self.encode(train)
        self.x_val, self.y_val = self.encode(val)
        self.x_test, self.y_test = self.encode(test)
        self.class_names = self.tgt_vocab.itos
        for split, part in (("train", train), ("val", val), ("test", test)):
            self.ledger.used(split, len(part))
            for side, vocab, index in (("source", self.src_vocab, 0), ("target", self.tgt_vocab, 1)):
                self.ledger.change(split, "unknown", vocab.unknown([self.tokens(p[index]) for p in part]),
                                   f"{side} tokens mapped to <unk> (not in the training vocabulary)")
        self.split_sources = ({"train": f"{1 - self.val_fraction:.0%} of the pairs", "val": f"{self.val_fraction:.0%} "
                               f"of the pairs (seed {self.seed})", "test": "dataset.test_path"} if self.test_pairs_given
                              else seeded_split_sources(self.val_fraction, self.test_fraction, self.seed, "the pairs"))
        self._loaded = True

    def encode(self, pairs: Pairs) -> tuple[Tensor, Tensor]:
        big = 1 << 30
        x = self.src_vocab.encode([self.tokens(s) for s, _ in pairs], big)
        y = self.tgt_vocab.encode([self.tokens(t) + [EOS] for _, t in pairs], big)
        return x, y

    def input_transform(self) -> None:
        return None

    @property
    def input_shape(self) -> tuple[int, ...]:
        self.setup()
        return (self.x_train.shape[1], len(self.src_vocab))

    @property
    def num_outputs(self) -> int:
        self.setup()
        return len(self.tgt_vocab)

    def source_of(self, fields: list[str]) -> str:
        """The source sentence among a line's tab-separated fields (the first)."""
        return fields[0]

    def _sources(self, path: str) -> list[tuple[int, list[str]]]:
        from aa.config.files import require_file

        require_file("input", path, "a text file with one source per line (or a TSV: the source column)")
        with open(path, encoding="utf-8") as f:
            return [(i, self.tokens(self.source_of(line.rstrip("\n\r").split("\t"))))
                    for i, line in enumerate(f, start=1) if line.strip()]

    def read_inputs(self, path: str) -> tuple[list[str], Tensor]:
        """Sources to translate (aa-predict): one per non-empty line; names are the line numbers."""
        self.setup()
        rows = self._sources(path)
        return [str(i) for i, _ in rows], self.src_vocab.encode([t for _, t in rows], 1 << 30)

    def input_flags(self, path: str) -> list[str]:
        """Per source: the tokens the training vocabulary lacks (they are read as <unk>)."""
        self.setup()
        out = []
        for _, tokens in self._sources(path):
            unknown = [t for t in tokens if t not in self.src_vocab.stoi]
            shown = ", ".join(repr(t) for t in list(dict.fromkeys(unknown))[:8])
            out.append(f"{len(unknown)} unknown source token(s): {shown}" if unknown else "")
        return out

    def decode_source(self, ids: Tensor) -> str:
        return self.src_vocab.decode(ids, sep="" if self.level == "char" else " ")

    def decode_target(self, ids: Tensor) -> str:
        """Target or prediction ids up to the end token."""
        ids = ids.tolist()
        ids = ids[: ids.index(EOS_ID)] if EOS_ID in ids else ids
        return self.tgt_vocab.decode(torch.tensor(ids, dtype=torch.long), sep="" if self.level == "char" else " ")


class Synthetic(PairData):
    """Pairs drawn from the seed; ``n_samples`` distinct sources where the task has that many."""

    def __init__(self, n_samples: int = 10000, **kwargs) -> None:
        super().__init__(**kwargs)
        self.n_samples = n_samples

    def _rng(self) -> random.Random:
        return random.Random(self.seed)

    def pairs(self) -> Pairs:
        rng, seen, out = self._rng(), set(), []
        for _ in range(self.n_samples * 20):
            pair = self.draw(rng)
            if pair[0] not in seen:
                seen.add(pair[0])
                out.append(pair)
                if len(out) == self.n_samples:
                    break
        return out

    def draw(self, rng: random.Random) -> tuple[str, str]:  # pragma: no cover - abstract
        raise NotImplementedError


class ReverseData(Synthetic):
    """A random string of ``min_length``..``length`` letters from an ``alphabet``; the target reverses it."""

    def __init__(self, length: int = 8, min_length: int | None = None, alphabet: int = 10, **kwargs) -> None:
        super().__init__(**kwargs)
        self.length, self.min_length, self.alphabet = length, min_length or length, alphabet

    def letters(self, rng: random.Random) -> list[str]:
        n = rng.randint(self.min_length, self.length)
        return [chr(ord("a") + rng.randrange(self.alphabet)) for _ in range(n)]

    def draw(self, rng):
        s = self.letters(rng)
        return "".join(s), "".join(reversed(s))


class SortData(ReverseData):
    """The target holds the source's letters in alphabetical order."""

    def draw(self, rng):
        s = self.letters(rng)
        return "".join(s), "".join(sorted(s))


class AdditionData(Synthetic):
    """"123+45" -> "168": operands of 1..``digits`` digits (the Keras addition_rnn example);
    ``reverse_input`` reverses the source string, as that example does."""

    def __init__(self, digits: int = 3, reverse_input: bool = False, n_samples: int = 50000, **kwargs) -> None:
        super().__init__(n_samples=n_samples, **kwargs)
        self.digits, self.reverse_input = digits, reverse_input

    def draw(self, rng):
        a, b = (int("".join(rng.choice("0123456789") for _ in range(rng.randint(1, self.digits))))
                for _ in range(2))
        src = f"{a}+{b}"
        return (src[::-1] if self.reverse_input else src), str(a + b)


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FORMATS = ["{d} {B} {Y}", "{B} {d}, {Y}", "{dd}/{mm}/{Y}", "{d} {b} {Y}", "{b} {dd} {Y}",
           "{A}, {B} {d}, {Y}", "{dd}.{mm}.{Y}", "{d} {b} {y}", "{a} {d} {b} {Y}", "{Y}/{mm}/{dd}"]


class DatesData(Synthetic):
    """A date between 1950 and 2049 written in one of several human formats -> ISO 8601 (YYYY-MM-DD)."""

    def draw(self, rng):
        day = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(36524))
        fields = {"d": day.day, "dd": f"{day.day:02d}", "mm": f"{day.month:02d}", "Y": day.year,
                  "y": f"{day.year % 100:02d}", "B": MONTHS[day.month - 1], "b": MONTHS[day.month - 1][:3],
                  "A": DAYS[day.weekday()], "a": DAYS[day.weekday()][:3]}
        text = rng.choice(FORMATS).format(**fields)
        text = rng.choice([str.lower, str.upper, str])(text)
        return text, day.isoformat()
