"""Named-entity tagging: entity-level scores on hand-worked examples (and against seqeval where it is
installed), the CoNLL reader and its refusals, and the tagger learning the embedded entity set."""
from __future__ import annotations

import pytest

from aa.base.errors import ConfigError
from aa.config.conll_file import read_conll
from aa.task.entities import counts, entities, scores

TRUE = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "I-ORG", "O", "O", "B-PER"]]
PRED = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "I-ORG", "O", "I-PER", "O"]]


def test_entities_are_runs_of_one_type_and_a_stray_i_starts_one():
    assert entities(["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-LOC"]) == {("PER", 0, 1), ("LOC", 3, 5)}
    assert entities(["O", "I-PER", "B-PER", "I-ORG"]) == {("PER", 1, 1), ("PER", 2, 2), ("ORG", 3, 3)}


def test_scores_count_whole_entities_by_hand():
    # true: PER(0-1) LOC(3) | ORG(0-1) PER(4); predicted: PER(0) LOC(3) | ORG(0-1) PER(3)
    hit, n_pred, n_true = counts(TRUE, PRED)
    assert (hit, n_pred, n_true) == (2, 4, 4)  # LOC and ORG match; both PER have the wrong span
    assert scores(hit, n_pred, n_true) == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert scores(*counts([["B-PER", "O", "B-LOC"]], [["B-PER", "O", "O"]]))["f1"] == pytest.approx(2 / 3)


def test_scores_equal_seqevals():
    seqeval = pytest.importorskip("seqeval.metrics")
    mine = scores(*counts(TRUE, PRED))
    assert mine["precision"] == pytest.approx(seqeval.precision_score(TRUE, PRED))
    assert mine["recall"] == pytest.approx(seqeval.recall_score(TRUE, PRED))
    assert mine["f1"] == pytest.approx(seqeval.f1_score(TRUE, PRED))


def test_conll_reader_skips_docstart_and_reads_the_last_column(tmp_path):
    f = tmp_path / "a.conll"
    f.write_text("-DOCSTART- -X- O O\n\nAna NNP B-NP B-PER\nruns VBZ B-VP O\n\nin IN B-PP O\nLyon NNP B-NP B-LOC\n")
    assert read_conll(str(f)) == [(["Ana", "runs"], ["B-PER", "O"]), (["in", "Lyon"], ["O", "B-LOC"])]


@pytest.mark.parametrize("text, line, why", [
    ("Ana B-PER\nlives\nin O\n", 2, "has no tag"),
    ("Ana NNP B-PER\nlives O\n", 2, "2 columns where the lines before it have 3"),
    ("Ana B-PER\nGomez I-LOC\n", 2, "I-LOC after B-PER"),
    ("x O\n\nLyon I-LOC\n", 3, "I-LOC after the start of a sentence"),
    ("Ana PERSON\n", 1, "not O, B-TYPE or I-TYPE"),
])
def test_a_bad_conll_line_is_refused_naming_file_and_line(tmp_path, text, line, why):
    f = tmp_path / "bad.conll"
    f.write_text(text)
    with pytest.raises(ConfigError) as e:
        read_conll(str(f))
    assert f"bad.conll line {line} " in str(e.value) and why in str(e.value)


@pytest.mark.slow
def test_aa_train_refuses_a_bad_conll_file_before_training(tmp_path):
    from conftest import aa_train

    f = tmp_path / "ner_bad.conll"
    f.write_text("Ana B-PER\nlives\nin O\n")
    p = aa_train("model=tagger", "dataset=conll", f"dataset.path={f}", f"hydra.run.dir={tmp_path / 'run'}", timeout=120)
    out = p.stdout + p.stderr
    assert p.returncode == 2 and "Traceback" not in out and "ner_bad.conll line 2" in out, out


@pytest.mark.slow
@pytest.mark.parametrize("encoder, f1", [("lstm", 0.95), ("transformer", 0.9)])
def test_tagger_finds_the_embedded_entities(run, one_thread, encoder, f1):
    """Most val/test names never occur in training (they arrive as <unk>): the tags come from the context."""
    m = run(["model=tagger", f"model.encoder={encoder}", "dataset=grammar_entities",
             "dataset.n_test=300", "trainer.max_epochs=15", "optim.lr=0.005"])
    assert m["task"] == "tagging" and m["optimized_metric"]["name"] == "val/f1"
    assert m["test"]["f1"] >= f1, m["test"]


@pytest.mark.slow
def test_tagger_trains_on_a_conll_file(run, tmp_path, one_thread):
    f = tmp_path / "ner.conll"
    rows = [("Ana lives in Valencia .", "B-PER O O B-LOC O"), ("Luis works at Acme Corp .", "B-PER O O B-ORG I-ORG O")]
    f.write_text("-DOCSTART- O\n\n" + "".join(
        "".join(f"{w} {t}\n" for w, t in zip(s.split(), g.split())) + "\n" for s, g in rows * 40))
    m = run(["model=tagger", "dataset=conll", f"dataset.path={f}", "trainer.max_epochs=10", "optim.lr=0.01"])
    assert m["data"]["train"]["samples"] == 64 and m["test"]["f1"] >= 0.9, m


def test_character_features_see_inside_unknown_words():
    import torch

    from aa.models.tagger import Tagger

    torch.manual_seed(0)
    x = torch.zeros(1, 3, 1 + 5, dtype=torch.long)
    x[0, :, 0] = torch.tensor([5, 1, 6])  # the middle word is <unk>
    x[0, :, 1:4] = torch.tensor([3, 4, 5])
    other = x.clone()
    other[0, 1, 1:4] = torch.tensor([7, 8, 9])  # another unknown word: other characters
    for char_dim, differs in ((0, False), (8, True)):
        net = Tagger((10,), 3, char_dim=char_dim, n_chars=12, dropout=0.0).eval()
        assert (not torch.allclose(net(x)[0, 1], net(other)[0, 1])) == differs


@pytest.mark.slow
def test_tagger_with_character_features_learns_the_embedded_entities(run, one_thread):
    m = run(["model=tagger", "model.char_dim=16", "dataset=grammar_entities", "dataset.n_train=300",
             "dataset.n_test=300", "trainer.max_epochs=10", "optim.lr=0.005"])
    assert m["test"]["f1"] >= 0.95, m["test"]
