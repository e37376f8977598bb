"""What a run used of its data: per split, the samples and what was dropped, truncated, imputed or
mapped to unknown, each with its reason, and where the split came from.

Every data module has a ``Ledger`` (``DataModule.ledger``); its loaders write what they change into it,
and the run writes ``ledger.report()`` to metrics.json ("data"), the summary and TensorBoard's text tab.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SPLITS = ("train", "val", "test")
CHANGES = ("dropped", "truncated", "imputed", "unknown")


@dataclass
class Ledger:
    """Counts per split: ``samples`` used, and changes by kind with a reason each."""

    unit: str = "samples"
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {s: {} for s in SPLITS})
    reasons: list[str] = field(default_factory=list)

    def used(self, split: str, samples: int, **more: int) -> None:
        """The split's samples (in ``unit``) and further sizes, e.g. annotations=, tokens=."""
        self.counts[split].update(samples=int(samples), **{k: int(v) for k, v in more.items()})

    def change(self, split: str, kind: str, count: int, reason: str) -> None:
        """``count`` items of ``split`` (or of the "file", before splitting) were dropped, truncated, imputed or mapped to unknown: why."""
        assert kind in CHANGES, kind
        self.counts.setdefault(split, {})  # "file": before the data is split
        self.counts[split][kind] = self.counts[split].get(kind, 0) + int(count)
        if count:
            self.reasons.append(f"{split}: {count:,} {reason}")

    def report(self, sources: dict[str, str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"unit": self.unit}
        out.update({s: dict(c) for s, c in self.counts.items() if c})
        out["changes"] = list(self.reasons)
        if sources:
            out["sources"] = dict(sources)
        return out
