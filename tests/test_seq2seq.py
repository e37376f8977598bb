"""Sequence-to-sequence runs through aa-train's own path: each model learns a small generated task on
the CPU, reports exact match, token accuracy and BLEU, and draws decoded examples and attention maps."""
from __future__ import annotations

import pytest
import torch
from conftest import Events, make_cfg

from aa.task.seq2seq import match

SMALL = ["dataset=reverse", "dataset.length=5", "dataset.n_samples=800", "batch.size=16", "optim.lr=0.003"]


@pytest.mark.slow
def test_attention_seq2seq_learns_to_reverse_and_draws_its_attention(run, tmp_path, one_thread):
    m = run(["model=seq2seq", "model.hidden_size=64", "model.embed_dim=16", *SMALL, "trainer.max_epochs=6"])
    assert m["task"] == "seq2seq"
    assert m["test"]["exact"] >= 0.9 and m["test"]["token_acc"] >= 0.95 and m["test"]["bleu"] >= 0.8
    assert m["optimized_metric"]["name"] == "val/exact"
    events = Events(tmp_path / "run")
    assert any(t.startswith("attention/") for t in events.tags("images"))
    assert (tmp_path / "run" / "attention_0.png").is_file()
    table = (tmp_path / "run" / "decoded_examples.md").read_text()
    assert table.count("\n") >= 5 and "| source | target | decoded |" in table


@pytest.mark.slow
def test_transformer_learns_to_reverse_with_beam_decoding_and_draws_its_attention(run, tmp_path, one_thread):
    m = run(["model=transformer", "model.dropout=0.0", *SMALL, "trainer.max_epochs=8",
             "decode=beam", "decode.beam_size=3"])
    assert m["test"]["exact"] >= 0.9
    assert any(t.startswith("attention/") for t in Events(tmp_path / "run").tags("images"))


@pytest.mark.slow
def test_without_attention_the_encoder_decoder_still_learns_short_strings(run, one_thread):
    m = run(["model=seq2seq", "model.attention=none", "model.cell=lstm", "model.hidden_size=64",
             "model.teacher_forcing=0.8", *SMALL[:-1], "dataset.length=3", "dataset.alphabet=5",
             "optim.lr=0.01", "trainer.max_epochs=6"])
    assert m["test"]["exact"] >= 0.8


@pytest.mark.slow
def test_second_order_rnn_learns_tomita_4_and_generalises_to_longer_strings(run, one_thread):
    m = run(["model=second_order_rnn", "dataset=tomita", "dataset.grammar=4", "dataset.per_length=100",
             "optim.lr=0.01", "trainer.max_epochs=12"])
    assert m["test"]["acc"] >= 0.95


def test_exact_match_counts_whole_sequences_and_token_accuracy_counts_positions():
    y = torch.tensor([[5, 6, 3, 0], [5, 6, 7, 3]])
    pred = torch.tensor([[5, 6, 3], [5, 7, 7]])
    hits, exact = match(pred, y)
    assert hits.tolist() == [3, 2] and exact.tolist() == [True, False]


def test_decode_keys_reach_the_objective():
    from hydra.utils import instantiate

    cfg = make_cfg(["model=seq2seq", "dataset=reverse", "decode.strategy=beam", "decode.beam_size=6",
                    "decode.length_penalty=0.5"])
    decoder = instantiate(cfg.objective.decode)
    assert (decoder.strategy, decoder.beam_size, decoder.length_penalty) == ("beam", 6, 0.5)


@pytest.mark.slow
def test_transformer_encoder_classifies_token_data(tmp_path, one_thread):
    from conftest import fit

    dm, task, trainer = fit(["model=transformer_encoder", "model.d_model=32", "model.dim_feedforward=64",
                             "dataset=tomita", "dataset.grammar=1", "dataset.per_length=60", "optim.lr=0.003",
                             "trainer.max_epochs=6"], tmp_path, quiet=True)
    assert float(trainer.callback_metrics["val/acc"]) >= 0.9


@pytest.mark.slow
def test_one_hot_inputs_have_no_embedding_to_learn():
    from conftest import make_model

    shape = (6, 40)
    learned = make_model(["model=seq2seq", "dataset=reverse"], shape, 40)
    one_hot = make_model(["model=seq2seq", "dataset=reverse", "model.embedding=one_hot"], shape, 40)
    assert one_hot.src_in.embed is None and one_hot.encoder.input_size == 40
    assert learned.encoder.input_size == 32
    text = make_model(["model=text_rnn", "dataset=names", "model.embedding=one_hot"], (8, 50), 3)
    assert text.embed is None and text.rnn.input_size == 50
    x = torch.tensor([[4, 5, 6, 0, 0, 0]])
    assert one_hot(x, torch.tensor([[2, 7, 8]])).shape == (1, 3, 40)
