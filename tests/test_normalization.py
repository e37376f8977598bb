"""Input standardisation from the training split only, stored with the model; batch/layer norm."""
from __future__ import annotations

import pytest
import torch
from conftest import make_cfg

from aa.nn.input import Standardize
from aa.nn.normalization import BatchNorm, LayerNorm


def test_standardisation_uses_training_statistics_with_the_slide_epsilon() -> None:
    x = torch.tensor([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    st = Standardize.fit(x, eps=1e-5)
    out = st(x)
    torch.testing.assert_close(out[:, 0], (x[:, 0] - 3) / torch.sqrt(torch.tensor(8 / 3 + 1e-5)))
    assert torch.equal(out[:, 1], torch.zeros(3))  # a constant feature stays 0, never blows up
    assert torch.equal(st(torch.tensor([[3.0, 6.0]]))[0, 1], torch.tensor(1.0))


@pytest.mark.slow
def test_standardiser_is_fitted_on_the_train_split_and_saved_in_the_checkpoint(run) -> None:
    m = run(["trainer.max_epochs=1"])
    state = torch.load(m["best_checkpoint"], weights_only=True)["state_dict"]
    from aa.run import build

    dm = build.build_data(make_cfg([]))
    assert torch.allclose(state["model.0.mean"], dm.x_train.mean(0))
    assert not torch.allclose(state["model.0.mean"], torch.cat([dm.x_train, dm.x_test]).mean(0))


def test_batch_norm_uses_running_statistics_in_evaluation() -> None:
    bn = BatchNorm(3)
    x = torch.randn(64, 3) * 4 + 2
    bn.train()
    for _ in range(50):
        bn(x)
    bn.eval()
    single = torch.tensor([[2.0, 2.0, 2.0]])
    torch.testing.assert_close(bn(single), (single - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps),
                               rtol=1e-4, atol=1e-4)
    assert torch.equal(bn(x[:5])[0], bn(x[:1])[0])  # no batch statistics in eval


def test_layer_norm_normalises_each_sample_over_its_units() -> None:
    ln = LayerNorm(6)
    out = ln(torch.randn(4, 6) * 3 + 1)
    torch.testing.assert_close(out.mean(1), torch.zeros(4), atol=1e-5, rtol=0)
    torch.testing.assert_close(out.var(1, unbiased=False), torch.ones(4), atol=1e-3, rtol=0)


@pytest.mark.slow
def test_normalization_option_reaches_every_hidden_layer(run) -> None:
    cfg = make_cfg(["normalization=batch", "model.hidden=[16,8]"])
    from aa.run import build

    model = build.build_task(cfg, build.build_data(cfg)).model
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert [n.num_features for n in norms] == [16, 8]
    m = run(["normalization=layer", "model.hidden=[32,32]", "trainer.max_epochs=10"])
    assert m["test"]["acc"] > 0.9
