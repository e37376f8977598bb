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
from aa.models.transformer import Transformer
from aa.models.token_input import PAD_ID


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
