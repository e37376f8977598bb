"""BERT-style pretraining: the 15 % / 80-10-10 masking rule counted, attention both ways, a pretrained
encoder carried into a fine-tuning model word by word, and pretrain-then-fine-tune through aa-train."""
from __future__ import annotations

import pytest
import torch

from aa.data.text_stream import MASK_ID, SPECIALS
from aa.models.bert import BERT
from aa.task.masked_lm import mask_tokens


def test_masking_chooses_15_percent_of_real_tokens_and_replaces_80_10_10():
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(len(SPECIALS), 1000, (400, 250), generator=g)
    ids[:, -50:] = 0  # padding is never chosen
    inputs, chosen = mask_tokens(ids, 1000, g)
    real = ids >= len(SPECIALS)
    assert not chosen[~real].any()
    assert chosen[real].float().mean().item() == pytest.approx(0.15, abs=0.005)
    picked, original = inputs[chosen], ids[chosen]
    masked = (picked == MASK_ID).float().mean().item()
    kept = (picked == original).float().mean().item()
    swapped = ((picked != MASK_ID) & (picked != original)).float().mean().item()
    assert masked == pytest.approx(0.8, abs=0.01) and kept == pytest.approx(0.1, abs=0.01)
    assert swapped == pytest.approx(0.1, abs=0.01)
    assert torch.equal(inputs[~chosen], ids[~chosen])


def test_every_position_sees_the_whole_window():
    torch.manual_seed(0)
    words = [*SPECIALS, *"abcdefgh"]
    net = BERT((8,), 3, d_model=16, nhead=2, dim_feedforward=32, dropout=0.0, vocabulary=words).eval()
    ids = torch.tensor([[3, 4, 5, 6, 7, 8]])
    changed = ids.clone()
    changed[0, 5] = 9
    assert not torch.allclose(net.encode(ids)[:, 0], net.encode(changed)[:, 0], atol=1e-5)


def test_a_pretrained_encoder_is_copied_and_its_word_vectors_follow_the_words(tmp_path):
    torch.manual_seed(0)
    old_words = [*SPECIALS, "cat", "dog", "hay", "barn"]
    old = BERT((8,), len(old_words), d_model=16, nhead=2, dim_feedforward=32, vocabulary=old_words)
    run = tmp_path / "pre"
    (run / "checkpoints").mkdir(parents=True)
    torch.save({"state_dict": {f"model.{k}": v for k, v in old.state_dict().items()}}, run / "checkpoints" / "best.ckpt")
    new_words = ["<pad>", "<unk>", "barn", "zebra", "cat"]
    new = BERT((8,), 4, d_model=16, nhead=2, dim_feedforward=32, vocabulary=new_words, pretrained=str(run),
               freeze=True)
    e_old, e_new = old.embed.weight, new.embed.weight
    assert torch.equal(e_new[2], e_old[old_words.index("barn")]) and torch.equal(e_new[4], e_old[old_words.index("cat")])
    assert not torch.equal(e_new[3], e_old[3])  # "zebra" was never pretrained: it keeps a fresh vector
    assert torch.equal(new.encoder.layers[0].linear1.weight, old.encoder.layers[0].linear1.weight)
    assert new.classifier.weight.shape == (4, 16)
    assert [n for n, p in new.named_parameters() if p.requires_grad] == ["classifier.weight", "classifier.bias"]


def test_a_pretrained_path_that_is_no_run_is_refused_before_torch(tmp_path):
    from conftest import make_cfg

    from aa.base.errors import ConfigError
    from aa.config.validate import validate

    with pytest.raises(ConfigError, match="model.pretrained"):
        validate(make_cfg(["model=bert", "dataset=grammar_topics", f"model.pretrained={tmp_path}"]))
    with pytest.raises(ConfigError, match="model.freeze"):
        validate(make_cfg(["model=bert", "dataset=grammar_topics", "model.freeze=true"]))


@pytest.mark.slow
def test_pretrain_on_the_grammar_corpus_then_fine_tune_on_its_topics(run, tmp_path, one_thread):
    pre = run(["model=bert", "dataset=grammar", "dataset.val_fraction=0.05", "trainer.max_epochs=4"], name="pre")
    assert pre["task"] == "language_model" and pre["optimized_metric"]["name"] == "val/acc"
    # each slot holds one of six words of its class (a few slots are certain): above chance, below 1
    assert 0.2 < pre["test"]["acc"] < 0.9 and pre["test"]["loss"] < 3.0, pre["test"]
    ft = run(["model=bert", f"model.pretrained={tmp_path / 'pre'}", "dataset=grammar_topics", "dataset.n_test=200",
              "trainer.max_epochs=15"], name="ft")
    assert ft["task"] == "classification" and ft["test"]["acc"] > 0.5, ft["test"]  # 4 topics: chance 0.25


def test_a_damaged_or_foreign_checkpoint_is_refused_without_running_its_pickle(tmp_path) -> None:
    """weights_only loading: a pickle that would call a function is refused in one paragraph."""
    import pickle

    import pytest

    from aa.base.errors import ConfigError
    from aa.models.bert import pretrained_state

    (tmp_path / "checkpoints").mkdir()
    with open(tmp_path / "checkpoints" / "best.ckpt", "wb") as f:
        pickle.dump(print, f)  # a global that weights_only refuses to resolve
    with pytest.raises(ConfigError, match="model.pretrained.*not a checkpoint aa-train wrote"):
        pretrained_state(str(tmp_path))
