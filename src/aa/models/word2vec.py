"""Word2Vec (Mikolov et al. 2013): a word's vector is learned by predicting the words around it.

Two embedding tables, as in word2vec.c and gensim: ``vectors`` (the input side, the embeddings one
keeps) and ``context_vectors`` (the output side). Skip-gram predicts each context word from the centre
word; CBOW predicts the centre word from the mean of its context. Instead of a softmax over the whole
vocabulary, negative sampling scores the true word against ``negative`` words drawn from the unigram
distribution raised to 3/4.

Training by default skips autograd (``update: closed_form``): the negative-sampling gradient is a
closed formula, so each update gathers the rows a run of text touches, computes their gradients by hand
(``gradients``) and adds them back with ``index_add_``, at word2vec's linearly falling rate. A run's
centre words share one draw of ``shared_negatives`` noise words, each weighted so that a prediction
still counts ``negative`` noise words in expectation; the noise scores are then one matrix product.
``update: autograd`` trains the same loss through ``loss.backward()`` and the configured optimiser.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

MODES = ("skipgram", "cbow")
UPDATES = ("closed_form", "autograd")
NOISE_TABLE = 1_000_000


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
                 ns_exponent: float = 0.75, sparse: bool = False, update: str = "closed_form",
                 alpha: float = 0.025, min_alpha: float = 0.0001, shared_negatives: int = 16,
                 noise_group: int = 8) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if update not in UPDATES:
            raise ValueError(f"update must be one of {UPDATES}, not {update!r}")
        vocab = input_shape[-1]
        self.mode, self.dim, self.window, self.negative = mode, dim, window, negative
        self.update, self.alpha, self.min_alpha = update, alpha, min_alpha
        self.shared_negatives, self.noise_group = shared_negatives, noise_group
        self.vectors = nn.Embedding(vocab, dim, sparse=sparse)
        self.context_vectors = nn.Embedding(vocab, dim, sparse=sparse)
        # word2vec.c's start: small uniform input vectors, zero output vectors
        nn.init.uniform_(self.vectors.weight, -0.5 / dim, 0.5 / dim)
        nn.init.zeros_(self.context_vectors.weight)
        counts = torch.ones(vocab) if counts is None else torch.as_tensor(counts, dtype=torch.float64)
        noise = counts.double() ** ns_exponent
        # word2vec's unigram table: each word repeated in proportion to its noise probability, so a draw
        # is one random index (a word under 1/NOISE_TABLE of the mass is never drawn)
        size = max(NOISE_TABLE, 10 * vocab)
        repeats = (noise / noise.sum() * size).round().long()
        self.register_buffer("noise_table", torch.repeat_interleave(torch.arange(vocab), repeats), persistent=False)

    def forward(self, words: Tensor) -> Tensor:
        return self.vectors(words)

    def sample_noise(self, shape: tuple[int, ...]) -> Tensor:
        """Word ids drawn from the unigram^ns_exponent distribution (through the unigram table)."""
        table = self.noise_table
        return table[torch.randint(len(table), shape, device=table.device)]

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

    @torch.no_grad()
    def sgd_update(self, tokens: Tensor, sentences: Tensor, lr: float) -> tuple[Tensor, int]:
        """One closed-form update on a run of text: plain SGD at rate ``lr`` on the rows it touches.
        Returns the run's loss (summed over predictions) and the number of predictions."""
        tokens, sentences = tokens.long(), sentences.long()
        context, valid = context_windows(tokens, sentences, self.window)
        noise = self.sample_noise((-(-len(tokens) // self.noise_group), self.shared_negatives))
        tables = {"vectors": self.vectors.weight, "context_vectors": self.context_vectors.weight}
        loss, n, rows = gradients(tables["vectors"], tables["context_vectors"], tokens, context, valid, noise,
                                  self.negative, self.mode, scale=-lr)
        for table, index, step in rows:
            tables[table].index_add_(0, index, step)
        return loss, n


def rows_of(table: Tensor, index: Tensor) -> Tensor:
    """table[index] for a 1-d index: index_select copies whole rows, several times faster on CPU."""
    return torch.index_select(table, 0, index)


def gradients(vectors: Tensor, context_vectors: Tensor, tokens: Tensor, context: Tensor, valid: Tensor,
              noise: Tensor, negative: int, mode: str, scale: float = 1.0
              ) -> tuple[Tensor, int, list[tuple[str, Tensor, Tensor]]]:
    """The negative-sampling loss of a run and its gradient by hand, times ``scale`` (an SGD step passes
    -lr), as (table, row ids, rows) to add to the tables with index_add_.

    ``noise`` (G, S) holds S noise words for each group of g = ceil(N / G) consecutive centre words.
    With h the input (skip-gram: the centre word's vector; CBOW: the mean of its context's vectors), u
    the output vectors and w = negative / S (times the centre's context size m in skip-gram, where each
    of its m predictions has its own noise words):
    L = sum softplus(-h.u_true) + w sum_s softplus(h.u_s), so dL/d(h.u_true) = sigma(h.u_true) - 1 and
    dL/d(h.u_s) = w sigma(h.u_s); the rows follow by the product rule. CBOW hands each context word the
    whole gradient of h, not 1/m of it, as word2vec.c and gensim do. Sums over a centre's context words
    are embedding bags, the noise scores of a group one matrix product (no copies of gathered rows).
    """
    centre, slot = valid.nonzero(as_tuple=True)
    words = context[centre, slot]
    count = valid.sum(1)
    offsets = count.cumsum(0) - count
    m = count.to(vectors.dtype)
    groups, shared = noise.shape
    n, dim = len(tokens), vectors.shape[1]
    size = -(-n // groups)
    un = rows_of(context_vectors, noise.reshape(-1)).view(groups, shared, dim)
    if mode == "skipgram":
        h = rows_of(vectors, tokens)
        h_pair, u = rows_of(h, centre), rows_of(context_vectors, words)
        true = (h_pair * u).sum(1)
        weight = m * (negative / shared)
    else:
        has = (count > 0).to(vectors.dtype)
        h = F.embedding_bag(words, vectors, offsets, mode="sum") / m.clamp(min=1).unsqueeze(1)
        u = rows_of(context_vectors, tokens)
        true = (h * u).sum(1)
        weight = has * (negative / shared)
    pad = groups * size - n
    h_groups = F.pad(h, (0, 0, 0, pad)).view(groups, size, dim)
    noise_scores = torch.bmm(h_groups, un.transpose(1, 2))
    weight = F.pad(weight, (0, pad)).view(groups, size, 1)
    g_true = torch.sigmoid(true) - 1
    g_noise = torch.sigmoid(noise_scores) * weight
    loss = (F.softplus(-true) * (1 if mode == "skipgram" else has)).sum() + (F.softplus(noise_scores) * weight).sum()
    g_noise *= scale
    g_true *= scale
    g_h = torch.bmm(g_noise, un).view(-1, dim)[:n]
    if mode == "skipgram":
        g_h += F.embedding_bag(words, context_vectors, offsets, mode="sum", per_sample_weights=g_true)
        rows = [("vectors", tokens, g_h), ("context_vectors", words, g_true.unsqueeze(1) * h_pair)]
        n = len(words)
    else:
        g_true *= has
        g_h += g_true.unsqueeze(1) * u
        rows = [("vectors", words, rows_of(g_h, centre)), ("context_vectors", tokens, g_true.unsqueeze(1) * h)]
        n = int(count.gt(0).sum())
    rows.append(("context_vectors", noise.reshape(-1), torch.bmm(g_noise.transpose(1, 2), h_groups).view(-1, dim)))
    return loss, n, rows
