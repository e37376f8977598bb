"""Curriculum learning: samples ranked by difficulty, a pool that widens on schedule, any batch mode."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from conftest import fit, make_cfg

from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.data.batching import Incremental, MiniBatch
from aa.data.curriculum import Curriculum
from aa.run import build

GAUSS = ["dataset=playground", "dataset.name=gauss", "dataset.n_samples=400", "dataset.noise=0.5",
         "model.hidden=[8]", "curriculum=loss", "curriculum.start_fraction=0.25", "curriculum.full_at_epoch=2",
         "~callbacks.gradient_stats", "~callbacks.decision_boundary"]


def test_pool_widens_on_schedule() -> None:
    linear = Curriculum(start_fraction=0.25, full_at_epoch=3, pacing="linear")
    assert [linear.pool_size(e, 100) for e in range(5)] == [25, 50, 75, 100, 100]
    root = Curriculum(start_fraction=0.25, full_at_epoch=3, pacing="root")
    # sqrt(c0^2 + (1 - c0^2) t): t = 1/3 -> 0.612, t = 2/3 -> 0.829
    assert [root.pool_size(e, 100) for e in range(4)] == [25, 62, 83, 100]


def test_ranking_orders_samples_by_score() -> None:
    scores = torch.tensor([0.5, 0.1, 2.0, 0.3, 1.0])
    assert Curriculum(order="easy_first").rank(scores).tolist() == [1, 3, 0, 4, 2]
    assert Curriculum(order="hard_first").rank(scores).tolist() == [2, 4, 0, 3, 1]
    random = Curriculum(order="random").rank(scores, seed=1)
    assert sorted(random.tolist()) == [0, 1, 2, 3, 4]
    c = Curriculum(order="easy_first", start_fraction=0.4, full_at_epoch=1)
    c.ranking = c.rank(scores)
    assert c.pool(0).tolist() == [1, 3] and c.pool(1).tolist() == [1, 3, 0, 4, 2]


@pytest.mark.parametrize("mode,ordered", [("batch=online", True), ("batch=mini", False)])
def test_each_epoch_plans_only_the_pool_in_any_chunking(mode: str, ordered: bool) -> None:
    cfg = make_cfg([*GAUSS, mode])
    dm = build.build_data(cfg, chunk_updates=7)
    c = Curriculum(start_fraction=0.25, full_at_epoch=2)
    c.ranking = torch.randperm(len(dm.y_train), generator=torch.Generator().manual_seed(0))
    dm.curriculum = c
    chunks = list(dm.train_dataloader())
    seen = torch.cat([i for chunk in chunks for i in chunk.plan])
    pool = c.pool(0)
    assert len(pool) == math.ceil(0.25 * len(dm.y_train))
    assert sorted(seen.tolist()) == sorted(pool.tolist())
    if ordered:  # on-line keeps arrival order: the pool's easiest-first order
        assert seen.tolist() == pool.tolist()
    assert len(chunks) == math.ceil(dm.batch_mode.updates_per_epoch(len(pool)) / 7)


@pytest.mark.slow
def test_curriculum_trains_easiest_first_with_exact_update_counts(tmp_path: Path) -> None:
    dm, _, trainer = fit([*GAUSS, "batch=mini", "batch.size=32", "trainer.max_epochs=4"], tmp_path)
    n = len(dm.y_train)
    pools = [math.ceil(f * n) for f in (0.25, 0.625, 1.0, 1.0)]
    assert trainer.global_step == sum(math.ceil(p / 32) for p in pools)
    c = next(cb for cb in trainer.callbacks if isinstance(cb, Curriculum))
    ranked = c.scores[c.ranking]
    assert torch.all(ranked[1:] >= ranked[:-1])
    # the gauss blobs are split by x1 + x2 = 0: the easiest quarter lies far from it, the hardest near
    margin = (dm.x_train[:, 0] + dm.x_train[:, 1]).abs().cpu()
    quarter = n // 4
    assert margin[c.ranking[:quarter]].mean() > 2 * margin[c.ranking[-quarter:]].mean()
    assert trainer.callback_metrics["val/acc"] > 0.8


def test_shuffle_off_keeps_the_stored_order_every_epoch() -> None:
    g = torch.Generator().manual_seed(0)
    for mode in (Incremental(shuffle=False), MiniBatch(size=3, shuffle=False)):
        epochs = [torch.cat(mode.plan(7, g)).tolist() for _ in range(2)]
        assert epochs == [list(range(7))] * 2
    shuffled = [torch.cat(Incremental().plan(7, g)).tolist() for _ in range(2)]
    assert shuffled[0] != shuffled[1] and sorted(shuffled[0]) == list(range(7))
    with pytest.raises(ConfigError, match=r"batch\.shuffle"):  # full batch: order cannot matter
        validate(make_cfg(["batch=full", "+batch.shuffle=false"]))


@pytest.mark.parametrize("override", ["curriculum.start_fraction=0", "curriculum.pacing=cubic",
                                      "curriculum.order=sideways", "curriculum.full_at_epoch=0"])
def test_bad_curriculum_values_are_refused(override: str) -> None:
    with pytest.raises(ConfigError, match=override.split("=")[0].replace(".", r"\.")):
        validate(make_cfg(["curriculum=loss", override]))
