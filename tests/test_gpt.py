"""GPT-style language model: causal attention and weight tying as stated, perplexity = exp(loss), the
context refusal, learning a user's text file through aa-train, and aa-sample continuing a prompt."""
from __future__ import annotations

import math

import pytest
import torch
from conftest import make_cfg, refused

from aa.models.gpt import GPT

STORY = "the cat sat on the mat . the dog sat on the log . a bird sang in the tree . " * 60


def test_a_later_token_never_changes_earlier_predictions():
    torch.manual_seed(0)
    net = GPT((8,), 20, d_model=16, nhead=2, dim_feedforward=32, dropout=0.0).eval()
    ids = torch.randint(3, 20, (1, 8))
    changed = ids.clone()
    changed[0, 5] = (ids[0, 5] + 1 - 3) % 17 + 3
    a, b = net(ids), net(changed)
    assert torch.allclose(a[:, :5], b[:, :5], atol=1e-6)
    assert not torch.allclose(a[:, 5:], b[:, 5:], atol=1e-4)


def test_the_output_layer_is_the_token_embedding():
    net = GPT((8,), 20, d_model=16, nhead=2)
    assert net.head.weight is net.embed.weight
    assert sum(p.numel() for p in net.parameters()) == sum(p.numel() for p in set(net.parameters()))


def test_a_context_longer_than_the_positions_is_refused_before_training(tmp_path):
    from conftest import build

    text = tmp_path / "t.txt"
    text.write_text(STORY)
    refused(lambda: build(["model=gpt", "dataset=text_file", f"dataset.path={text}", "dataset.block_size=64",
                           "model.max_length=32"]), r"model\.max_length.*block_size=64")


def test_a_missing_text_file_is_refused_before_torch(tmp_path):
    from aa.base.errors import ConfigError
    from aa.config.validate import validate

    with pytest.raises(ConfigError, match="nofile.txt"):
        validate(make_cfg(["model=gpt", "dataset=text_file", f"dataset.path={tmp_path / 'nofile.txt'}"]))


@pytest.mark.slow
def test_gpt_learns_a_text_file_and_reports_perplexity_as_exp_loss(run, tmp_path, one_thread):
    text = tmp_path / "story.txt"
    text.write_text(STORY)
    m = run(["model=gpt", "dataset=text_file", f"dataset.path={text}", "trainer.max_epochs=4", "dataset.block_size=16"])
    assert m["task"] == "language_model" and m["optimized_metric"]["name"] == "val/perplexity"
    assert m["test"]["perplexity"] == pytest.approx(math.exp(m["test"]["loss"]), rel=1e-4)
    # a unigram model of this text has perplexity ~12 and a bigram model ~1.6 (after "the": five nouns);
    # with the sentence in view the next word is certain
    assert m["test"]["perplexity"] < 1.25, m["test"]


@pytest.mark.slow
def test_aa_sample_continues_a_prompt_from_a_gpt_run(run, tmp_path, one_thread):
    import subprocess

    text = tmp_path / "story.txt"
    text.write_text(STORY)
    run(["model=gpt", "dataset=text_file", f"dataset.path={text}", "trainer.max_epochs=2", "dataset.block_size=16"])
    out = tmp_path / "samples.txt"
    p = subprocess.run(["aa-sample", f"ckpt={tmp_path / 'run'}", "n=2", "prompt=the dog", "length=6",
                        "temperature=0.5", "top_k=1", f"output={out}"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    lines = out.read_text().splitlines()
    # top_k=1: the most probable token each time, so both texts agree; the learnt story goes on
    assert len(lines) == 2 and lines[0] == lines[1] and len(lines[0].split()) == 8, lines
    assert lines[0].startswith("the dog sat on the "), lines
    bad = subprocess.run(["aa-sample", f"ckpt={tmp_path / 'run'}", "prompt=the zebra", f"output={out}"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "zebra" in bad.stderr and "Traceback" not in bad.stderr


def test_a_text_file_splits_in_reading_order_at_either_level(tmp_path):
    from aa.data.text_stream import TextFileData

    f = tmp_path / "t.txt"
    f.write_text("abcdefghij" * 10)  # 100 characters
    dm = TextFileData(path=str(f), level="char", block_size=4, val_fraction=0.1, test_fraction=0.2)
    dm.setup()
    assert dm.decode(dm.x_train[0]) == "abcd" and dm.decode(dm.y_train[0]) == "bcde"  # targets: one token on
    assert len(dm.x_train) == 70 - 4 and len(dm.x_test) == 20 // 5  # every start vs held-out windows apart
    assert dm.decode(dm.x_test[0]) == "abcd" and "the last 20 tokens" in dm.split_sources["test"]
    words = TextFileData(path=str(f), level="word", block_size=1, val_fraction=0.1, test_fraction=0.1)
    f.write_text("The cat, the dog.\nThe cat sat.\n" * 5)
    words.setup()
    assert {"The", "cat", ",", "."} <= set(words.itos)  # words keep their case; punctuation marks are tokens
