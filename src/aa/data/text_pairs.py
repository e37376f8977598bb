"""Sentence pairs from a tab-separated file: one pair per line, source TAB target (further columns, such
as the attribution column of the Tatoeba/Anki files used by the PyTorch translation tutorial, are
ignored). Vocabularies come from the training split only; unseen test tokens become <unk>, counted
per split in the run's data ledger."""
from __future__ import annotations

import os

from aa.base.errors import ConfigError
from aa.data.seq2seq_tasks import PairData, Pairs


def first_columns(path: str, key: str) -> list[tuple[str, str]]:
    """The first two tab-separated fields of every non-empty line, or a ConfigError naming ``key``."""
    if not os.path.isfile(path):
        raise ConfigError(key, path, "is not a file; give a TSV with a source and a target sentence per line")
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\n\r") for line in f if line.strip()]
    rows = [line.split("\t") for line in lines]
    bad = next((i for i, r in enumerate(rows) if len(r) < 2), None)
    if bad is not None or not rows:
        where = f"line {bad + 1} ({lines[bad][:60]!r}) has" if bad is not None else "the file has no lines, so"
        raise ConfigError(key, path, f"is not a two-column TSV: {where} no tab between a source and a target")
    return [(r[0], r[1]) for r in rows]


class TextPairsData(PairData):
    """``path`` (and optionally ``test_path``): source TAB target; ``reverse`` swaps the direction.

    Every pair is kept by default (``max_length: null``: sequences as long as the longest pair). A
    ``max_length`` that would leave out more than 1 % of a file's pairs is refused, naming the longest
    pair, unless ``drop_longer`` says to drop them; what is dropped is counted in the run's data ledger."""

    def __init__(self, path: str = "???", test_path: str | None = None, reverse: bool = False,
                 max_length: int | None = None, drop_longer: bool = False, level: str = "word", **kwargs) -> None:
        super().__init__(level=level, **kwargs)
        self.path, self.test_path = os.path.expanduser(path), test_path and os.path.expanduser(test_path)
        self.reverse, self.max_length, self.drop_longer = reverse, max_length, drop_longer
        self.ledger.unit = "pairs"

    def _read(self, path: str, key: str, split: str) -> Pairs:
        pairs = [(t, s) if self.reverse else (s, t) for s, t in first_columns(path, key)]
        if self.max_length is None:
            return pairs
        lengths = [max(len(self.tokens(s)), len(self.tokens(t))) for s, t in pairs]
        keep = [p for p, n in zip(pairs, lengths) if n <= self.max_length]
        dropped = len(pairs) - len(keep)
        if dropped > 0.01 * len(pairs) and not self.drop_longer:
            longest = max(range(len(pairs)), key=lengths.__getitem__)
            raise ConfigError("dataset.max_length", self.max_length,
                              f"would leave out {dropped:,} of the {len(pairs):,} pairs of {path} "
                              f"({dropped / len(pairs):.1%}; the longest, line {longest + 1}, has "
                              f"{lengths[longest]} tokens)",
                              f"dataset.max_length={lengths[longest]} or null to keep every pair, or "
                              "dataset.drop_longer=true to drop them (counted in metrics.json)")
        if not keep:
            raise ConfigError("dataset.max_length", self.max_length, f"leaves no pair of {path}")
        self.ledger.change(split, "dropped", dropped, f"pairs longer than dataset.max_length={self.max_length} "
                           f"tokens left out of {path}")
        return keep

    def source_of(self, fields: list[str]) -> str:
        return fields[1] if self.reverse and len(fields) > 1 else fields[0]

    def pairs(self) -> Pairs:
        return self._read(self.path, "dataset.path", "file")

    def test_pairs(self) -> Pairs:
        return self._read(self.test_path, "dataset.test_path", "test") if self.test_path else []
