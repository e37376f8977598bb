"""Greedy and batched beam decoding: beam 1 is greedy, a wide beam finds the most probable output
(checked against an exhaustive search), a larger beam never scores below greedy on a trained model,
and the length normalisation follows its formula."""
from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from aa.data.seq2seq_tasks import BOS_ID, EOS_ID
from aa.decode.beam import beam_search
from aa.decode.greedy import greedy
from aa.decode.hypotheses import finish_rows, normalised
from aa.models.seq2seq import Seq2Seq
from aa.models.token_input import PAD_ID
from aa.models.transformer import Transformer


def models(vocab: int = 7):
    torch.manual_seed(3)
    shape = (6, vocab)
    return [Seq2Seq(shape, vocab, cell=c, hidden_size=16, embed_dim=8, attention=a).eval()
            for c, a in [("gru", "additive"), ("lstm", "multiplicative"), ("rnn", "none")]] + \
        [Transformer(shape, vocab, d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                     dim_feedforward=32, dropout=0.0).eval()]


def sources(n: int = 12, vocab: int = 7) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    x = torch.randint(4, vocab, (n, 6), generator=g)
    x[::3, 4:] = PAD_ID  # some shorter sources
    return x


def sequence_logp(model: nn.Module, src: torch.Tensor, out: list[int]) -> float:
    """log P(out | src) by teacher forcing: the exact score a decoder should report."""
    inp = torch.tensor([[BOS_ID, *out[:-1]]])
    logp = torch.log_softmax(model(src.unsqueeze(0), inp), -1)[0]
    return float(logp[torch.arange(len(out)), torch.tensor(out)].sum())


@pytest.mark.parametrize("index", range(4), ids=["gru_additive", "lstm_multiplicative", "rnn_none", "transformer"])
def test_beam_size_one_equals_greedy(index):
    model, x = models()[index], sources()
    g = greedy(model, x, 9)
    for alpha in (0.0, 1.0):
        b = beam_search(model, x, 9, beam_size=1, length_penalty=alpha)
        assert torch.equal(b.tokens, g.tokens)
        assert torch.allclose(b.score, g.score, atol=1e-5)
        assert (b.attention is None) == (index == 2) and (index == 2 or torch.allclose(b.attention, g.attention))


def test_the_transformer_reports_its_cross_attention_while_decoding():
    """Each decoded step carries the last decoder layer's cross-attention (mean over heads): what that
    layer computes for the newest position, a distribution over the real source tokens only; the hooks
    that read it are gone afterwards, so training runs the layer untouched."""
    model, x = models()[3], sources()
    g = greedy(model, x, 9)
    real = (x != PAD_ID)[:, : g.attention.shape[2]].unsqueeze(1).expand_as(g.attention)
    emitted = g.tokens != PAD_ID
    assert torch.allclose(g.attention.sum(-1)[emitted], torch.ones(int(emitted.sum())))
    assert float(g.attention[~real].abs().max()) == 0.0
    layer, enc = model.decoder.layers[-1], model.encode(x)
    assert not layer.multihead_attn._forward_hooks and not layer.multihead_attn._forward_pre_hooks
    with torch.no_grad():  # step 1 by hand: <s> attends to itself only, then reads the source
        h = model.tgt_embed(torch.full((len(x), 1), BOS_ID))
        n1 = layer.norm1(h)
        h = h + layer.self_attn(n1, n1, n1)[0]
        weights = layer.multihead_attn(layer.norm2(h), enc.memory, enc.memory, key_padding_mask=~enc.mask)[1]
    assert torch.allclose(g.attention[:, 0], weights[:, 0], atol=1e-5)


def test_reported_scores_are_the_sequences_log_probabilities():
    model, x = models()[0], sources(4)
    for out in (greedy(model, x, 9), beam_search(model, x, 9, beam_size=3, length_penalty=0.0)):
        for i in range(len(x)):
            tokens = [t for t in out.tokens[i].tolist() if t != PAD_ID]
            assert out.score[i].item() == pytest.approx(sequence_logp(model, x[i], tokens), abs=1e-4)


def test_a_beam_as_wide_as_every_prefix_finds_the_most_probable_output():
    """V=4 output tokens (one of them </s>), at most 3 steps: the beam keeps every prefix, so it must
    return the argmax over all sequences, found here by enumeration."""
    torch.manual_seed(1)
    vocab = 5  # pad, unk, <s>, </s>, one symbol
    model = Seq2Seq((4, vocab), vocab, hidden_size=8, embed_dim=4, attention="additive").eval()
    with torch.no_grad():
        model.out.bias[EOS_ID] += 1.5  # ending early is plausible
    x = torch.tensor([[4, 4, 4, 0], [4, 4, 0, 0]])
    beam = beam_search(model, x, 3, beam_size=25, length_penalty=0.0)
    for i in range(len(x)):
        best = max(
            (sequence_logp(model, x[i], list(body) + ([EOS_ID] if len(body) < 3 else [])), body)
            for n in range(4) for body in itertools.product([1, 4], repeat=n) if len(body) + 1 <= 3 or n == 3)
        assert beam.score[i].item() == pytest.approx(best[0], abs=1e-4)


@pytest.mark.slow
def test_a_larger_beam_never_scores_below_greedy_on_a_trained_model(one_thread):
    """Beam search keeps the best K prefixes, not always greedy's; on a model that has learned
    (copying digits reversed), each input's beam result has at least greedy's log-probability."""
    from aa.data.seq2seq_tasks import ReverseData
    from aa.task.seq2seq import teacher_inputs, trim

    data = ReverseData(n_samples=400, length=4, min_length=2, alphabet=5, seed=0)
    data.setup()
    torch.manual_seed(0)
    model = Seq2Seq(data.input_shape, data.num_outputs, hidden_size=32, embed_dim=8, attention="none")
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(60):
        idx = torch.randint(0, len(data.y_train), (32,))
        y = trim(data.y_train[idx])
        logits = model(data.x_train[idx], teacher_inputs(y))
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten(), ignore_index=PAD_ID)
        opt.zero_grad(), loss.backward(), opt.step()
    model.eval()
    x = data.x_test
    g = greedy(model, x, 8)
    for k in (2, 4, 8):
        b = beam_search(model, x, 8, beam_size=k, length_penalty=0.0)
        assert bool((b.score >= g.score - 1e-5).all()), k
    assert float((beam_search(model, x, 8, 4, 0.0).score - g.score).max()) > 0  # the beam found better ones


def test_length_normalisation_and_end_handling_follow_their_formulas():
    score, length = torch.tensor([-6.0, -6.0]), torch.tensor([2, 3])
    assert normalised(score, length, 0.0).tolist() == [-6.0, -6.0]
    assert normalised(score, length, 1.0).tolist() == [-3.0, -2.0]
    assert normalised(score, length, 0.5)[1].item() == pytest.approx(-6 / 3 ** 0.5)
    tokens = torch.tensor([[5, EOS_ID, 6, 7], [5, 6, 7, 8]])
    assert finish_rows(tokens, score, None).tokens.tolist() == [[5, EOS_ID, 0, 0], [5, 6, 7, 8]]


def test_normalisation_prefers_the_longer_output_when_its_per_token_score_is_higher():
    """A toy decoder: </s> now costs log 0.5; continuing costs log 0.6 per token, then </s> is sure.
    alpha=0 ends at once (-0.69 > -1.02), alpha=1 takes two tokens (-0.51 per token > -0.69)."""

    class Toy(nn.Module):
        def encode(self, src):
            from aa.models.seq2seq import Encoded
            return Encoded(torch.zeros(len(src), 1, 1), torch.ones(len(src), 1, dtype=torch.bool), None)

        def start(self, enc):
            return torch.zeros(len(enc.memory), dtype=torch.long)

        def step(self, tokens, t, enc):
            p = torch.full((len(tokens), 6), 1e-9)
            if int(t[0]) == 0:
                p[:, EOS_ID], p[:, 4] = 0.5, 0.3
                p[:, 5] = 0.2
            else:
                p[:, EOS_ID] = 1.0
            return p.log(), t + 1, None

        @staticmethod
        def reorder(t, index):
            return t.index_select(0, index)

    x = torch.zeros(1, 1, dtype=torch.long)
    emitted = lambda alpha: [t for t in beam_search(Toy(), x, 4, 3, alpha).tokens[0].tolist() if t]  # noqa: E731
    assert emitted(0.0) == [EOS_ID]
    assert emitted(1.0) == [4, EOS_ID]


@pytest.mark.parametrize("cell,attention", [("lstm", "multiplicative"), ("gru", "none"), ("rnn", "multiplicative")])
def test_teacher_forcing_over_the_whole_target_at_once_equals_one_step_at_a_time(cell, attention):
    """Without additive attention (whose context feeds the next step), training runs the decoder over
    all target inputs in one call: the logits must be those of stepping token by token."""
    torch.manual_seed(0)
    model = Seq2Seq((6, 9), 9, cell=cell, hidden_size=16, embed_dim=8, num_layers=2, attention=attention).eval()
    x = sources(5, 9)
    tgt_in = torch.cat([torch.full((5, 1), BOS_ID), torch.randint(3, 9, (5, 4))], 1)
    enc = model.encode(x)
    state, steps = enc.state, []
    for t in range(tgt_in.shape[1]):
        logits, state, _ = model.step(tgt_in[:, t], state, enc)
        steps.append(logits)
    assert torch.allclose(model(x, tgt_in), torch.stack(steps, 1), atol=1e-5)
