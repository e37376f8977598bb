"""backprop=manual in real runs: autograd's weights in every batch mode, learns digits, refuses what it cannot do."""
from __future__ import annotations

import pytest
import torch
from conftest import build, make_cfg, trainer_for
from omegaconf import open_dict

from aa.base.errors import ConfigError
from aa.config.validate import validate

MODES = {
    "full": (["batch=full", "trainer.max_epochs=40"], 40),
    "mini": (["batch=mini", "batch.size=32", "trainer.max_epochs=2"], 2 * 37),
    "incremental": (["batch=incremental", "batch.limit=150", "trainer.max_epochs=1"], 150),
    "online": (["batch=online", "batch.limit=150", "trainer.max_epochs=1"], 150),
    "mini_dropout_l2_clip": (["batch=mini", "batch.size=32", "batch.limit=30", "trainer.max_epochs=2",
                              "activation=sigmoid", "regularization=[dropout,l2,clip_norm]"], 60),
}


def fit(overrides: list[str], tmp_path) -> tuple[dict, dict, int]:
    """Train through the real data module, task module and Trainer in float64; (initial, final) weights, updates."""
    cfg, dm, task = build(["optim=sgd", "model.hidden=[32,16]", "+trainer.precision=64-true", *overrides])
    with open_dict(cfg):
        cfg.trainer.limit_val_batches = 0
    initial = {k: v.detach().double().clone() for k, v in task.model.state_dict().items()}
    trainer = trainer_for(cfg, tmp_path, dm, quiet=True)
    trainer.fit(task, datamodule=dm)
    return initial, task.model.state_dict(), trainer.global_step


@pytest.mark.slow
@pytest.mark.parametrize("mode", sorted(MODES))
def test_manual_and_autograd_sgd_runs_end_with_equal_weights(mode, tmp_path):
    overrides, updates = MODES[mode]
    start, auto, steps_auto = fit(["backprop=autograd", *overrides], tmp_path / "a")
    _, manual, steps_manual = fit(["backprop=manual", *overrides], tmp_path / "m")
    assert steps_auto == steps_manual == updates
    for name, w in auto.items():
        assert w.dtype == torch.float64
        assert (manual[name] - w).abs().max() <= 1e-8, name
    moved = max((auto[k] - start[k]).abs().max().item() for k in auto)
    assert moved > 1e-2  # the weights did train: equality is not of two untouched models


@pytest.mark.slow
def test_manual_backprop_learns_digits(run):
    metrics = run(["backprop=manual", "optim=sgd", "model.hidden=[64]", "trainer.max_epochs=3"])
    assert metrics["test"]["acc"] >= 0.85


@pytest.mark.slow
@pytest.mark.parametrize("overrides, key, named", [
    (["activation=maxout"], "activation='maxout'", "relu"),
    (["normalization=batch"], "normalization='batch'", "Valid choices: none."),
    (["model=lenet5"], "model='lenet5'", "mlp, perceptron"),
    (["trainer=ddp"], "trainer.strategy='ddp'", "trainer.devices=1"),
    (["+trainer.precision=16-mixed"], "trainer.precision='16-mixed'", "bf16-mixed"),
])
def test_manual_backprop_refuses_what_it_has_no_delta_rule_for(overrides, key, named):
    with pytest.raises(ConfigError) as err:
        validate(make_cfg(["backprop=manual", *overrides]))
    assert key in str(err.value) and named in str(err.value) and "backprop=autograd" in str(err.value)
    validate(make_cfg(["backprop=autograd", *overrides]))


@pytest.mark.slow
def test_perceptron_ignores_the_hidden_activation_so_any_is_accepted():
    validate(make_cfg(["backprop=manual", "model=perceptron", "activation=maxout", "loss=mse"]))
