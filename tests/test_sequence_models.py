"""Recurrent models: the lecture's formulas, padding that changes nothing, truncated BPTT, and
LSTM/GRU remembering across a lag where the simple recurrent net does not."""
from __future__ import annotations

import pytest
import torch
from conftest import make_cfg
from torch import nn

from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.models.build import build_model

VOCAB = 30


pytestmark = pytest.mark.usefixtures("one_thread")


def model(overrides: list[str], input_shape: tuple[int, ...], outputs: int = 3) -> nn.Module:
    torch.manual_seed(0)
    return build_model(make_cfg(overrides), input_shape, outputs).eval()


def padded_batch() -> tuple[torch.Tensor, list[torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    seqs = [torch.randint(1, VOCAB, (n,), generator=g) for n in (7, 2, 5, 1, 7)]
    batch = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True)
    return torch.cat([batch, torch.zeros(len(seqs), 3, dtype=torch.long)], 1), seqs


MODELS = [["model=rnn"], ["model=lstm"], ["model=gru"], ["model=lstm", "model.bidirectional=true", "model.num_layers=2"],
          ["model=gru", "model.bidirectional=true"], ["model=text_rnn", "model.cell=gru"], ["model=embedding_bag"]]


@pytest.mark.parametrize("overrides", MODELS, ids=lambda o: " ".join(o))
def test_padding_never_changes_a_prediction(overrides):
    net = model([*overrides, "model.hidden_size=16"] if "embedding_bag" not in overrides[0] else overrides, (10, VOCAB))
    batch, seqs = padded_batch()
    with torch.no_grad():
        together = net(batch)
        alone = torch.cat([net(s.unsqueeze(0)) for s in seqs])
    assert torch.allclose(together, alone, atol=1e-6, rtol=0), (together - alone).abs().max()


def test_per_step_outputs_of_a_padded_batch_match_each_sequence_alone():
    net = model(["model=gru", "model.per_step=true", "model.bidirectional=true", "model.hidden_size=8"], (10, VOCAB))
    batch, seqs = padded_batch()
    with torch.no_grad():
        together = net(batch)
        for i, s in enumerate(seqs):
            assert torch.allclose(together[i, :len(s)], net(s.unsqueeze(0))[0], atol=1e-6, rtol=0)
            assert (together[i, len(s):] == net.out.bias).all()  # padded steps hold no state


def recurrence(r: nn.RNN, x: torch.Tensor, size: int) -> torch.Tensor:
    """The last state of h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), written out step by step."""
    h = torch.zeros(x.shape[0], size)
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ r.weight_ih_l0.T + r.bias_ih_l0 + h @ r.weight_hh_l0.T + r.bias_hh_l0)
    return h


def test_elman_net_computes_the_recurrence_and_a_perceptron_output():
    net = model(["model=rnn", "model.hidden_size=5"], (4, 2), outputs=3)
    x = torch.randn(6, 4, 2)
    h = recurrence(net.rnn, x, 5)
    with torch.no_grad():
        assert torch.allclose(net(x), h @ net.out.weight.T + net.out.bias, atol=1e-6)


def test_simple_recurrent_net_feeds_its_output_back():
    """y_t = g(W^Y y_{t-1} + W^X x_t): no output layer, the state is the output."""
    net = model(["model=rnn", "model.output_layer=false"], (4, 2), outputs=3)
    x = torch.randn(6, 4, 2)
    y = recurrence(net.rnn, x, 3)
    with torch.no_grad():
        assert torch.allclose(net(x), y, atol=1e-6)
    assert sum(p.numel() for p in net.parameters()) == 3 * 2 + 3 * 3 + 3 + 3


def input_gradient(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    net(x).sum().backward()
    return x.grad.abs().sum(dim=(0, 2))


@pytest.mark.slow
def test_truncated_bptt_stops_gradients_at_chunk_boundaries_but_not_the_state():
    full = model(["model=lstm", "model.hidden_size=8"], (20, 2), outputs=1).train()
    cut = model(["model=lstm", "model.hidden_size=8", "model.tbptt_steps=6"], (20, 2), outputs=1).train()
    x = torch.randn(4, 20, 2)
    assert torch.allclose(full(x), cut(x), atol=1e-6)  # same weights, same forward pass
    g_full, g_cut = input_gradient(full, x), input_gradient(cut, x)
    assert (g_full > 0).all()
    assert (g_cut[:18] == 0).all() and (g_cut[18:] > 0).all()  # chunks 0-5, 6-11, 12-17, 18-19


def test_truncated_bptt_many_to_many_reaches_back_to_the_start_of_each_chunk():
    net = model(["model=gru", "model.hidden_size=8", "model.per_step=true", "model.tbptt_steps=6"], (20, 2)).train()
    x = torch.randn(4, 20, 2, requires_grad=True)
    net(x)[:, 10].sum().backward()  # step 10 lies in the chunk of steps 6-11
    reach = x.grad.abs().sum(dim=(0, 2))
    assert (reach[:6] == 0).all() and (reach[6:11] > 0).all() and (reach[11:] == 0).all()


@pytest.mark.slow
def test_truncated_bptt_keeps_the_state_of_sequences_that_ended_in_an_earlier_chunk():
    full = model(["model=gru", "model.hidden_size=8"], (10, VOCAB)).train()
    cut = model(["model=gru", "model.hidden_size=8", "model.tbptt_steps=2"], (10, VOCAB)).train()
    batch, _ = padded_batch()
    assert torch.allclose(full(batch), cut(batch), atol=1e-6)


@pytest.mark.slow
def test_dropout_acts_between_stacked_layers_and_on_the_last_state_in_training_only():
    x = torch.randn(4, 6, 2)
    for overrides, between in ((["model=lstm", "model.num_layers=2"], 0.5), (["model=rnn"], 0.0)):
        net = model([*overrides, "model.dropout=0.5", "model.hidden_size=8"], (6, 2))
        assert net.rnn.dropout == between  # torch applies it between layers only
        assert isinstance(net.drop, nn.Dropout) and net.drop.p == 0.5
        with torch.no_grad():
            assert torch.equal(net(x), net(x))
            net.train()
            assert not torch.equal(net(x), net(x))
    plain = model(["model=lstm", "model.num_layers=2", "model.hidden_size=8"], (6, 2)).train()
    assert plain.rnn.dropout == 0 and torch.equal(plain(x), plain(x))


@pytest.mark.parametrize("overrides", [["model=lstm", "model.tbptt_steps=5"], ["model=rnn", "model.output_layer=false"]])
def test_one_direction_options_with_a_bidirectional_net_are_refused_before_training(overrides):
    with pytest.raises(ConfigError, match="bidirectional=false"):
        validate(make_cfg([*overrides, "model.bidirectional=true", "dataset=adding"]))


ADDING = ["dataset=adding", "dataset.length=20", "dataset.n_samples=4000", "model.hidden_size=32",
          "optim.lr=0.01", "batch.size=64", "trainer.max_epochs=12"]


@pytest.mark.slow
def test_lstm_and_gru_solve_the_adding_problem_where_the_simple_rnn_stays_at_the_baseline(run):
    """T=20 (lag up to 19 steps), 600 updates: the gated nets' MSE falls far below the constant
    prediction's 0.167; the tanh RNN stays near it (Hochreiter & Schmidhuber 1997)."""
    mse = {m: run([f"model={m}", *ADDING], m)["test"]["mse"] for m in ("lstm", "gru", "rnn")}
    assert mse["lstm"] < 0.04 and mse["gru"] < 0.04, mse
    assert mse["rnn"] > 0.12, mse


@pytest.mark.slow
def test_gru_learns_the_running_parity_with_a_label_per_step(run):
    m = run(["model=gru", "dataset=parity", "dataset.per_step=true", "dataset.length=8", "dataset.n_samples=2000",
             "model.hidden_size=16", "optim.lr=0.02", "batch.size=32", "trainer.max_epochs=6"])
    assert m["test"]["acc"] > 0.95, m["test"]
