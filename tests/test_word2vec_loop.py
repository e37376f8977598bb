"""word2vec.c's compiled loop (model.update=loop): its draws and steps against the same SGD written out
with autograd one prediction at a time, the alias table against the distribution it stands for, exact
repeats with one worker, learning with two, and which update ``auto`` picks."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from aa.base.errors import ConfigError
from aa.data.grammar import GrammarData
from aa.data.word_tests import same_class_neighbours
from aa.models import word2vec_loop as loop
from aa.models.word2vec import Word2Vec

MASK = (1 << 48) - 1


def implied(prob: np.ndarray, alias: np.ndarray) -> np.ndarray:
    """The probability of each word under the alias table: 1/V per column, split between the column's
    own word (prob) and its alias (1 - prob)."""
    n = len(prob)
    p = prob.astype(np.float64) / n
    np.add.at(p, alias, (1.0 - prob.astype(np.float64)) / n)
    return p


@pytest.mark.parametrize("weights", [[1.0, 1.0, 1.0], [5.0, 1.0, 0.25, 3.0, 0.5], list(np.arange(1, 200) ** 0.75)])
def test_alias_table_carries_each_words_probability(weights):
    w = np.asarray(weights, dtype=np.float64)
    prob, alias = (t.numpy() for t in loop.noise_alias(torch.tensor(w)))
    assert np.allclose(implied(prob, alias), w / w.sum(), atol=1e-7)
    assert ((prob >= 0) & (prob <= 1)).all()


def written_out(vectors: torch.Tensor, context: torch.Tensor, tokens: list[int], sentences: list[int],
                prob: np.ndarray, alias: np.ndarray, alpha: tuple[float, float], window: int, negative: int,
                cbow: bool, seed: int) -> tuple[float, int]:
    """word2vec.c's SGD on one run, one prediction at a time: each prediction's gradient from autograd on
    its own loss, softplus(-h.u) for the true word and softplus(h.u) for a noise word; the same random
    stream as the loop (its generator, the reach, the alias draws) written again in Python."""
    state, n, total, made = seed & MASK, len(tokens), 0.0, 0

    def draw() -> int:
        nonlocal state
        state = (state * 25214903917 + 11) & MASK
        return state >> 16

    def noise_word() -> int:
        column = draw() % len(prob)
        return column if np.float32(draw() * 2.0 ** -32) < prob[column] else int(alias[column])

    def predict(h: torch.Tensor, target: int, label: float, rate: float) -> tuple[float, torch.Tensor]:
        h = h.detach().clone().requires_grad_(True)
        u = context[target].detach().clone().requires_grad_(True)
        loss = F.softplus(-(h @ u)) if label else F.softplus(h @ u)
        loss.backward()
        context[target] -= rate * u.grad
        return float(loss), -rate * h.grad

    for i in range(n):
        rate = alpha[0] + (alpha[1] - alpha[0]) * i / n
        b = 1 + draw() % window
        around = [j for j in range(max(0, i - b), min(n - 1, i + b) + 1) if j != i and sentences[j] == sentences[i]]
        if cbow:
            if not around:
                continue
            h, work = vectors[[tokens[j] for j in around]].mean(0), torch.zeros(vectors.shape[1])
            targets = [(tokens[i], 1.0)] + [(noise_word(), 0.0) for _ in range(negative)]
            for target, label in targets:
                if label == 0.0 and target == tokens[i]:
                    continue
                loss, step = predict(h, target, label, rate)
                total, work = total + loss, work + step
            made += 1
            for j in around:
                vectors[tokens[j]] += work
        else:
            for j in around:
                work = torch.zeros(vectors.shape[1])
                for k in range(negative + 1):
                    target, label = (tokens[i], 1.0) if k == 0 else (noise_word(), 0.0)
                    if label == 0.0 and target == tokens[i]:
                        continue
                    loss, step = predict(vectors[tokens[j]], target, label, rate)
                    total, work = total + loss, work + step
                made += 1
                vectors[tokens[j]] += work
    return total, made


@pytest.mark.parametrize("cbow", [True, False], ids=["cbow", "skipgram"])
def test_loop_is_word2vecs_sgd_one_prediction_at_a_time(cbow):
    gen = torch.Generator().manual_seed(3)
    vocab, dim, window, negative, seed = 7, 5, 2, 3, 123_456_789
    tokens = torch.randint(0, vocab, (14,), generator=gen)
    sentences = torch.tensor([0] * 5 + [1] * 8 + [2])  # the last word's sentence has no other word
    vectors = torch.randn(vocab, dim, generator=gen) * 0.5
    context = torch.randn(vocab, dim, generator=gen) * 0.5
    prob, alias = loop.noise_alias(torch.arange(1, vocab + 1, dtype=torch.float64) ** 0.75)
    ours_v, ours_c = vectors.clone(), context.clone()
    loss, made = loop.train_run(ours_v.numpy(), ours_c.numpy(), tokens.numpy(), sentences.numpy(), prob.numpy(),
                                alias.numpy(), 0.3, 0.1, window, negative, cbow, seed, 1)
    ref_v, ref_c = vectors.clone(), context.clone()
    ref_loss, ref_made = written_out(ref_v, ref_c, tokens.tolist(), sentences.tolist(), prob.numpy(),
                                     alias.numpy(), (0.3, 0.1), window, negative, cbow, seed)
    assert made == ref_made and made > 0
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    assert torch.allclose(ours_v, ref_v, atol=1e-5) and torch.allclose(ours_c, ref_c, atol=1e-5)
    assert not torch.allclose(ours_v, vectors, atol=1e-3)  # it trained


def grammar_vectors(workers: int, seed: int, mode: str = "cbow", epochs: int = 5) -> tuple[torch.Tensor, GrammarData]:
    """Train on the generated grammar through the model's loop, as the objective drives it."""
    dm = GrammarData(n_sentences=3000, min_count=1, seed=0)
    dm.setup()
    torch.manual_seed(seed)
    model = Word2Vec((len(dm.itos),), len(dm.itos), counts=dm.counts, mode=mode, update="loop", workers=workers)
    total = float(dm.keep_prob[dm.train.tokens.long()].sum()) * epochs
    done = 0

    def rate(words: int) -> float:
        return max(0.05 - 0.0499 * words / total, 1e-4)

    for _ in range(epochs):
        keep = torch.rand(len(dm.train)) < dm.keep_prob[dm.train.tokens.long()]
        tokens, sentences = dm.train.tokens[keep].long(), dm.train.sentences[keep].long()
        for i in range(0, len(tokens), 1024):
            run = tokens[i:i + 1024]
            model.loop_update(run, sentences[i:i + 1024], rate(done), rate(done + len(run)))
            done += len(run)
    return model.vectors.weight.detach().clone(), dm


def test_one_worker_repeats_exactly_and_the_seed_matters():
    first, _ = grammar_vectors(1, seed=4, epochs=1)
    again, _ = grammar_vectors(1, seed=4, epochs=1)
    other, _ = grammar_vectors(1, seed=5, epochs=1)
    assert torch.equal(first, again)
    assert not torch.allclose(first, other)


@pytest.mark.parametrize("mode", ["cbow", "skipgram"])
def test_two_workers_learn_the_grammar(mode):
    vectors, dm = grammar_vectors(2, seed=1, mode=mode)
    assert same_class_neighbours(vectors, dm.itos, dm.word_classes) >= 0.9


def test_auto_trains_with_the_loop_on_a_cpu_and_closed_form_elsewhere():
    model = Word2Vec((10,), 10)
    assert model.update_for(torch.device("cpu")) == "loop"
    assert model.update_for(torch.device("meta")) == "closed_form"
    assert model.double().update_for(torch.device("cpu")) == "closed_form"
    with pytest.raises(ConfigError, match=r"model.update='loop'.*float64 on cpu.*auto, closed_form or autograd"):
        Word2Vec((10,), 10, update="loop").double().update_for(torch.device("cpu"))
