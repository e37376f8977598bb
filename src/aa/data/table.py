"""A user's own table: a CSV/TSV with feature columns and one target column.

Numeric columns are used as they are, the others one-hot encoded (categories of the training split);
the inputs are standardised with training statistics by the model's input layer; splits are stratified
by class for classification. Missing values are refused with the column and line named, or dropped or
filled with the training mean (``missing=drop|mean``)."""
from __future__ import annotations

import csv
from typing import Any, Sequence

import torch
from torch import Tensor

from aa.base.errors import ConfigError
from aa.config.files import delimiter, require_file, shown
from aa.config.table_check import is_missing, is_number, missing_refusal
from aa.data.target_scale import StandardizedTargets
from aa.data.splits import seeded_split_sources
from aa.data.tensor_data import TensorDataModule
from aa.data.text_csv import class_index


class TableData(StandardizedTargets, TensorDataModule):
    kinds = ("vector",)

    def __init__(self, path: str = "???", target: str = "???", task: str = "auto",
                 features: Sequence[str] | None = None, categorical: Sequence[str] = (),
                 missing: str = "refuse", standardize_targets: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.standardize_targets = standardize_targets
        self.path, self.target, self.wanted_task = path, target, task
        self.features, self.categorical, self.missing = features, list(categorical), missing
        self.task = "classification"
        self.columns: list[str] = []
        self.encoding: list[tuple[str, Any]] = []  # (column, None for numeric or its categories)
        self.feature_names: list[str] = []
        self.fill: dict[str, Any] = {}

    # reading -----------------------------------------------------------------------------------
    def _rows(self, path: str, key: str) -> list[tuple[int, dict[str, str]]]:
        require_file(key, path, "a CSV/TSV table with a header row")
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f, delimiter=delimiter(path))
            self.columns = [c for c in (reader.fieldnames or [])]
            return [(i + 2, row) for i, row in enumerate(reader)]  # line numbers as an editor shows them

    def _feature_columns(self) -> list[str]:
        cols = list(self.features) if self.features else [c for c in self.columns if c != self.target]
        for c in cols:
            if c not in self.columns:
                raise ConfigError("dataset.features", c, f"is not a column of {shown(self.path)}",
                                  ", ".join(self.columns))
        return cols

    def _handle_missing(self, rows: list[tuple[int, dict[str, str]]], cols: list[str]) -> list:
        """Refuse (naming the first column and line), drop those rows, or (mean) keep rows whose target
        is present and fill their features from the training split later."""
        bad = [(line, c) for line, r in rows for c in [*cols, self.target] if is_missing(r.get(c))]
        if not bad:
            return rows
        if self.missing == "refuse":
            raise missing_refusal(self.path, bad)
        drop = {line for line, c in bad if self.missing == "drop" or c == self.target}
        why = "with an empty cell" if self.missing == "drop" else "with an empty target"
        self.ledger.change("file", "dropped", len(drop), f"rows {why} dropped before splitting "
                           f"(dataset.missing={self.missing})")
        return [(line, r) for line, r in rows if line not in drop]

    def load(self) -> tuple[Tensor, Tensor]:
        rows = self._rows(self.path, "dataset.path")
        if self.target not in self.columns:
            raise ConfigError("dataset.target", self.target, f"is not a column of {shown(self.path)}",
                              ", ".join(self.columns))
        cols = self._feature_columns()
        rows = self._handle_missing(rows, cols)
        if len(rows) < 10:
            raise ConfigError("dataset.path", self.path, f"has {len(rows)} complete rows; at least 10 are needed "
                              "to hold out validation and test rows")
        labels = [r[self.target].strip() for _, r in rows]
        self.task = self._task(labels)
        if self.wanted_task == "auto" and self.task == "regression":
            raise ConfigError("dataset.target", self.target, "holds numbers with many distinct values: a "
                              "regression target", "dataset=table_regression (squared error on the number), or "
                              "dataset.task=classification (each value a class)")
        if self.task == "classification":
            self.class_names = class_index(labels)
            index = {c: i for i, c in enumerate(self.class_names)}
            y = torch.tensor([index[v] for v in labels], dtype=torch.long)
        else:
            y = torch.tensor([float(v) for v in labels], dtype=torch.float32)
        self._rows_cache = [r for _, r in rows]
        self._cols = cols
        return torch.zeros(len(rows), 0), y  # features are encoded in setup, from the training split

    def _task(self, labels: list[str]) -> str:
        if self.wanted_task != "auto":
            if self.wanted_task == "regression" and not all(is_number(v) for v in labels):
                bad = next(v for v in labels if not is_number(v))
                raise ConfigError("dataset.task", "regression", f"needs a numeric target, but column "
                                  f"{self.target!r} holds {bad!r}", "classification")
            return self.wanted_task
        numeric = all(is_number(v) for v in labels)
        whole = numeric and all(float(v).is_integer() for v in labels)
        distinct = len(set(labels))
        return "regression" if numeric and not (whole and distinct <= max(20, len(labels) // 20)) else "classification"

    # splitting and encoding --------------------------------------------------------------------
    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        _, y = self.load()
        g = torch.Generator().manual_seed(self.seed)
        groups = [torch.nonzero(y == c).flatten() for c in range(len(self.class_names))] \
            if self.task == "classification" else [torch.arange(len(y))]
        parts: dict[str, list[Tensor]] = {"train": [], "val": [], "test": []}
        for idx in groups:  # stratified: each class split in the same proportions
            idx = idx[torch.randperm(len(idx), generator=g)]
            n_test, n_val = round(len(idx) * self.test_fraction), round(len(idx) * self.val_fraction)
            parts["test"].append(idx[:n_test])
            parts["val"].append(idx[n_test:n_test + n_val])
            parts["train"].append(idx[n_test + n_val:])
        split = {k: torch.cat(v) for k, v in parts.items()}
        train_rows = [self._rows_cache[i] for i in split["train"].tolist()]
        self._fit_encoding(train_rows)
        x = self.encode(self._rows_cache)
        for name, idx in split.items():
            setattr(self, f"x_{name}", x[idx])
            setattr(self, f"y_{name}", y[idx])
            cells = sum(is_missing(self._rows_cache[i].get(c)) for i in idx.tolist() for c, _ in self.encoding)
            self.ledger.change(name, "imputed", cells, "empty cells filled with the training mean (numbers) or "
                               "most frequent value (categories)")
        self._rows_cache = []
        self.ledger.unit = "rows"
        self.split_sources = seeded_split_sources(self.val_fraction, self.test_fraction, self.seed, "the rows")
        if self.task == "classification":
            self.split_sources = {k: f"{v}, stratified by class" for k, v in self.split_sources.items()}
        if self.task == "regression":
            self.standardize_target_splits()
        self._loaded = True

    def _fit_encoding(self, rows: list[dict[str, str]]) -> None:
        self.encoding, self.feature_names = [], []
        for c in self._cols:
            present = [r[c].strip() for r in rows if not is_missing(r.get(c))]
            numeric = c not in self.categorical and bool(present) and all(is_number(v) for v in present)
            if numeric:
                self.encoding.append((c, None))
                self.fill[c] = sum(float(v) for v in present) / len(present)
                self.feature_names.append(c)
            else:
                cats = sorted(set(present))
                self.encoding.append((c, cats))
                self.fill[c] = max(cats, key=present.count) if cats else ""
                self.feature_names += [f"{c}={v}" for v in cats]

    def encode(self, rows: list[dict[str, str]]) -> Tensor:
        """Feature rows as the model's input vectors (categories unseen in training: all zeros)."""
        out = []
        for r in rows:
            vec: list[float] = []
            for c, cats in self.encoding:
                v = r.get(c)
                v = self.fill[c] if is_missing(v) else v.strip()
                if cats is None:
                    vec.append(float(v))
                else:
                    vec += [1.0 if v == k else 0.0 for k in cats]
            out.append(vec)
        return torch.tensor(out, dtype=torch.float32)

    def read_inputs(self, path: str) -> tuple[list[str], Tensor]:
        """Rows to predict (the target column may be absent); names are the file's line numbers."""
        self.setup()
        rows = self._rows(path, "input")
        missing = [c for c, _ in self.encoding if c not in self.columns]
        if missing:
            raise ConfigError("input", path, f"lacks the feature column(s) {', '.join(missing)} the model was "
                              "trained on")
        return [str(line) for line, _ in rows], self.encode([r for _, r in rows])

    def input_flags(self, path: str) -> list[str]:
        """Per row of a file to predict: what the encoding could not take as it is (a category unseen in
        training is encoded as all zeros, a missing value gets the training fill), "" where nothing."""
        self.setup()
        flags = []
        for _, r in self._rows(path, "input"):
            notes = []
            for c, cats in self.encoding:
                v = r.get(c)
                if is_missing(v):
                    notes.append(f"missing {c} (filled with {self.fill[c]!r})")
                elif cats is not None and v.strip() not in cats:
                    notes.append(f"unseen category {c}={v.strip()!r}")
            flags.append("; ".join(notes))
        return flags
