"""Text: augmentation ops, the EmbeddingBag and char-level models learning small sets written here,
sample predictions in TensorBoard, and a clean error when a data set is absent."""
from __future__ import annotations


import pytest
import torch
from conftest import Events, aa_train, make_cfg
from data_files import SYLLABLES, write_surnames, write_topics

from aa.base.errors import ConfigError
from aa.data.text_augment import DeleteWords, InsertWords, SubstituteWords

pytestmark = pytest.mark.usefixtures("one_thread")


BATCH = torch.tensor([[5, 6, 7, 8, 0, 0], [9, 10, 0, 0, 0, 0], [11, 12, 13, 14, 15, 16]])


def lengths(x: torch.Tensor) -> list[int]:
    return (x != 0).sum(1).tolist()


def right_padded(x: torch.Tensor) -> bool:
    """No word after a padding id: the models find a text's length as its count of non-zero ids."""
    real = x != 0
    return bool((real[:, 1:] <= real[:, :-1]).all())


def test_delete_keeps_order_and_at_least_one_word():
    torch.manual_seed(0)
    assert torch.equal(DeleteWords(0.0)(BATCH), BATCH)
    assert DeleteWords(1.0)(BATCH)[:, 0].tolist() == [5, 9, 11] and lengths(DeleteWords(1.0)(BATCH)) == [1, 1, 1]
    out = DeleteWords(0.5)(BATCH)
    assert right_padded(out)
    for row, before in zip(out.tolist(), BATCH.tolist()):
        kept = [t for t in row if t]
        assert kept == [t for t in before if t in kept]  # a subsequence, order kept


def test_insert_with_p_one_doubles_every_text_and_keeps_the_originals_in_place():
    torch.manual_seed(0)
    out = InsertWords(1.0)(BATCH)
    assert lengths(out) == [8, 4, 12] and right_padded(out)
    assert out[0, 0:8:2].tolist() == [5, 6, 7, 8] and out[2, 0:12:2].tolist() == list(range(11, 17))
    pool = set(BATCH[BATCH != 0].tolist())
    assert set(out[:, 1::2][out[:, 1::2] != 0].tolist()) <= pool  # new words come from the batch


def test_substitute_replaces_words_by_batch_words_and_keeps_lengths():
    torch.manual_seed(0)
    out = SubstituteWords(1.0)(BATCH)
    assert lengths(out) == lengths(BATCH) and torch.equal(out == 0, BATCH == 0)
    assert set(out[out != 0].tolist()) <= set(BATCH[BATCH != 0].tolist())
    assert torch.equal(SubstituteWords(0.0)(BATCH), BATCH)


def test_text_augmentation_refuses_float_inputs():
    with pytest.raises(ConfigError, match="augmentation='DeleteWords'.*text data set"):
        DeleteWords(0.1)(torch.rand(2, 3))


def test_augmentation_changes_training_batches_only(tmp_path):
    from aa.run.build import build_data

    path = write_topics(tmp_path / "t.csv", 60)
    cfg = make_cfg(["dataset=text_csv", f"dataset.path={path}", "model=embedding_bag", "augmentation=[delete,insert]",
                    "augmentation.delete.p=0.5", "augmentation.insert.p=0.5", "batch=full"])
    dm = build_data(cfg)
    (x, _), = list(next(iter(dm.train_dataloader())))
    assert x.shape[1] != dm.x_train.shape[1] or not torch.equal(x, dm.x_train)
    (xv, _), = list(dm.val_dataloader())
    assert torch.equal(xv, dm.x_val)


@pytest.mark.slow
def test_embedding_bag_learns_a_small_text_set(run, tmp_path):
    path = write_topics(tmp_path / "topics.csv", 300)
    m = run(["dataset=text_csv", f"dataset.path={path}", "model=embedding_bag", "model.embed_dim=16",
             "optim=sgd", "optim.lr=2.0", "batch.size=16", "trainer.max_epochs=8"])
    assert m["test"]["acc"] > 0.9, m["test"]


@pytest.mark.slow
def test_word_embeddings_and_lstm_learn_a_small_text_set(run, tmp_path):
    path = write_topics(tmp_path / "topics.csv", 300)
    m = run(["dataset=text_csv", f"dataset.path={path}", "model=text_rnn", "model.embed_dim=16",
             "model.hidden_size=16", "optim.lr=0.02", "batch.size=16", "trainer.max_epochs=8"])
    assert m["test"]["acc"] > 0.9, m["test"]


@pytest.mark.slow
def test_char_lstm_classifies_surnames_by_country_and_logs_sample_predictions(run, tmp_path):
    write_surnames(tmp_path / "data", 150)
    m = run(["dataset=names", f"dataset.root={tmp_path / 'data'}", "dataset.names_per_country=150",
             "dataset.countries=[JP,PL,IT]", "model=lstm", "model.hidden_size=32", "optim.lr=0.02",
             "batch.size=16", "trainer.max_epochs=10"], "names")
    assert m["test"]["acc"] > 0.8, m["test"]  # chance: 1/3
    run_dir = tmp_path / "names"
    table = (run_dir / "sample_predictions.md").read_text(encoding="utf-8").splitlines()
    assert table[0] == "| text | true | predicted |" and len(table) == 2 + 10
    assert all(row.split(" | ")[1] in SYLLABLES for row in table[2:])
    assert (run_dir / "confusion_matrix.png").is_file()
    assert "test/sample_predictions/text_summary" in Events(run_dir).tags("tensors")


@pytest.mark.slow
def test_absent_text_data_ends_with_one_paragraph_and_no_traceback(tmp_path):
    """Through the real command line (a new process: ~10 s of CPU)."""
    p = aa_train("model=embedding_bag", "dataset=ag_news", "dataset.download=false", f"dataset.root={tmp_path}",
                 f"hydra.run.dir={tmp_path / 'run'}", env={"PYTHONWARNINGS": "ignore"})
    assert p.returncode != 0 and "Traceback" not in p.stderr + p.stdout
    assert "dataset.download=true" in p.stderr and not (tmp_path / "run").exists()
