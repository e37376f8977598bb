"""Held-out splits carved from one pool of samples: seeded, stratified by class where labelled, and said
in words (``split_sources``) so a run states where each split came from."""
from __future__ import annotations

import torch


def seeded_split_sources(val_fraction: float, test_fraction: float, seed: int, of: str = "the samples") -> dict[str, str]:
    """Where the splits of one shuffled pool come from, in words (metrics.json and the summary)."""
    train = 1 - val_fraction - test_fraction
    return {"train": f"{train:.0%} of {of}", "val": f"{val_fraction:.0%} of {of}",
            "test": f"{test_fraction:.0%} of {of}, held out (shuffled with seed {seed}; never used to choose "
                    "the checkpoint)"}


def seeded_holdout(n: int, fraction: float, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(held-out indices, the rest) of ``n`` samples shuffled by ``generator``: ``fraction`` of them, at least one."""
    order = torch.randperm(n, generator=generator)
    k = max(1, round(n * fraction))
    return order[:k], order[k:]


def stratified_holdout(labels: list[int], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """(held-out indices, the rest): ``fraction`` of each class (at least one where a class has two or
    more), drawn with ``seed``."""
    g = torch.Generator().manual_seed(seed)
    held: list[int] = []
    for c in sorted(set(labels)):
        idx = [i for i, y in enumerate(labels) if y == c]
        order = torch.randperm(len(idx), generator=g).tolist()
        n = min(max(1, round(fraction * len(idx))), len(idx) - 1) if len(idx) > 1 else 0
        held += [idx[k] for k in order[:n]]
    chosen = set(held)
    return sorted(held), [i for i in range(len(labels)) if i not in chosen]
