"""Same seed on CPU, same numbers."""
from __future__ import annotations

import pytest


@pytest.mark.slow
def test_same_seed_gives_identical_metrics(run) -> None:
    args = ["trainer.max_epochs=3", "seed=123"]
    a, b = run(args, "a"), run(args, "b")
    for split in ("train", "val", "test"):
        assert a[split] == b[split]


@pytest.mark.slow
def test_other_seed_gives_other_numbers(run) -> None:
    a = run(["trainer.max_epochs=2", "seed=1"], "a")
    b = run(["trainer.max_epochs=2", "seed=2"], "b")
    assert a["train"]["loss"] != b["train"]["loss"]
