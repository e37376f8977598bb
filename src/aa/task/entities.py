"""Entity-level scores of BIO tag sequences, as seqeval computes them (default mode, IOB2 here): an
entity is a maximal run B-T I-T ... I-T (an I-T that does not continue one starts its own); a predicted
entity counts as correct only if its type, start and end all match a true one. Precision, recall and F1
are micro-averaged over all entities."""
from __future__ import annotations

from typing import Sequence


def entities(tags: Sequence[str]) -> set[tuple[str, int, int]]:
    """(type, first, last) of every entity in one sentence's tags."""
    found: set[tuple[str, int, int]] = set()
    kind, start = None, 0
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, t = tag.partition("-")
        continues = prefix == "I" and t == kind
        if kind is not None and not continues:
            found.add((kind, start, i - 1))
            kind = None
        if prefix in ("B", "I") and not continues:
            kind, start = t, i
    return found


def counts(true: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> tuple[int, int, int]:
    """(correct, predicted, true) entity counts over sentences."""
    hit = n_pred = n_true = 0
    for t, p in zip(true, pred):
        a, b = entities(t), entities(p)
        hit, n_pred, n_true = hit + len(a & b), n_pred + len(b), n_true + len(a)
    return hit, n_pred, n_true


def scores(hit: int, n_pred: int, n_true: int) -> dict[str, float]:
    precision = hit / n_pred if n_pred else 0.0
    recall = hit / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
