"""Weight init schemes: the statistics each one promises, and why a symmetric start cannot learn."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from conftest import fit, make_cfg
from torch import nn

from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.nn.init import Constant, Default, Kaiming, Xavier

XOR = ["dataset=playground", "dataset.name=xor", "dataset.n_samples=400", "activation=sigmoid",
       "model.hidden=[8]", "optim.lr=0.05", "trainer.max_epochs=40",
       "~callbacks.gradient_stats", "~callbacks.decision_boundary", "~callbacks.model_checkpoint"]


def test_xavier_and_kaiming_set_the_published_variances() -> None:
    torch.manual_seed(0)
    fan_in, fan_out = 400, 300
    net = nn.Sequential(nn.Linear(fan_in, fan_out), nn.Linear(fan_out, fan_out))
    Xavier(gain=5 / 3, distribution="uniform")(net)
    w = net[0].weight
    bound = 5 / 3 * math.sqrt(6 / (fan_in + fan_out))
    assert w.abs().max() <= bound and w.abs().max() > 0.99 * bound
    assert w.var().item() == pytest.approx((5 / 3) ** 2 * 2 / (fan_in + fan_out), rel=0.03)
    assert torch.count_nonzero(net[0].bias) == 0
    Kaiming(nonlinearity="relu", distribution="normal")(net)
    assert net[0].weight.std().item() == pytest.approx(math.sqrt(2 / fan_in), rel=0.03)
    assert net[1].weight.std().item() == pytest.approx(math.sqrt(2 / fan_out), rel=0.03)


def test_default_keeps_pytorch_init_and_constant_sets_every_weight() -> None:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.Conv2d(1, 2, 3))
    before = [p.clone() for p in net.parameters()]
    Default()(net)
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    Constant(0.25)(net)
    for layer in (net[0], net[2]):
        assert torch.all(layer.weight == 0.25) and torch.all(layer.bias == 0.25)
    assert torch.all(net[1].weight == 1) and torch.all(net[1].bias == 0)  # normalisation keeps gamma, beta


def _fit(overrides: list[str], tmp_path: Path):
    _, task, trainer = fit(overrides, tmp_path)
    return task, trainer


@pytest.mark.slow
def test_zeros_init_keeps_hidden_units_identical_and_cannot_learn_xor(tmp_path: Path) -> None:
    task, trainer = _fit([*XOR, "init=zeros"], tmp_path / "zeros")
    hidden = task.model[1].hidden[0].linear
    assert hidden.weight.abs().sum() > 0, "the sigmoid's s=0.5 lets the weights move..."
    assert torch.allclose(hidden.weight, hidden.weight[:1].expand_as(hidden.weight), atol=1e-6)
    assert torch.allclose(hidden.bias, hidden.bias[:1].expand_as(hidden.bias), atol=1e-6)
    assert trainer.callback_metrics["val/acc"] < 0.75, "...but as one unit, and one unit cannot do xor"
    task, trainer = _fit([*XOR, "init=xavier"], tmp_path / "xavier")
    assert trainer.callback_metrics["val/acc"] > 0.9


@pytest.mark.slow
def test_init_cannot_overwrite_pretrained_weights() -> None:
    validate(make_cfg(["model=resnet18", "model.pretrained=true"]))
    with pytest.raises(ConfigError, match="init='Kaiming'.*pretrained.*Valid choices: default"):
        validate(make_cfg(["model=resnet18", "model.pretrained=true", "init=kaiming"]))


@pytest.mark.parametrize("override,key", [("init.gain=0", "init.gain"), ("init.distribution=cauchy", "init.distribution")])
def test_bad_init_values_are_refused(override: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        validate(make_cfg(["init=xavier", override]))
