"""The lecture's batch modes: optimiser steps per epoch, and what each update sees."""
from __future__ import annotations

import math

import pytest
import torch

from aa.data.batching import FullBatch, Incremental, MiniBatch, Online


def test_plans_cover_the_data_as_the_lecture_says() -> None:
    g = torch.Generator().manual_seed(0)
    n = 10
    assert [len(i) for i in FullBatch().plan(n, g)] == [10]
    mini = MiniBatch(size=4).plan(n, g)
    assert [len(i) for i in mini] == [4, 4, 2] and sorted(torch.cat(mini).tolist()) == list(range(10))
    inc = Incremental().plan(n, g)
    assert len(inc) == 10 and all(len(i) == 1 for i in inc)
    assert sorted(torch.cat(inc).tolist()) == list(range(10)) and torch.cat(inc).tolist() != list(range(10))
    assert torch.cat(Online().plan(n, g)).tolist() == list(range(10))
    assert MiniBatch(size=4, shuffle=False).plan(n, g)[0].tolist() == [0, 1, 2, 3]


@pytest.mark.slow
@pytest.mark.parametrize("mode,expected", [("full", lambda n: 1), ("mini", lambda n: math.ceil(n / 32)),
                                           ("incremental", lambda n: n), ("online", lambda n: n)])
def test_optimiser_steps_per_epoch(run, mode: str, expected) -> None:
    m = run([f"batch={mode}", "dataset=playground", "dataset.n_samples=200", "model.hidden=[4]",
             "trainer.max_epochs=2"], mode)
    n_train = 200 - round(200 * 0.2) - round(200 * 0.2)
    assert m["optimizer_steps"] == 2 * expected(n_train)
