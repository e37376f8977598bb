"""Word2Vec vectors reused by a text model: the labelled grammar sentences (dataset=grammar_topics) and
the experiment's claim that vectors learned from unlabelled text beat a random start on few labels."""
from __future__ import annotations

import pytest

from aa.data.grammar import CLASSES
from aa.data.grammar_topics import TOPICS, GrammarTopicsData

QUIET = ["callbacks.model_summary=null", "callbacks.model_graph=null", "callbacks.gradient_stats=null"]
CLASSIFIER_QUIET = [*QUIET, "callbacks.confusion_matrix=null"]  # the classifying objective's figure


def test_each_label_is_the_class_of_the_one_informative_word():
    dm = GrammarTopicsData(n_train=40, n_test=200, val_fraction=0.25, seed=3)
    rec = dm.read()
    assert len(rec.texts) == 40 and len(rec.test_texts) == 200 and rec.class_names == list(TOPICS)
    for text, label in zip(rec.texts + rec.test_texts, rec.labels + rec.test_labels):
        words = text.split()
        assert len(words) == 6 and words[2] in CLASSES[TOPICS[label]]
        assert words[0] in CLASSES["determiner"] and words[5] in CLASSES["place"]
    assert rec.test_texts != GrammarTopicsData(n_train=200, n_test=200, seed=3).read().texts  # own stream
    assert GrammarTopicsData(n_train=40, seed=3).read().texts == rec.texts  # the seed decides
    dm.setup()
    assert (len(dm.y_train), len(dm.y_val), len(dm.y_test)) == (30, 10, 200)


@pytest.mark.slow
def test_word2vec_vectors_of_the_unlabelled_corpus_beat_a_random_start_on_few_labels(run, one_thread, tmp_path):
    m = run(["model=word2vec", "dataset=grammar", "model.dim=32", "trainer.max_epochs=10", "model.alpha=0.05",
             "dataset.n_sentences=3000", "dataset.batch_size=256", *QUIET], name="w2v")
    assert m["test"]["neighbour_same_class"] >= 0.9
    vectors = tmp_path / "w2v" / "embeddings.txt"
    text = ["experiment=embeddings_for_text", *CLASSIFIER_QUIET]
    random = run([*text, "model.pretrained_embeddings=null"], name="random")
    reused = run([*text, f"model.pretrained_embeddings={vectors}"], name="reused")
    assert reused["test"]["acc"] >= 0.75 and reused["test"]["acc"] >= random["test"]["acc"] + 0.2, (random, reused)
