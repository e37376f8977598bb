"""Word2Vec: the pieces checked against their formulas, learning checked on the generated grammar,
the word tests checked against gensim's own evaluation, bad input refused before training."""
from __future__ import annotations

import math
import subprocess
from collections import Counter

import pytest
import torch
from conftest import make_cfg

from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.data.corpus import CorpusData
from aa.data.grammar import CLASSES
from aa.models.word2vec import Word2Vec, context_windows
from aa.task.word2vec import NegativeSampling
from aa.data.word_tests import (
    analogies,
    gensim_test_data,
    read_pairs,
    same_class_neighbours,
    similarity,
)

QUICK = ["trainer.max_epochs=5", "model.alpha=0.05", "dataset.n_sentences=5000", "dataset.batch_size=256",
         "callbacks.model_summary=null", "callbacks.model_graph=null", "callbacks.gradient_stats=null"]


@pytest.mark.slow
@pytest.mark.parametrize("update", ["loop", "closed_form"])
@pytest.mark.parametrize("mode", ["skipgram", "cbow"])
def test_grammar_words_end_up_nearest_to_words_of_their_class(run, one_thread, mode, update):
    m = run(["model=word2vec", f"model.mode={mode}", f"model.update={update}", "dataset=grammar", *QUICK],
            name=f"{mode}-{update}")
    assert m["task"] == "embedding"
    assert m["test"]["neighbour_same_class"] >= 0.9
    assert m["val"]["loss"] < math.log(2) * 6  # below the loss of the untrained net, sigma(0) everywhere


def test_untrained_vectors_do_not_pass_the_neighbour_test():
    """The measure can fail: random vectors put about 1 in 11 words next to their class."""
    itos = [w for words in CLASSES.values() for w in words]
    classes = {w: c for c, words in CLASSES.items() for w in words}
    torch.manual_seed(0)
    assert same_class_neighbours(torch.randn(len(itos), 50), itos, classes) < 0.4
    grouped = torch.zeros(len(itos), len(CLASSES))
    grouped[torch.arange(len(itos)), torch.arange(len(itos)) // 6] = 1
    assert same_class_neighbours(grouped + 0.01 * torch.randn_like(grouped), itos, classes) == 1.0


def test_negative_sampling_loss_is_the_papers_formula():
    pos, neg = torch.randn(7), torch.randn(7, 5)
    expected = -(torch.log(torch.sigmoid(pos)).sum() + torch.log(torch.sigmoid(-neg)).sum())
    assert torch.allclose(NegativeSampling()(pos, neg), expected, atol=1e-5)


def test_context_windows_stay_inside_sentences_and_within_the_drawn_reach():
    tokens = torch.arange(20)
    sentences = torch.tensor([0] * 8 + [1] * 12)
    torch.manual_seed(0)
    context, valid = context_windows(tokens, sentences, 3)
    offsets = torch.tensor([-3, -2, -1, 1, 2, 3])
    for i in range(20):
        got = context[i][valid[i]]
        assert all(sentences[j] == sentences[i] for j in got)
        assert all(abs(int(j) - i) <= 3 for j in got)
        reach = max((abs(int(o)) for o, v in zip(offsets, valid[i]) if v), default=0)
        # every word within the drawn reach and the sentence counts
        expect = [i + int(o) for o in offsets if abs(int(o)) <= reach and 0 <= i + int(o) < 20
                  and sentences[i + int(o)] == sentences[i]]
        assert sorted(got.tolist()) == sorted(expect)
    reaches = Counter()
    for _ in range(200):
        _, v = context_windows(torch.arange(40), torch.zeros(40, dtype=torch.long), 3)
        reaches.update(v[20, 3:].sum().item() for _ in [0])
    assert set(reaches) == {1, 2, 3}  # word2vec's dynamic window: every reach 1..window occurs


def test_noise_words_follow_the_unigram_distribution_to_the_three_quarters():
    counts = torch.tensor([1000.0, 100.0, 10.0, 1.0])
    model = Word2Vec((4,), 4, counts=counts, dim=2)
    torch.manual_seed(0)
    drawn = torch.bincount(model.sample_noise((200000,)), minlength=4).float() / 200000
    expected = counts ** 0.75 / (counts ** 0.75).sum()
    assert torch.allclose(drawn, expected, atol=0.005)


def test_corpus_file_vocabulary_min_count_and_subsampling(tmp_path):
    text = tmp_path / "c.txt"
    text.write_text("the cat sat on the mat\n" * 50 + "a rare word\n" + "the dog sat\n" * 50)
    dm = CorpusData(path=str(text), min_count=2, sample=1e-2, val_fraction=0.01, seed=0)
    dm.setup()
    assert dm.itos[0] == "the" and "rare" not in dm.itos and "word" not in dm.itos
    counts = dict(zip(dm.itos, dm.counts.tolist()))
    total = sum(counts.values())
    f = counts["the"] / total
    assert dm.keep_prob[dm.stoi["the"]].item() == pytest.approx((math.sqrt(f / 1e-2) + 1) * 1e-2 / f, rel=1e-5)
    assert len(dm.train) + len(dm.held) + len(dm.test) == 6 * 50 + 3 * 50  # every word of the vocabulary, once
    assert len(dm.held) > 0 and len(dm.test) > 0
    # runs of text never mix held-out and training sentences
    assert not set(dm.train.sentences.tolist()) & set(dm.held.sentences.tolist())


@pytest.mark.skipif(gensim_test_data() is None, reason="needs gensim's test files")
def test_similarity_and_analogy_scores_equal_gensims_evaluation():
    pytest.importorskip("gensim")
    from gensim.models import KeyedVectors

    folder = gensim_test_data()
    pairs = read_pairs(f"{folder}/wordsim353.tsv")
    words = sorted({w for a, b, _ in pairs for w in (a, b)})[:300]
    words += ["athens", "greece", "baghdad", "iraq", "bangkok", "thailand", "berlin", "germany", "paris", "france"]
    torch.manual_seed(0)
    vectors = torch.randn(len(words), 20)
    kv = KeyedVectors(20)
    kv.add_vectors(words, vectors.numpy())
    stoi = {w: i for i, w in enumerate(words)}
    rho, n = similarity(vectors, stoi, pairs)
    g_pearson, g_spearman, g_oov = kv.evaluate_word_pairs(f"{folder}/wordsim353.tsv")
    assert rho == pytest.approx(g_spearman.statistic, abs=1e-4)
    assert n == round(len(pairs) * (1 - g_oov / 100))
    questions = [("athens", "greece", "baghdad", "iraq"), ("athens", "greece", "bangkok", "thailand"),
                 ("berlin", "germany", "paris", "france"), ("paris", "france", "athens", "greece")]
    acc, n = analogies(vectors, stoi, questions)
    score, sections = kv.evaluate_word_analogies(f"{folder}/questions-words.txt")
    assert n == 4 and 0 <= acc <= 1
    ours = analogies(vectors, stoi, [tuple(q.lower().split()) for s in sections for q in
                                       [" ".join(x) for x in s["correct"] + s["incorrect"]]])
    assert ours[0] == pytest.approx(score, abs=1e-9)


@pytest.mark.slow
def test_word2vec_run_writes_neighbours_projector_and_a_gensim_readable_vector_file(run, one_thread, tmp_path):
    m = run(["model=word2vec", "dataset=grammar", "trainer.max_epochs=2", "dataset.n_sentences=500"], name="w2v")
    run_dir = tmp_path / "w2v"
    assert (run_dir / "metrics.json").exists() and m["test"]["loss"] > 0
    assert list(run_dir.glob("tb/**/projector_config.pbtxt"))
    metadata = next(run_dir.glob("tb/**/metadata.tsv")).read_text().splitlines()
    assert metadata[0] == "class\tword" and len(metadata) == 1 + 66
    from PIL import Image

    sprite = Image.open(next(run_dir.glob("tb/**/sprite.png"))).convert("RGB")  # a class-coloured square a word
    classes = [line.split("\t")[0] for line in metadata[1:]]
    colours = {sprite.getpixel((4 + 8 * (i % 9), 4 + 8 * (i // 9))) for i in range(66)}  # 9 squares a row
    assert len(colours) == len(set(classes)) >= 5
    lines = (run_dir / "embeddings.txt").read_text().splitlines()
    assert lines[0] == "66 100" and len(lines) == 67
    gensim = pytest.importorskip("gensim")
    kv = gensim.models.KeyedVectors.load_word2vec_format(str(run_dir / "embeddings.txt"))
    assert kv.vector_size == 100 and "cat" in kv.key_to_index


@pytest.mark.slow
def test_corpus_errors_name_the_key():
    with pytest.raises(ConfigError, match="dataset.path"):
        validate(make_cfg(["model=word2vec", "dataset=corpus", "dataset.path=/nonexistent.txt"]))
    with pytest.raises(ConfigError, match="model.window"):
        validate(make_cfg(["model=word2vec", "dataset=grammar", "model.window=0"]))
    with pytest.raises(ConfigError, match="objective"):
        validate(make_cfg(["model=word2vec", "dataset=digits"]))
    with pytest.raises(ConfigError, match="model"):
        validate(make_cfg(["model=mlp", "dataset=grammar"]))


def test_min_count_that_removes_every_word_and_a_wordless_file_are_refused(tmp_path):
    text = tmp_path / "c.txt"
    text.write_text("one two three\n" * 4)
    with pytest.raises(ConfigError, match="dataset.min_count=5.*removes every word"):
        CorpusData(path=str(text), min_count=5).setup()
    text.write_text("... !!! ???\n")
    with pytest.raises(ConfigError, match="holds no words"):
        CorpusData(path=str(text), min_count=1).setup()


@pytest.mark.slow
@pytest.mark.parametrize("args", [["dataset.path={empty}"], ["dataset.path={empty}x"], ["dataset.path={one}",
                                  "dataset.min_count=9"]])
def test_bad_corpus_input_exits_2_without_traceback_or_run_dir(tmp_path, args):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "one.txt").write_text("just a few words\n")
    args = [a.format(empty=tmp_path / "empty.txt", one=tmp_path / "one.txt") for a in args]
    p = subprocess.run(["aa-train", "model=word2vec", "dataset=corpus", *args, f"hydra.run.dir={tmp_path}/r"],
                       capture_output=True, text=True, timeout=300)
    out = p.stdout + p.stderr
    assert p.returncode == 2 and "Traceback" not in out and "Invalid config: dataset." in out
    assert not (tmp_path / "r").exists()


def test_loss_of_an_untrained_model_is_six_log_two():
    """Zero output vectors score every word 0: each prediction costs (1 + negative) log 2."""
    model = Word2Vec((10,), 10, counts=torch.ones(10), dim=4, window=2, negative=5)
    pos, neg = model.scores(torch.arange(10), torch.zeros(10, dtype=torch.long))
    assert (NegativeSampling()(pos, neg) / len(pos)).item() == pytest.approx(6 * math.log(2), rel=1e-6)


def _labelled_texts(tmp_path):
    csv = tmp_path / "texts.csv"
    rows = ["label,text"] + [f"animal,the {w} eats grass" for w in ("cat", "dog", "cow")] * 20 \
        + [f"tool,he uses the {w}" for w in ("saw", "drill", "hammer")] * 20
    csv.write_text("\n".join(rows) + "\n")
    vectors = tmp_path / "vectors.txt"
    vectors.write_text("3 4\nthe 1 2 3 4\ncat 0.5 0.5 0.5 0.5\nunseen 9 9 9 9\n")
    return csv, vectors


@pytest.mark.slow
@pytest.mark.parametrize("freeze", [True, False])
def test_text_models_start_from_word2vec_vectors_frozen_or_fine_tuned(one_thread, tmp_path, freeze):
    from conftest import fit

    csv, vectors = _labelled_texts(tmp_path)
    dm, task, _ = fit(["dataset=text_csv", f"dataset.path={csv}", "model=embedding_bag", "model.embed_dim=4",
                       f"model.pretrained_embeddings={vectors}", f"model.freeze_embeddings={freeze}",
                       "trainer.max_epochs=2", "callbacks.model_graph=null"], tmp_path)
    weight = task.model.bag.weight.detach()
    row = weight[dm.vocab.stoi["the"]]
    assert torch.equal(row, torch.tensor([1.0, 2, 3, 4])) == freeze  # kept when frozen, tuned otherwise
    assert task.model.bag.weight.requires_grad != freeze


def test_pretrained_vectors_fill_the_rows_of_words_they_know(tmp_path):
    from aa.models.text import EmbeddingBag, TextRNN

    _, vectors = _labelled_texts(tmp_path)
    vocabulary = ["<pad>", "<unk>", "the", "cat", "saw"]
    bag = EmbeddingBag((5, 5), 2, embed_dim=4, pretrained_embeddings=str(vectors), vocabulary=vocabulary)
    assert torch.equal(bag.bag.weight[2].detach(), torch.tensor([1.0, 2, 3, 4]))
    assert torch.equal(bag.bag.weight[3].detach(), torch.full((4,), 0.5))
    assert not torch.equal(bag.bag.weight[4].detach(), torch.full((4,), 9.0))  # "saw" keeps its random start
    rnn = TextRNN((5, 5), 2, embed_dim=4, hidden_size=3, pretrained_embeddings=str(vectors), vocabulary=vocabulary)
    assert torch.equal(rnn.embed.weight[2].detach(), torch.tensor([1.0, 2, 3, 4]))
    with pytest.raises(ConfigError, match="model.embed_dim=8.*model.embed_dim=4"):
        EmbeddingBag((5, 5), 2, embed_dim=8, pretrained_embeddings=str(vectors), vocabulary=vocabulary)


def test_a_failed_text8_download_is_one_message(tmp_path, monkeypatch):
    import torchvision.datasets.utils

    from aa.data.lee import Text8Data

    def no_network(*_, **__):
        raise OSError("Name or service not known")

    monkeypatch.setattr(torchvision.datasets.utils, "download_and_extract_archive", no_network)
    with pytest.raises(ConfigError, match="dataset.root.*downloading .*text8.zip failed .*unpack text8.zip"):
        list(Text8Data(root=str(tmp_path)).sentences())
