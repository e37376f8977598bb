"""Text classification data: labelled texts become right-padded token ids held as tensors.

``TextData`` splits the records, builds the vocabulary from the training split only and encodes
every split; ``TextCSVData`` reads any CSV/TSV with a label column and one or more text columns.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from typing import Sequence

import torch
from torch import Tensor

from aa.base.errors import ConfigError
from aa.data.splits import seeded_split_sources, stratified_holdout
from aa.data.tensor_data import TensorDataModule
from aa.data.tokenize import Vocabulary, tokenizer


@dataclass
class Records:
    """Texts with class indices; ``test`` is an official test split when the source has one."""

    texts: list[str]
    labels: list[int]
    class_names: list[str]
    test_texts: list[str] = field(default_factory=list)
    test_labels: list[int] = field(default_factory=list)


class TextData(TensorDataModule):
    """Token-id sequences (N, L), padding id 0 on the right; input_shape is (L, vocabulary size)."""

    kinds = ("tokens",)

    def __init__(self, level: str = "word", ngrams: int = 1, min_freq: int = 1,
                 max_vocab: int | None = None, max_length: int = 256, **kwargs) -> None:
        kwargs["standardize"] = False
        super().__init__(**kwargs)
        self.level, self.ngrams, self.min_freq = level, ngrams, min_freq
        self.max_vocab, self.max_length = max_vocab, max_length
        self.vocab: Vocabulary | None = None
        self.test_texts: list[str] = []

    def read(self) -> Records:  # pragma: no cover - abstract
        raise NotImplementedError

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        rec = self.read()
        self.class_names = rec.class_names
        n = len(rec.labels)
        order = torch.randperm(n, generator=torch.Generator().manual_seed(self.seed)).tolist()
        n_val = round(n * self.val_fraction)
        if rec.test_texts:
            test_texts, test_labels = rec.test_texts, rec.test_labels
            val, train = order[:n_val], order[n_val:]
        else:  # held out per class, as tables and image folders are: every class in the test split
            test, rest = stratified_holdout(list(rec.labels), self.test_fraction, self.seed)
            rest = [rest[i] for i in torch.randperm(len(rest), generator=torch.Generator().manual_seed(self.seed)).tolist()]
            val, train = rest[:n_val], rest[n_val:]
            test_texts, test_labels = [rec.texts[i] for i in test], [rec.labels[i] for i in test]
        tok = tokenizer(self.level, self.ngrams)
        train_tokens = [tok(rec.texts[i]) for i in train]
        self.vocab = Vocabulary.build(train_tokens, self.min_freq, self.max_vocab)
        self.x_train = self.vocab.encode(train_tokens, self.max_length)
        self.x_val = self.vocab.encode([tok(rec.texts[i]) for i in val], self.max_length)
        self.x_test = self.vocab.encode([tok(t) for t in test_texts], self.max_length)
        self.y_train = _labels([rec.labels[i] for i in train])
        self.y_val = _labels([rec.labels[i] for i in val])
        self.y_test = _labels(test_labels)
        self.test_texts = list(test_texts)
        self.ledger.unit = "texts"
        for split, tokens in (("train", train_tokens), ("val", [tok(rec.texts[i]) for i in val]),
                              ("test", [tok(t) for t in test_texts])):
            self.vocab.account(self.ledger, split, tokens, self.max_length, "texts")
        if rec.test_texts:
            self.split_sources = {"train": f"{1 - self.val_fraction:.0%} of the training file",
                                  "val": f"{self.val_fraction:.0%} of the training file (seed {self.seed})",
                                  "test": "the data set's own test split"}
        else:
            self.split_sources = seeded_split_sources(self.val_fraction, self.test_fraction, self.seed, "the texts")
            self.split_sources["test"] += ", stratified by class"
        self._loaded = True

    def input_transform(self) -> None:
        return None

    @property
    def input_shape(self) -> tuple[int, ...]:
        self.setup()
        return (self.x_train.shape[1], len(self.vocab))

    def model_args(self) -> dict:
        """The vocabulary (token id -> token), for models that start from pretrained word vectors."""
        self.setup()
        return {"vocabulary": list(self.vocab.itos)}

    def decode(self, ids: Tensor) -> str:
        """The tokens of one encoded row, for sample predictions."""
        return self.vocab.decode(ids, sep="" if self.level == "char" else " ")


def _labels(values: Sequence[int]) -> Tensor:
    return torch.tensor(list(values), dtype=torch.long)


def read_table(path: str, key: str, columns: Sequence[str] | None) -> list[dict[str, str]]:
    """Rows of a CSV (or TSV, by suffix) as dicts; ``columns`` names the fields of a headerless file."""
    if not os.path.isfile(path):
        raise ConfigError(key, path, "is not a file; give the path of a CSV/TSV with a label "
                          "column and text columns")
    delimiter = "\t" if path.endswith((".tsv", ".tab")) else ","
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, fieldnames=list(columns) if columns else None, delimiter=delimiter))


def class_index(values: Sequence[str]) -> list[str]:
    """Class names in numeric order when every label is an integer, else alphabetical."""
    unique = set(values)
    if all(v.lstrip("-").isdigit() for v in unique):
        return sorted(unique, key=int)
    return sorted(unique)


class TextCSVData(TextData):
    """Any CSV/TSV of labelled texts: ``label_column`` and ``text_columns`` (joined by a space)."""

    def __init__(self, path: str = "???", test_path: str | None = None, label_column: str = "label",
                 text_columns: Sequence[str] = ("text",), columns: Sequence[str] | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.path, self.test_path = os.path.expanduser(path), test_path and os.path.expanduser(test_path)
        self.label_column, self.text_columns, self.columns = label_column, list(text_columns), columns

    def _texts(self, rows: list[dict[str, str]]) -> tuple[list[str], list[str]]:
        for key, column in [("dataset.label_column", self.label_column),
                            *(("dataset.text_columns", c) for c in self.text_columns)]:
            if rows and column not in rows[0]:
                raise ConfigError(key, column, "is not a column of the file",
                                  ", ".join(k for k in rows[0] if k is not None))
        texts = [" ".join((r[c] or "") for c in self.text_columns) for r in rows]
        return texts, [r[self.label_column] for r in rows]

    def read(self) -> Records:
        texts, labels = self._texts(read_table(self.path, "dataset.path", self.columns))
        test_texts, test_labels = [], []
        if self.test_path:
            rows = read_table(self.test_path, "dataset.test_path", self.columns)
            test_texts, test_labels = self._texts(rows)
        names = class_index(labels)
        index = {c: i for i, c in enumerate(names)}
        unknown = sorted(set(test_labels) - set(index))
        if unknown:
            raise ConfigError("dataset.test_path", self.test_path,
                              f"has labels the training file lacks: {', '.join(unknown[:5])}")
        return Records(texts, [index[v] for v in labels], names,
                       test_texts, [index[v] for v in test_labels])
