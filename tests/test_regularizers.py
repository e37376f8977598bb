"""Regularisers show their effect: penalties by formula, sparsity, clipping bounds, eval-time silence."""
from __future__ import annotations

import pytest
import torch
from conftest import build, trainer_for
from torch import nn

from aa.task.regularizers import L1, L2, ClipNorm, ClipValue, Noise


def test_penalties_follow_the_lecture_formulas() -> None:
    params = [torch.tensor([1.0, -2.0]), torch.tensor([[3.0]])]
    assert L2(0.1).penalty(params).item() == torch.tensor(0.05 * (1 + 4 + 9)).item()
    assert L1(0.1).penalty(params).item() == torch.tensor(0.1 * 6).item()
    p = torch.tensor([0.5, -2.0])
    assert torch.equal(L2(0.1).penalty_grad(p), 0.1 * p)
    assert torch.equal(L1(0.1).penalty_grad(p), torch.tensor([0.1, -0.1]))


def _weights(run, reg: str, name: str) -> torch.Tensor:
    m = run(["dataset=playground", "dataset.name=gauss", "model.hidden=[32,32]", "optim=sgd", "optim.lr=0.05",
             f"regularization=[{reg}]", f"regularization.{reg}.weight=0.01", "trainer.max_epochs=25"], name)
    state = torch.load(m["last_checkpoint"], weights_only=True)["state_dict"]
    return torch.cat([v.flatten() for k, v in state.items() if k.endswith("weight")])


@pytest.mark.slow
def test_l1_gives_more_exact_zeros_than_l2_at_equal_strength(run) -> None:
    l1 = _weights(run, "l1", "l1")
    l2 = _weights(run, "l2", "l2")
    small = lambda w: (w.abs() < 1e-3).float().mean().item()  # noqa: E731
    assert small(l1) > 0.3
    assert small(l1) > 3 * small(l2)


@pytest.mark.slow
def test_l2_term_shrinks_weights_against_no_penalty(run) -> None:
    base = run(["dataset=playground", "dataset.name=gauss", "model.hidden=[32]", "optim=sgd", "trainer.max_epochs=15"], "b")
    l2 = run(["dataset=playground", "dataset.name=gauss", "model.hidden=[32]", "optim=sgd", "trainer.max_epochs=15",
              "regularization=[l2]", "regularization.l2.weight=0.05"], "l2")
    norm = lambda m: sum(v.pow(2).sum() for k, v in torch.load(m["last_checkpoint"], weights_only=True)["state_dict"].items()  # noqa: E731
                         if k.endswith("weight")).item()
    assert norm(l2) < 0.8 * norm(base)


def test_clipping_bounds_what_it_says() -> None:
    a, b = nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2))
    a.grad, b.grad = torch.tensor([3.0, -0.2, -5.0]), torch.tensor([0.4, 4.0])
    ClipValue(0.5).limit([a, b])
    assert torch.equal(a.grad, torch.tensor([0.5, -0.2, -0.5])) and torch.equal(b.grad, torch.tensor([0.4, 0.5]))
    a.grad, b.grad = torch.tensor([3.0, 0.0, 4.0]), torch.tensor([0.0, 0.0])
    ClipNorm(1.0).limit([a, b])
    total = torch.cat([a.grad, b.grad]).norm()
    assert abs(total.item() - 1.0) < 1e-5 and torch.allclose(a.grad, torch.tensor([0.6, 0.0, 0.8]), atol=1e-5)


def _flat(state) -> torch.Tensor:
    return torch.cat([v.flatten() for v in state.values()])


@pytest.mark.slow
@pytest.mark.parametrize("name, key, bound", [("clip_norm", "max_norm", lambda d: d.norm()),
                                              ("clip_value", "value", lambda d: d.abs().max())])
def test_clipping_through_the_config_limits_every_update(run, name, key, bound) -> None:
    """With a tiny limit, SGD (lr 1) moves the weights by at most the limit per update: 3 full-batch updates.
    clip_norm bounds the whole gradient's norm, clip_value each component."""
    overrides = ["dataset=playground", "model.hidden=[8]", "optim=sgd", "optim.lr=1.0", f"regularization=[{name}]",
                 f"regularization.{name}.{key}=0.001", "batch=full", "trainer.max_epochs=3", "dataset.standardize=false"]
    _, _, task = build(overrides)
    start = _flat(task.model.state_dict())
    m = run(overrides, name)
    moved = _flat(torch.load(m["last_checkpoint"], weights_only=True)["state_dict"]) - start
    assert 0.001 <= bound(moved) <= 3 * 0.001 + 1e-6, bound(moved)


def test_dropout_acts_only_in_training() -> None:
    _, dm, task = build(["regularization=[dropout]", "regularization.dropout.p=0.5"])
    assert any(isinstance(m, nn.Dropout) and m.p == 0.5 for m in task.model.modules())
    xb = dm.x_val[:16]
    task.eval()
    assert torch.equal(task(xb), task(xb))
    task.train()
    assert not torch.equal(task(xb), task(xb))


def _inputs_seen(overrides: list[str], tmp_path) -> tuple[dict[str, list[torch.Tensor]], object]:
    """The inputs the model received in training and in validation during one full-batch epoch."""
    cfg, dm, task = build(["dataset=playground", "model.hidden=[4]", "batch=full", "trainer.max_epochs=1",
                           *overrides])
    seen: dict[str, list[torch.Tensor]] = {"train": [], "val": []}
    task.model.register_forward_pre_hook(lambda m, args: seen["train" if m.training else "val"].append(args[0].clone()))
    trainer_for(cfg, tmp_path, dm, quiet=True).fit(task, datamodule=dm)
    return seen, dm


@pytest.mark.slow
def test_input_noise_is_added_to_training_inputs_only(tmp_path) -> None:
    seen, dm = _inputs_seen(["regularization=[noise]", "regularization.noise.std=0.5"], tmp_path)
    (train,) = seen["train"]
    assert (train - dm.x_train).std().item() == pytest.approx(0.5, rel=0.1)
    assert all(torch.equal(x, dm.x_val[:len(x)]) for x in seen["val"]) and seen["val"]
    plain, _ = _inputs_seen([], tmp_path / "plain")
    assert torch.equal(plain["train"][0], dm.x_train)


@pytest.mark.slow
def test_weight_noise_through_the_config_perturbs_each_update_and_is_then_removed(tmp_path) -> None:
    """SGD with lr 1e-6: weight noise of std 0.1 changes the gradients (the weights differ from a run
    without it) but is taken off after every update (they differ by about lr, not by 0.1)."""
    weights = {}
    for name, regularization in {"plain": [], "noise": ["regularization=[noise]",
                                                        "regularization.noise.applies_to=weights"]}.items():
        cfg, dm, task = build(["dataset=playground", "model.hidden=[8]", "optim=sgd", "optim.lr=1e-6", "batch=full",
                               "trainer.max_epochs=5", *regularization])
        assert [r.std for r in task.weight_noise] == ([0.1] if regularization else [])
        trainer_for(cfg, tmp_path / name, dm, quiet=True).fit(task, datamodule=dm)
        weights[name] = _flat(task.model.state_dict())
    gap = (weights["noise"] - weights["plain"]).abs().max().item()
    assert 0 < gap < 1e-4, gap


def test_weight_noise_is_removed_after_the_update() -> None:
    params = [nn.Parameter(torch.ones(5))]
    with Noise(1.0, applies_to="weights").perturb_weights(params):
        assert not torch.equal(params[0].data, torch.ones(5))
    assert torch.allclose(params[0].data, torch.ones(5))


@pytest.mark.slow
def test_early_stopping_stops_at_the_loss_threshold(run) -> None:
    m = run(["dataset=playground", "dataset.name=gauss", "model.hidden=[8]", "trainer.max_epochs=200",
             "regularization=[early_stopping]", "regularization.early_stopping.stopping_threshold=0.2"], "es")
    assert m["epochs"] < 200
    assert m["val"]["loss"] <= 0.2


@pytest.mark.slow
def test_early_stopping_patience_ends_a_stalled_run(run) -> None:
    m = run(["dataset=playground", "model.hidden=[2]", "optim=sgd", "optim.lr=0.0000001", "trainer.max_epochs=200",
             "regularization=[early_stopping]", "regularization.early_stopping.patience=3",
             "regularization.early_stopping.min_delta=0.01"], "es2")
    assert m["epochs"] <= 5
