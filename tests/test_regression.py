"""The MLP as regressor: target functions, the diabetes set, the fit figure and width vs error."""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
import torch
from conftest import Events, make_cfg

from aa.base.errors import ConfigError
from aa.config.schemas.toolbox import Function
from aa.config.validate import validate
from aa.data.diabetes import DiabetesData
from aa.data.function import FUNCTIONS, FunctionData

QUIET = ["~callbacks.gradient_stats", "~callbacks.lr_monitor"]


# The targets as the module's docstring states them, written out here (not read from its table).
TARGETS = {"sin": (1, lambda x: torch.sin(3 * math.pi * x[:, 0])),
           "step": (1, lambda x: torch.where(x[:, 0] > 0, 1.0, 0.0).double()),
           "abs": (1, lambda x: x[:, 0].abs()),
           "product": (2, lambda x: x[:, 0] * x[:, 1]),
           "ripple": (2, lambda x: torch.sin(2 * math.pi * torch.sqrt(x[:, 0] ** 2 + x[:, 1] ** 2))),
           "bump": (2, lambda x: torch.exp(-4 * (x[:, 0] ** 2 + x[:, 1] ** 2)))}


def test_function_samples_follow_their_formula_plus_seeded_noise() -> None:
    name_field = next(f for f in dataclasses.fields(Function) if f.name == "name")
    assert set(FUNCTIONS) == set(name_field.metadata["choices"]) == set(TARGETS)
    for name, (dims, f) in TARGETS.items():
        dm = FunctionData(name=name, n_samples=4000, noise=0.1, seed=3)
        dm.setup()
        assert dm.x_train.shape[1] == dims == FUNCTIONS[name][0]
        assert dm.x_train.abs().max() <= 1 and dm.x_train.abs().max() > 0.99 and dm.num_outputs == 1
        residual = dm.y_train - f(dm.x_train.double()).float()
        assert residual.mean().item() == pytest.approx(0, abs=0.01), name
        assert residual.std().item() == pytest.approx(0.1, rel=0.06), name
    a, b, c = (FunctionData(seed=s) for s in (1, 1, 2))
    for dm in (a, b, c):
        dm.setup()
    assert torch.equal(a.x_train, b.x_train) and not torch.equal(a.x_train, c.x_train)


def test_diabetes_targets_are_standardised_with_training_statistics() -> None:
    dm = DiabetesData(seed=0)
    dm.setup()
    assert dm.x_train.shape[1] == 10 and dm.task == "regression"
    assert dm.y_train.mean().item() == pytest.approx(0, abs=1e-5)
    assert dm.y_train.std(unbiased=False).item() == pytest.approx(1, abs=1e-5)
    raw = DiabetesData(seed=0, standardize_targets=False)
    raw.setup()
    assert torch.allclose(dm.target_units(dm.y_test), raw.y_test, atol=1e-3)
    assert 25 <= raw.y_train.min() and raw.y_train.max() <= 346


@pytest.mark.slow
def test_regression_data_selects_squared_error_and_refuses_cross_entropy() -> None:
    assert make_cfg(["dataset=function"]).loss._target_ == "aa.task.losses.SquaredError"
    with pytest.raises(ConfigError, match="loss=.*regression.*mse"):
        validate(make_cfg(["dataset=diabetes", "loss=cross_entropy"]))
    with pytest.raises(ConfigError, match=r"dataset\.name"):
        validate(make_cfg(["dataset=function", "dataset.name=tan"]))


@pytest.mark.slow
def test_mlp_fits_diabetes_better_than_the_training_mean(run, tmp_path: Path) -> None:
    m = run(["dataset=diabetes", "model.hidden=[16]", "optim.lr=0.003", "trainer.max_epochs=40",
             *QUIET], "diabetes")
    dm = DiabetesData(seed=42, standardize_targets=False)  # the original scale, where metrics are reported
    dm.setup()
    mean_mse = (dm.y_test - dm.y_train.mean()).pow(2).mean().item()
    assert m["test"]["baseline_mse"] == pytest.approx(mean_mse, rel=1e-4)
    assert m["task"] == "regression" and m["test"]["mse"] < 0.75 * mean_mse and m["baseline"]["beats_baseline"]
    assert (tmp_path / "diabetes" / "regression_fit.png").stat().st_size > 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sin", "product"])
def test_fit_figure_is_logged_for_1d_and_2d_targets(run, tmp_path: Path, name: str) -> None:
    run(["dataset=function", f"dataset.name={name}", "dataset.n_samples=200", "model.hidden=[8]",
         "trainer.max_epochs=2", *QUIET], name)
    assert (tmp_path / name / "regression_fit.png").stat().st_size > 0
    images = Events(tmp_path / name).tags("images")
    assert "regression_fit" in images and "decision_boundary" not in images


@pytest.mark.slow
def test_one_hidden_layer_error_falls_as_width_grows(run) -> None:
    errors = []
    for width in (2, 4, 12):
        m = run(["dataset=function", "dataset.n_samples=300", "activation=tanh", "batch=full", "optim.lr=0.05",
                 f"model.hidden=[{width}]", "trainer.max_epochs=500", "+trainer.check_val_every_n_epoch=100",
                 "callbacks.regression_fit.every_n_epochs=100", *QUIET], f"width{width}")
        errors.append(m["test"]["mse"])
    assert errors[0] > 2 * errors[1] > 4 * errors[2], errors
    assert errors[2] < 0.03, errors
