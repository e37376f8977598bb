"""Regularisers show their effect: penalties by formula, sparsity, clipping bounds, eval-time silence."""
from __future__ import annotations

import torch
from torch import nn

from aa.task.regularizers import L1, L2, ClipNorm, ClipValue, Noise
from conftest import make_cfg


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


def test_l1_gives_more_exact_zeros_than_l2_at_equal_strength(run) -> None:
    l1 = _weights(run, "l1", "l1")
    l2 = _weights(run, "l2", "l2")
    small = lambda w: (w.abs() < 1e-3).float().mean().item()  # noqa: E731
    assert small(l1) > 0.3
    assert small(l1) > 3 * small(l2)


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


def test_clip_norm_limits_every_update_in_training(run) -> None:
    """With a tiny max_norm, SGD moves each weight by at most lr * max_norm per update."""
    m = run(["dataset=playground", "model.hidden=[8]", "optim=sgd", "optim.lr=1.0", "regularization=[clip_norm]",
             "regularization.clip_norm.max_norm=0.001", "batch=full", "trainer.max_epochs=3",
             "dataset.standardize=false"], "c")
    from aa.run import build

    cfg = make_cfg(["dataset=playground", "model.hidden=[8]", "dataset.standardize=false"])
    torch.manual_seed(cfg.seed)
    import pytorch_lightning as pl

    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    dm = build.build_data(cfg)
    start = torch.cat([p.flatten() for p in build.build_task(cfg, dm).model.parameters()])
    end = torch.cat([v.flatten() for v in torch.load(m["last_checkpoint"], weights_only=True)["state_dict"].values()])
    assert (end - start).norm() <= 3 * 1.0 * 0.001 + 1e-6


def test_noise_and_dropout_act_only_in_training() -> None:
    x = torch.ones(4, 3)
    assert not torch.equal(Noise(0.5).transform_input(x), x)
    cfg = make_cfg(["regularization=[dropout,noise]", "regularization.dropout.p=0.5"])
    from aa.run import build

    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    assert any(isinstance(m, nn.Dropout) and m.p == 0.5 for m in task.model.modules())
    assert len(task.input_noise) == 1
    task.eval()
    xb = dm.x_val[:16]
    assert torch.equal(task(xb), task(xb))
    task.train()
    assert not torch.equal(task(xb), task(xb))


def test_weight_noise_is_removed_after_the_update() -> None:
    params = [nn.Parameter(torch.ones(5))]
    with Noise(1.0, applies_to="weights").perturb_weights(params):
        assert not torch.equal(params[0].data, torch.ones(5))
    assert torch.allclose(params[0].data, torch.ones(5))


def test_early_stopping_stops_at_the_loss_threshold(run) -> None:
    m = run(["dataset=playground", "dataset.name=gauss", "model.hidden=[8]", "trainer.max_epochs=200",
             "regularization=[early_stopping]", "regularization.early_stopping.stopping_threshold=0.2"], "es")
    assert m["epochs"] < 200
    assert m["val"]["loss"] <= 0.2


def test_early_stopping_patience_ends_a_stalled_run(run) -> None:
    m = run(["dataset=playground", "model.hidden=[2]", "optim=sgd", "optim.lr=0.0000001", "trainer.max_epochs=200",
             "regularization=[early_stopping]", "regularization.early_stopping.patience=3",
             "regularization.early_stopping.min_delta=0.01"], "es2")
    assert m["epochs"] <= 5
