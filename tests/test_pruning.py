"""Pruning: magnitude, relevance and penalty runs on the digits reach their sparsity and keep learning;
the tested checkpoint is pruned and loads into a plain model; the saliency formulas are exact."""
from __future__ import annotations

import csv

import pytest
import torch
from conftest import Events, aa_train, make_cfg
from torch import nn

from aa.compress import importance
from aa.compress.prune import Prune
from aa.base.errors import ConfigError
from aa.config.validate import validate

# figures and probes of the default callbacks cost more than these short runs; the report does not need them
LEAN = [f"callbacks.{name}=null" for name in ("confusion_matrix", "sample_predictions", "gradient_stats",
                                               "model_graph", "model_summary")]
SHORT = ["trainer.max_epochs=8", "prune.finetune_epochs=3", *LEAN]


def checkpoint_weights(path: str) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)["state_dict"]


@pytest.mark.slow
def test_magnitude_pruning_reaches_the_amount_and_the_tested_checkpoint_is_pruned(run, one_thread, tmp_path):
    m = run(["prune=magnitude", "prune.amount=0.8", *SHORT])
    c = m["compression"]
    events = Events(tmp_path / "run")
    singles = [t for t in events.tags() if len(events.scalars(t)) < 2]
    assert not singles and events.scalars("compression/sparsity") == [0.0, pytest.approx(0.8, abs=1e-3)]
    assert "| nonzero | 9,610 |" in events.text("compression") and "compression/sparsity" in events.hparams()[1]
    assert "torch thread(s), median of 30" in events.text("compression")
    rows = {r[0]: r[1:] for r in csv.reader(open(tmp_path / "run" / "compression.csv"))}
    assert rows["nonzero"] == [str(c["before"]["nonzero"]), str(c["after"]["nonzero"])]
    assert c["sparsity"] == pytest.approx(0.8, abs=1e-3)
    assert c["after"]["nonzero"] == c["after"]["parameters"] - round(0.8 * 9472)  # 64*128 + 128*10 weights
    assert c["before"]["nonzero"] == c["before"]["parameters"] == 9610
    assert c["gzip_ratio"] < 0.5  # zeros compress; the raw file does not shrink
    assert c["size_ratio"] == pytest.approx(1.0, abs=0.01)
    assert m["test"]["acc"] > 0.9
    assert c["after"]["test_acc"] == pytest.approx(m["test"]["acc"], abs=1e-6)
    state = checkpoint_weights(m["best_checkpoint"])
    assert not [k for k in state if k.endswith(("_orig", "_mask"))]
    assert torch.load(m["best_checkpoint"], weights_only=True)["epoch"] >= c["pruned_at_epochs"][-1]
    zeros = sum(int((v == 0).sum()) for k, v in state.items() if k.endswith("weight"))
    assert zeros == round(0.8 * 9472)
    from aa.models.mlp import MLP

    plain = MLP((64,), 10, [128])
    plain.load_state_dict({k.removeprefix("model.1."): v for k, v in state.items() if k.startswith("model.1.")})


@pytest.mark.slow
def test_structured_pruning_removes_whole_hidden_units_and_keeps_every_class(run, one_thread):
    m = run(["prune=magnitude", "prune.scope=layer", "prune.structure=structured", "prune.amount=0.5", *SHORT])
    state = checkpoint_weights(m["best_checkpoint"])
    hidden, out = state["model.1.hidden.0.linear.weight"], state["model.1.out.weight"]
    assert int((hidden.abs().sum(1) == 0).sum()) == 64  # half of the 128 units, whole rows
    assert int((hidden == 0).sum()) == 64 * 64
    assert int((out == 0).sum()) == 0
    assert m["test"]["acc"] > 0.85


@pytest.mark.slow
def test_iterative_relevance_pruning_learns_at_high_sparsity(run, one_thread):
    m = run(["prune=relevance", "prune.amount=0.9", "prune.steps=2", "prune.finetune_epochs=3",
             "prune.importance=obd", "trainer.max_epochs=8", *LEAN])
    c = m["compression"]
    assert c["importance"] == "obd" and c["pruned_at_epochs"] == [1, 4]
    assert c["sparsity"] == pytest.approx(0.9, abs=2e-3)
    assert m["test"]["acc"] > 0.85


@pytest.mark.slow
def test_penalty_pruning_trains_with_l1_and_removes_weights_under_the_threshold(run, one_thread):
    m = run(["prune=penalty", "regularization.l1.weight=0.001", "prune.threshold=0.05", *SHORT])
    state = checkpoint_weights(m["best_checkpoint"])
    weights = torch.cat([v.flatten() for k, v in state.items() if k.endswith("weight")])
    kept = weights[weights != 0]
    assert len(kept) < len(weights) * 0.9
    assert m["compression"]["l1"] == 0.001 and m["compression"]["threshold"] == 0.05
    assert m["test"]["acc"] > 0.85


def test_schedule_spreads_the_steps_and_compounds_to_the_amount():
    p = Prune(amount=0.8, steps=3, finetune_epochs=2, epochs=10)
    assert p.epochs == [3, 5, 7]
    assert [p.step_amount(e) > 0 for e in range(10)] == [e in (3, 5, 7) for e in range(10)]
    assert 1 - (1 - p.step_amount(3)) ** 3 == pytest.approx(0.8)


def test_obd_saliency_is_half_the_hessian_diagonal_times_theta_squared():
    torch.manual_seed(0)
    layer = nn.Linear(3, 2, bias=False)
    a = torch.rand(2, 3) + 0.5  # q = 1/2 sum a theta^2: H = diag(a), Hutchinson is exact for it
    loss = lambda batch: 0.5 * (a * layer.weight ** 2).sum()  # noqa: E731
    s = importance.scores("obd", [(layer, "weight")], loss, [None] * 4, hessian="hutchinson")
    assert torch.allclose(s[(layer, "weight")], 0.5 * a * layer.weight.detach() ** 2)


def test_fisher_estimate_is_the_mean_squared_per_sample_gradient():
    torch.manual_seed(0)
    layer = nn.Linear(3, 1, bias=False)
    x, y = torch.randn(5, 3), torch.randn(5)
    loss = lambda b: 0.5 * ((layer(b[0]).squeeze(1) - b[1]) ** 2).mean()  # noqa: E731
    s = importance.scores("obd", [(layer, "weight")], loss, [(x, y)], hessian="fisher")
    residual = (layer(x).squeeze(1) - y).detach()
    fisher = ((residual[:, None] * x) ** 2).mean(0, keepdim=True)
    assert torch.allclose(s[(layer, "weight")], 0.5 * fisher * layer.weight.detach() ** 2, atol=1e-6)


def test_first_order_relevance_is_theta_times_gradient_averaged_over_batches():
    layer = nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[2.0, -3.0]]))
    c = [torch.tensor([[1.0, 1.0]]), torch.tensor([[3.0, -1.0]])]
    loss = lambda b: (c[b] * layer.weight).sum()  # noqa: E731  gradient c[b]
    s = importance.scores("taylor", [(layer, "weight")], loss, [0, 1])
    assert torch.equal(s[(layer, "weight")], torch.tensor([[(2 + 6) / 2, (3 + 3) / 2]]))


@pytest.mark.slow
@pytest.mark.parametrize("overrides, key", [
    (["prune=magnitude", "prune.amount=1.5"], "prune.amount"),
    (["prune=relevance", "prune.amount=-0.2"], "prune.amount"),
    (["prune=magnitude", "prune.structure=structured"], "prune.scope"),
    (["prune=penalty", "regularization=[l2]"], "prune.method"),
    (["prune=magnitude", "prune.steps=3", "prune.finetune_epochs=0"], "prune.finetune_epochs"),
    (["prune=magnitude", "prune.steps=7", "trainer.max_epochs=60"], "prune.steps"),
])
def test_bad_pruning_settings_are_refused_before_torch(overrides, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        validate(make_cfg(overrides))


@pytest.mark.slow
def test_aa_train_refuses_an_amount_outside_zero_one_with_one_paragraph(tmp_path):
    p = aa_train("prune=magnitude", "prune.amount=1.5", f"hydra.run.dir={tmp_path}/bad", timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "prune.amount=1.5" in p.stderr and "< 1" in p.stderr
    assert not (tmp_path / "bad").exists()
