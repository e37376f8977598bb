"""Pure-Python checks of a user's table (CSV/TSV), run while the config is validated, so a header-only file,
a missing value or a target of the wrong type is refused in a second instead of after torch loads."""
from __future__ import annotations

import csv
import math
import os

from aa.base.errors import ConfigError
from aa.config.files import delimiter

MISSING = ("", "na", "nan", "null", "none", "?")


def is_missing(value: str | None) -> bool:
    return value is None or value.strip().lower() in MISSING


def is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def missing_refusal(path: str, bad: list[tuple[int, str]]) -> ConfigError:
    """The paragraph for missing cells under dataset.missing=refuse: the first one's column and line, the count."""
    line, column = bad[0]
    return ConfigError("dataset.path", path, f"has a missing value in column {column!r} on line {line} "
                       f"({len(bad)} missing in all)", "fix the file, or dataset.missing=drop (drop those rows) or "
                       "dataset.missing=mean (fill with the training split's mean, or its most frequent category)")


def check_table(key: str, node: dict) -> None:
    """Data rows under the header; no missing cell unless told what to do with it; a numeric target for
    dataset.task=regression."""
    path, target = os.path.expanduser(node["path"]), node["target"]
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter=delimiter(path))
        rows = [(line, row) for line, row in enumerate(reader, start=2) if any((v or "").strip() for v in row.values())]
        header = [c for c in reader.fieldnames or [] if c is not None]
    if not rows:
        raise ConfigError(f"{key}.path", node["path"], "has a header row but no data rows; it needs one row per "
                          "sample under the header")
    columns = [*(node.get("features") or [c for c in header if c != target]), target]
    if node.get("missing", "refuse") == "refuse":
        bad = [(line, c) for line, row in rows for c in columns if is_missing(row.get(c))]
        if bad:
            raise missing_refusal(node["path"], bad)
    if node.get("task") == "regression":
        wrong = next(((line, row[target]) for line, row in rows
                      if not is_missing(row.get(target)) and not is_number(row[target])), None)
        if wrong:
            raise ConfigError(f"{key}.task", "regression", f"needs a numeric target, but column {target!r} holds "
                              f"{wrong[1]!r} on line {wrong[0]}", "classification, or fix the file")
