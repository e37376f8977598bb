"""Word2Vec (Mikolov et al. 2013): a word's vector is learned by predicting the words around it.

Two embedding tables, as in word2vec.c and gensim: ``vectors`` (the input side, the embeddings one
keeps) and ``context_vectors`` (the output side). Skip-gram predicts each context word from the centre
word; CBOW predicts the centre word from the mean of its context. Instead of a softmax over the whole
vocabulary, negative sampling scores the true word against ``negative`` words drawn from the unigram
distribution raised to 3/4.

Training by default skips autograd (``update: closed_form``): the negative-sampling gradient is a
closed formula, so each update gathers the rows a run of text touches, computes their gradients by hand
(``gradients``) and adds them back with ``index_add_``, at word2vec's linearly falling rate. Each group
of ``noise_group`` consecutive centre words shares one draw of ``shared_negatives`` noise words, each
weighted so that a prediction still counts ``negative`` noise words in expectation; a group's noise
scores are then one matrix product.
``update: autograd`` trains the same loss through ``loss.backward()`` and the configured optimiser.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

MODES = ("skipgram", "cbow")
UPDATES = ("closed_form", "autograd")
NOISE_TABLE = 1_000_000


def offsets(window: int, device: torch.device | str | None = None) -> Tensor:
    """The context offsets -window..-1, 1..window: column k of a context is the word k - window (or
    k - window + 1) places from the centre."""
    return torch.cat([torch.arange(-window, 0), torch.arange(1, window + 1)]).to(device)


def context_mask(sentences: Tensor, window: int) -> Tensor:
    """Which of the ``window`` words on each side of every position (N, 2*window) count: inside the run
    and the same sentence, and within a reach b drawn uniformly from 1..window per centre word
    (word2vec's dynamic window, which weights near words more)."""
    n = len(sentences)
    shift = offsets(window, sentences.device)
    padded = F.pad(sentences, (window, window), value=-1)  # sentence ids are >= 0
    same = torch.stack([padded[window + o: window + o + n] for o in shift.tolist()], 1) == sentences.unsqueeze(1)
    reach = torch.randint(1, window + 1, (n, 1), device=sentences.device)
    return same & (shift.abs() <= reach)


def context_windows(tokens: Tensor, sentences: Tensor, window: int) -> tuple[Tensor, Tensor]:
    """For each position, the ids of the ``window`` words on each side (N, 2*window) and which of them
    count (``context_mask``)."""
    valid = context_mask(sentences, window)
    pos = (torch.arange(len(tokens), device=tokens.device).unsqueeze(1) + offsets(window, tokens.device))
    return tokens[pos.clamp(0, max(len(tokens) - 1, 0))], valid


class Word2Vec(nn.Module):
    """CBOW or skip-gram with negative sampling; ``forward(words)`` returns the learned word vectors."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, counts: Tensor | None = None,
                 mode: str = "skipgram", dim: int = 100, window: int = 5, negative: int = 5,
                 ns_exponent: float = 0.75, sparse: bool = False, update: str = "closed_form",
                 alpha: float = 0.025, min_alpha: float = 0.0001, shared_negatives: int = 32,
                 noise_group: int = 32) -> None:
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
        valid = context_mask(sentences, self.window)
        noise = self.sample_noise((-(-len(tokens) // self.noise_group), self.shared_negatives))
        tables = {"vectors": self.vectors.weight, "context_vectors": self.context_vectors.weight}
        loss, n, rows = gradients(tables["vectors"], tables["context_vectors"], tokens, valid, noise,
                                  self.negative, self.mode, scale=-lr)
        for table, index, step in rows:
            tables[table].index_add_(0, index, step)
        return loss, n


def rows_of(table: Tensor, index: Tensor) -> Tensor:
    """table[index] for a 1-d index: index_select copies whole rows, several times faster on CPU."""
    return torch.index_select(table, 0, index)


def gradients(vectors: Tensor, context_vectors: Tensor, tokens: Tensor, valid: Tensor,
              noise: Tensor, negative: int, mode: str, scale: float = 1.0
              ) -> tuple[Tensor, int, list[tuple[str, Tensor, Tensor]]]:
    """The negative-sampling loss of a run and its gradient by hand, times ``scale`` (an SGD step passes
    -lr), as (table, row ids, rows) to add to the tables with index_add_.

    ``valid`` is ``context_mask``'s (column k: the word at ``offsets``' k-th offset from the centre);
    ``noise`` (G, S) holds S noise words for each group of g = ceil(N / G)
    consecutive centre words. With h the input (skip-gram: the centre word's vector; CBOW: the mean of
    its context's vectors), u the output vectors and w = negative / S (times the centre's context size m
    in skip-gram, where each of its m predictions has its own noise words):
    L = sum softplus(-h.u_true) + w sum_s softplus(h.u_s), so dL/d(h.u_true) = sigma(h.u_true) - 1 and
    dL/d(h.u_s) = w sigma(h.u_s); the rows follow by the product rule. CBOW hands each context word the
    whole gradient of h, not 1/m of it, as word2vec.c and gensim do.

    A context word is the run's word at a fixed offset, so sums over contexts are sums of the run's
    rows shifted by each offset (masked by ``valid``): one row per position is gathered and one added
    back per table, never one per (centre, context) pair; a group's noise scores are one matrix product.
    """
    n, dim = len(tokens), vectors.shape[1]
    reach = valid.shape[1] // 2
    shifts = [(k, reach + o) for k, o in enumerate(offsets(reach).tolist())]
    mask = valid.to(vectors.dtype)
    count = valid.sum(1)
    m = count.to(vectors.dtype)
    groups, shared = noise.shape
    size = -(-n // groups)
    un = rows_of(context_vectors, noise.reshape(-1)).view(groups, shared, dim)
    own = rows_of(vectors, tokens)
    out = rows_of(context_vectors, tokens)
    if mode == "skipgram":
        h = own
        padded = F.pad(out, (0, 0, reach, reach))  # padded[reach + i + o] is the output row at i + o
        true = torch.stack([(h * padded[start:start + n]).sum(1) for _, start in shifts], 1)
        weight = m * (negative / shared)
        counted = mask
    else:
        padded = F.pad(own, (0, 0, reach, reach))
        h = torch.zeros_like(own)
        for k, start in shifts:
            h.addcmul_(padded[start:start + n], mask[:, k:k + 1])
        h /= m.clamp(min=1).unsqueeze(1)
        true = (h * out).sum(1)
        counted = (count > 0).to(vectors.dtype)
        weight = counted * (negative / shared)
    pad = groups * size - n
    h_groups = F.pad(h, (0, 0, 0, pad)).view(groups, size, dim)
    noise_scores = torch.bmm(h_groups, un.transpose(1, 2))
    weight = F.pad(weight, (0, pad)).view(groups, size, 1)
    loss = (F.softplus(-true) * counted).sum() + (F.softplus(noise_scores) * weight).sum()
    g_true = (torch.sigmoid(true) - 1) * counted * scale
    g_noise = torch.sigmoid(noise_scores) * weight * scale
    g_h = torch.bmm(g_noise, un).view(-1, dim)[:n]
    spread = vectors.new_zeros(n + 2 * reach, dim)  # row reach + j: the sum for the word at position j
    if mode == "skipgram":
        for k, start in shifts:
            g_h.addcmul_(padded[start:start + n], g_true[:, k:k + 1])
            spread[start:start + n].addcmul_(h, g_true[:, k:k + 1])
        rows = [("vectors", tokens, g_h), ("context_vectors", tokens, spread[reach:reach + n])]
        n = int(count.sum())
    else:
        g_h.addcmul_(out, g_true.unsqueeze(1))
        for k, start in shifts:
            spread[start:start + n].addcmul_(g_h, mask[:, k:k + 1])
        rows = [("vectors", tokens, spread[reach:reach + n]), ("context_vectors", tokens, g_true.unsqueeze(1) * h)]
        n = int(count.gt(0).sum())
    rows.append(("context_vectors", noise.reshape(-1), torch.bmm(g_noise.transpose(1, 2), h_groups).view(-1, dim)))
    return loss, n, rows
