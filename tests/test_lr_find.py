"""Learning-rate range test: Lightning's suggestion rule, its outputs, and training with the suggestion."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import torch
from conftest import Events, make_cfg
from pytorch_lightning.tuner.lr_finder import _LRFinder

from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.run import build
from aa.run.lr_find import range_test, suggest
from aa.run.train import train

SMALL = ["dataset=playground", "dataset.name=xor", "dataset.n_samples=300", "model.hidden=[16]",
         "~callbacks.gradient_stats", "~callbacks.decision_boundary"]


def test_suggestion_is_the_steepest_descent_across_one_decade() -> None:
    log_lr = torch.arange(-50, 11, dtype=torch.float64) / 10  # 1e-5 .. 10, ten points per decade
    # flat, then -0.1 per decade on [-3, -2], -0.5 per decade on [-2, -1], then rising again
    loss = 1 - 0.1 * (log_lr + 3).clamp(0, 1) - 0.5 * (log_lr + 2).clamp(0, 1) + 2 * (log_lr + 1).clamp(min=0)
    assert suggest((10 ** log_lr).tolist(), loss.tolist()) == pytest.approx(10 ** -1.5)


def test_suggestion_ignores_a_dip_of_noise_that_lightnings_rule_picks() -> None:
    g = torch.Generator().manual_seed(1)
    log_lr = torch.linspace(-6, 0, 100, dtype=torch.float64)
    loss = 0.30 - 0.015 * (log_lr + 3).clamp(0, 2) + 0.001 * torch.randn(100, generator=g, dtype=torch.float64)
    loss[17] -= 0.015  # one noisy step near 1e-5, as a small mini-batch makes
    lrs, losses = (10 ** log_lr).tolist(), loss.tolist()
    lightning = _LRFinder("exponential", lrs[0], lrs[-1], 100)
    lightning.results = {"lr": lrs, "loss": losses}
    assert lightning.suggestion() < 1e-4
    assert 1e-3 <= suggest(lrs, losses) <= 1e-1


@pytest.mark.slow
@pytest.mark.parametrize("max_lr, stops_early", [(10.0, False), (1e3, True)])
def test_range_test_sweeps_geometrically_and_leaves_the_model_alone(max_lr: float, stops_early: bool) -> None:
    """Up to 10 the xor loss only falls and levels off; towards 1e3 it blows past 4x its best and the test stops."""
    torch.manual_seed(0)  # the weights, whatever ran before in this process
    cfg = make_cfg([*SMALL, "optim=sgd"])
    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    before = [p.clone() for p in task.model.parameters()]
    state = dm.generator.get_state()
    result = range_test(task, dm, min_lr=1e-4, max_lr=max_lr, num_steps=80)
    ratios = torch.tensor(result.lrs[1:]) / torch.tensor(result.lrs[:-1])
    assert result.lrs[0] == pytest.approx(1e-4)
    assert torch.allclose(ratios, torch.full_like(ratios, (max_lr / 1e-4) ** (1 / 79)))
    assert all(torch.equal(a, b) for a, b in zip(before, task.model.parameters()))
    assert torch.equal(state, dm.generator.get_state())
    assert (len(result.lrs) < 80) == stops_early
    if stops_early:
        assert result.losses[-1] > 4 * min(result.losses[:-1])
    assert result.suggestion == suggest(result.lrs, result.losses)
    log_lr = torch.tensor(result.lrs).log10()
    at = result.lrs.index(result.suggestion)
    below, above = (int((log_lr - (log_lr[at] + h)).abs().argmin()) for h in (-0.5, 0.5))
    assert result.losses[above] < result.losses[below] - 0.02, "the suggestion lies where the loss falls"


@pytest.mark.slow
def test_lr_find_logs_curve_and_trains_with_the_suggestion(tmp_path: Path, caplog) -> None:
    cfg = make_cfg([*SMALL, "optim=sgd", "optim.lr=1e-5", "trainer.max_epochs=15", "lr_find.enabled=true",
                    "lr_find.apply=true", "lr_find.min_lr=1e-5", "lr_find.max_lr=10", "lr_find.num_steps=60"])
    validate(cfg)
    with caplog.at_level(logging.INFO, logger="aa"):
        metrics = train(cfg, str(tmp_path))
    found = re.search(r"lr_find: suggested learning rate ([0-9.e+-]+)", caplog.text)
    assert found, caplog.text
    lr = float(found.group(1))
    events = Events(tmp_path)
    curve_lrs, curve = events.scalars("lr_find/lr"), events.scalars("lr_find/loss")
    assert len(curve) >= 20 and "lr_find" in events.tags("images")
    assert lr == pytest.approx(suggest(curve_lrs, curve), rel=1e-3)  # the rule, applied to the logged curve
    assert cfg.optim.lr == pytest.approx(lr, rel=1e-3)
    assert events.scalars("lr/model")[0] == pytest.approx(lr, rel=1e-3)  # what the optimiser trained with
    assert (tmp_path / "lr_find.png").stat().st_size > 0
    assert metrics["test"]["acc"] > 0.85, "optim.lr=1e-5 alone would not move off chance in 15 epochs"


@pytest.mark.parametrize("overrides,key", [(["lr_find.min_lr=1", "lr_find.max_lr=0.1"], "lr_find.min_lr"),
                                           (["lr_find.num_steps=5"], "lr_find.num_steps"),
                                           (["lr_find.max_lr=-1"], "lr_find.max_lr")])
def test_bad_lr_find_values_are_refused(overrides: list[str], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        validate(make_cfg(overrides))
