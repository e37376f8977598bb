"""Word2Vec's closed-form update: the hand-written gradient equals autograd's on the loss it claims,
and training with it puts the generated grammar's words next to words of their class."""
from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from aa.data.grammar import GrammarData
from aa.data.word_tests import same_class_neighbours
from aa.models.word2vec import Word2Vec, context_windows, gradients


def _tiny_run(seed: int = 0) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:  # noqa: F821
    torch.manual_seed(seed)
    vocab, dim = 7, 4
    vectors, context_vectors = torch.randn(vocab, dim), torch.randn(vocab, dim)
    tokens = torch.randint(vocab, (11,))
    sentences = torch.tensor([0] * 4 + [1] * 6 + [2])  # the last word is alone: no context
    context, valid = context_windows(tokens, sentences, 2)
    noise = torch.randint(vocab, (3, 5))  # groups of ceil(11 / 3) = 4 centre words, 5 noise words each
    return vectors, context_vectors, tokens, context, valid, noise


def _reference_loss(v: Tensor, u: Tensor, tokens: Tensor, context: Tensor, valid: Tensor,  # noqa: F821
                    noise: Tensor, negative: int, mode: str) -> Tensor:  # noqa: F821
    """The loss written out word by word, for autograd to differentiate."""
    groups, shared = noise.shape
    size = -(-len(tokens) // groups)
    loss = torch.zeros(())
    for i in range(len(tokens)):
        ctx = context[i][valid[i]]
        m = len(ctx)
        if m == 0:
            continue
        noise_rows = u[noise[i // size]]
        if mode == "skipgram":
            h = v[tokens[i]]
            loss = loss + F.softplus(-(u[ctx] @ h)).sum() + m * negative / shared * F.softplus(noise_rows @ h).sum()
        else:
            total = v[ctx].sum(0)
            # the value is the context mean; the gradient reaches each context word whole (word2vec's rule)
            h = total - (1 - 1 / m) * total.detach()
            loss = loss + F.softplus(-(u[tokens[i]] @ h)) + negative / shared * F.softplus(noise_rows @ h).sum()
    return loss


@pytest.mark.parametrize("groups", [3, 11])  # 11 words in 3 groups: the last is padded; in 11: none is
@pytest.mark.parametrize("mode", ["skipgram", "cbow"])
def test_hand_written_gradient_equals_autograd(mode, groups):
    vectors, context_vectors, tokens, context, valid, noise = _tiny_run()
    noise = torch.randint(7, (groups, 5))
    v, u = vectors.clone().requires_grad_(), context_vectors.clone().requires_grad_()
    expected = _reference_loss(v, u, tokens, context, valid, noise, 5, mode)
    expected.backward()
    loss, n, rows = gradients(vectors, context_vectors, tokens, valid, noise, 5, mode, scale=-0.1)
    got = {"vectors": torch.zeros_like(vectors), "context_vectors": torch.zeros_like(context_vectors)}
    for table, index, step in rows:
        got[table].index_add_(0, index, step)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    assert n == (int(valid.sum()) if mode == "skipgram" else int(valid.any(1).sum()))
    assert torch.allclose(got["vectors"], -0.1 * v.grad, atol=1e-6)
    assert torch.allclose(got["context_vectors"], -0.1 * u.grad, atol=1e-6)
    assert v.grad.abs().sum() > 0 and u.grad.abs().sum() > 0


def test_sgd_update_moves_the_tables_by_minus_lr_times_the_gradient():
    vectors, context_vectors, tokens, _, _, _ = _tiny_run(1)
    model = Word2Vec((7,), 7, dim=4, window=2, noise_group=4, shared_negatives=5)
    with torch.no_grad():
        model.vectors.weight.copy_(vectors), model.context_vectors.weight.copy_(context_vectors)
    sentences = torch.tensor([0] * 4 + [1] * 6 + [2])
    torch.manual_seed(3)
    model.sgd_update(tokens, sentences, 0.1)
    torch.manual_seed(3)  # the same context reaches and noise words
    context, valid = context_windows(tokens, sentences, 2)
    noise = model.sample_noise((3, 5))
    v, u = vectors.clone().requires_grad_(), context_vectors.clone().requires_grad_()
    _reference_loss(v, u, tokens, context, valid, noise, 5, "skipgram").backward()
    assert torch.allclose(model.vectors.weight, vectors - 0.1 * v.grad, atol=1e-6)
    assert torch.allclose(model.context_vectors.weight, context_vectors - 0.1 * u.grad, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["skipgram", "cbow"])
def test_closed_form_training_puts_words_next_to_their_class(one_thread, mode):
    dm = GrammarData(n_sentences=3000, seed=0, batch_size=256)
    dm.setup()
    torch.manual_seed(0)
    model = Word2Vec((len(dm.itos),), len(dm.itos), counts=dm.counts, mode=mode, dim=20)
    before = same_class_neighbours(model.vectors.weight.detach(), dm.itos, dm.word_classes)
    epochs = 10
    for epoch in range(epochs):
        for batch in next(iter(dm.train_dataloader())):
            model.sgd_update(*batch, 0.025 * (1 - epoch / epochs))
    after = same_class_neighbours(model.vectors.weight.detach(), dm.itos, dm.word_classes)
    assert before < 0.4 and after >= 0.9


def test_run_layouts_are_reused_and_their_cache_stays_small():
    model = Word2Vec((7,), 7, dim=4, window=2)
    first = model.layout(11, torch.device("cpu"))
    assert model.layout(11, torch.device("cpu")) is first
    for n in range(1, 20):
        model.layout(n, torch.device("cpu"))
    assert len(model._layouts) <= 8
