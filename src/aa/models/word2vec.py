"""Word2Vec (Mikolov et al. 2013): a word's vector is learned by predicting the words around it.

Two embedding tables, as in word2vec.c and gensim: ``vectors`` (the input side, the embeddings one
keeps) and ``context_vectors`` (the output side). Skip-gram predicts each context word from the centre
word; CBOW predicts the centre word from the mean of its context. Instead of a softmax over the whole
vocabulary, negative sampling scores the true word against ``negative`` words drawn from the unigram
distribution raised to 3/4.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

MODES = ("skipgram", "cbow")


def context_windows(tokens: Tensor, sentences: Tensor, window: int) -> tuple[Tensor, Tensor]:
    """For each position, the ids of the ``window`` words on each side (N, 2*window) and which of them
    count: inside the same sentence and within a reach b drawn uniformly from 1..window per centre word
    (word2vec's dynamic window, which weights near words more)."""
    n = len(tokens)
    offsets = torch.cat([torch.arange(-window, 0), torch.arange(1, window + 1)]).to(tokens.device)
    pos = torch.arange(n, device=tokens.device).unsqueeze(1) + offsets
    inside = (pos >= 0) & (pos < n)
    pos = pos.clamp(0, max(n - 1, 0))
    reach = torch.randint(1, window + 1, (n, 1), device=tokens.device)
    valid = inside & (sentences[pos] == sentences.unsqueeze(1)) & (offsets.abs() <= reach)
    return tokens[pos], valid


class Word2Vec(nn.Module):
    """CBOW or skip-gram with negative sampling; ``forward(words)`` returns the learned word vectors."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, counts: Tensor | None = None,
                 mode: str = "skipgram", dim: int = 100, window: int = 5, negative: int = 5,
                 ns_exponent: float = 0.75, sparse: bool = False) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        vocab = input_shape[-1]
        self.mode, self.dim, self.window, self.negative = mode, dim, window, negative
        self.vectors = nn.Embedding(vocab, dim, sparse=sparse)
        self.context_vectors = nn.Embedding(vocab, dim, sparse=sparse)
        # word2vec.c's start: small uniform input vectors, zero output vectors
        nn.init.uniform_(self.vectors.weight, -0.5 / dim, 0.5 / dim)
        nn.init.zeros_(self.context_vectors.weight)
        counts = torch.ones(vocab) if counts is None else torch.as_tensor(counts, dtype=torch.float64)
        noise = counts.double() ** ns_exponent
        self.register_buffer("noise_cdf", (noise.cumsum(0) / noise.sum()).float(), persistent=False)

    def forward(self, words: Tensor) -> Tensor:
        return self.vectors(words)

    def sample_noise(self, shape: tuple[int, ...]) -> Tensor:
        """Word ids drawn from the unigram^ns_exponent distribution (inverse-CDF sampling)."""
        u = torch.rand(shape, device=self.noise_cdf.device)
        return torch.searchsorted(self.noise_cdf, u).clamp_(max=len(self.noise_cdf) - 1)

    def scores(self, tokens: Tensor, sentences: Tensor) -> tuple[Tensor, Tensor]:
        """Logits of the true (N,) and noise (N, negative) words for every prediction in a run of text."""
        tokens, sentences = tokens.long(), sentences.long()
        context, valid = context_windows(tokens, sentences, self.window)
        if self.mode == "skipgram":
            inputs = tokens.unsqueeze(1).expand_as(context)[valid]
            h, targets = self.vectors(inputs), context[valid]
        else:
            has = valid.any(1)
            weights = valid[has].unsqueeze(2).to(self.vectors.weight.dtype)
            summed = (self.vectors(context[has]) * weights).sum(1)
            h, targets = summed / weights.sum(1), tokens[has]
        noise = self.sample_noise((len(targets), self.negative))
        pos = (self.context_vectors(targets) * h).sum(-1)
        neg = torch.bmm(self.context_vectors(noise), h.unsqueeze(2)).squeeze(2)
        return pos, neg
