"""Word2Vec (Mikolov et al. 2013): a word's vector is learned by predicting the words around it.

Two embedding tables, as in word2vec.c and gensim: ``vectors`` (the input side, the embeddings one
keeps) and ``context_vectors`` (the output side). Skip-gram predicts each context word from the centre
word; CBOW predicts the centre word from the mean of its context. Instead of a softmax over the whole
vocabulary, negative sampling scores the true word against ``negative`` words drawn from the unigram
distribution raised to 3/4.

Training by default skips autograd (``update: auto``): on a CPU it is word2vec.c's own loop, plain SGD
word by word compiled by numba (``update: loop``, ``aa.models.word2vec_loop``; ``workers`` threads as
gensim's); on other devices, or with tables other than float32, the batched ``closed_form``. The
negative-sampling gradient is a closed formula, so ``closed_form``'s update gathers the rows a run of
text touches, computes their gradients by hand (``gradients``; every sum over a context is one weighted
``embedding_bag``) and adds them back with ``index_add_``, at word2vec's linearly falling rate. Each group
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
UPDATES = ("auto", "loop", "closed_form", "autograd")
NOISE_TABLE = 1_000_000


def offsets(window: int, device: torch.device | str | None = None) -> Tensor:
    """The context offsets -window..-1, 1..window: column k of a context is the word k - window (or
    k - window + 1) places from the centre."""
    return torch.cat([torch.arange(-window, 0), torch.arange(1, window + 1)]).to(device)


def context_mask(sentences: Tensor, window: int, layout: "Layout | None" = None) -> Tensor:
    """Which of the ``window`` words on each side of every position (N, 2*window) count: inside the run
    and the same sentence, and within a reach b drawn uniformly from 1..window per centre word
    (word2vec's dynamic window, which weights near words more)."""
    n = len(sentences)
    layout = layout or Layout(n, window, sentences.device)
    padded = F.pad(sentences, (window, window), value=-1)  # sentence ids are >= 0
    around = torch.index_select(padded, 0, layout.padded_around).view(n, 2 * window)
    reach = torch.randint(1, window + 1, (n, 1), device=sentences.device)
    return (around == sentences.unsqueeze(1)) & (layout.distance <= reach)


class Layout:
    """The index tensors that depend only on a run's length n and the window r, built once per length
    (every run but an epoch's last has the same): where each context word sits, and which centres each
    position is a context word of."""

    def __init__(self, n: int, window: int, device: torch.device | str | None = None) -> None:
        self.shift = offsets(window, device)
        self.distance = self.shift.abs()
        at = torch.arange(n, device=device).unsqueeze(1)
        last = max(n - 1, 0)
        self.padded_around = (at + window + self.shift).view(-1)  # into a run padded by r on each side
        self.around = (at + self.shift).clamp_(0, last).view(-1)  # (N * 2r) the context words' positions
        self.centres = (at - self.shift).clamp_(0, last).view(-1)  # (N * 2r) the centre whose k-th context word is j
        self.transpose = at + window - self.shift  # rows of an (N, 2r) table padded by r: see ``transposed``
        self.starts = torch.arange(0, n * 2 * window, 2 * window, device=device)  # each position's bag


def context_windows(tokens: Tensor, sentences: Tensor, window: int) -> tuple[Tensor, Tensor]:
    """For each position, the ids of the ``window`` words on each side (N, 2*window) and which of them
    count (``context_mask``)."""
    layout = Layout(len(tokens), window, tokens.device)
    valid = context_mask(sentences, window, layout)
    return torch.index_select(tokens, 0, layout.around).view(len(tokens), 2 * window), valid


class Word2Vec(nn.Module):
    """CBOW or skip-gram with negative sampling; ``forward(words)`` returns the learned word vectors."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, counts: Tensor | None = None,
                 mode: str = "skipgram", dim: int = 100, window: int = 5, negative: int = 5,
                 ns_exponent: float = 0.75, sparse: bool = False, update: str = "auto",
                 alpha: float = 0.025, min_alpha: float = 0.0001, shared_negatives: int = 16,
                 noise_group: int = 32, workers: int = 1) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if update not in UPDATES:
            raise ValueError(f"update must be one of {UPDATES}, not {update!r}")
        vocab = input_shape[-1]
        self.mode, self.dim, self.window, self.negative = mode, dim, window, negative
        self.update, self.alpha, self.min_alpha = update, alpha, min_alpha
        self.shared_negatives, self.noise_group, self.workers = shared_negatives, noise_group, workers
        self.vectors = nn.Embedding(vocab, dim, sparse=sparse)
        self.context_vectors = nn.Embedding(vocab, dim, sparse=sparse)
        # gensim 4's start: input vectors uniform in +-1/dim (word2vec.c's is half as wide; on the Lee corpus
        # the wider start raised six-seed skip-gram WordSim from -0.163 to -0.127), zero output vectors
        nn.init.uniform_(self.vectors.weight, -1.0 / dim, 1.0 / dim)
        nn.init.zeros_(self.context_vectors.weight)
        counts = torch.ones(vocab) if counts is None else torch.as_tensor(counts, dtype=torch.float64)
        noise = counts.double() ** ns_exponent
        # word2vec's unigram table: each word repeated in proportion to its noise probability, so a draw
        # is one random index (a word under 1/NOISE_TABLE of the mass is never drawn)
        size = max(NOISE_TABLE, 10 * vocab)
        repeats = (noise / noise.sum() * size).round().long()
        self._layouts: dict[tuple[int, str], Layout] = {}
        self.register_buffer("noise_table", torch.repeat_interleave(torch.arange(vocab), repeats), persistent=False)
        if update in ("auto", "loop"):
            from aa.models import word2vec_loop  # compiled (or loaded from numba's cache) before training

            self._loop = word2vec_loop.sgd_loop
            self._loop_noise = word2vec_loop.noise_alias(noise)

    def forward(self, words: Tensor) -> Tensor:
        return self.vectors(words)

    def layout(self, n: int, device: torch.device) -> Layout:
        """The run layout for n words (cached: a run of the usual length reuses it; each epoch's shorter
        last run would add one, so the cache is emptied when it holds eight)."""
        key = (n, str(device))
        if key not in self._layouts:
            if len(self._layouts) >= 8:
                self._layouts.clear()
            self._layouts[key] = Layout(n, self.window, device)
        return self._layouts[key]

    def update_for(self, device: torch.device) -> str:
        """The update this model trains with on ``device``: ``auto`` is the compiled loop for float32 tables
        on a CPU (word2vec.c's own order, the fastest there) and ``closed_form`` elsewhere."""
        cpu32 = device.type == "cpu" and self.vectors.weight.dtype == torch.float32
        if self.update == "auto":
            return "loop" if cpu32 else "closed_form"
        if self.update == "loop" and not cpu32:
            from aa.base.errors import ConfigError

            raise ConfigError("model.update", "loop", f"trains float32 tables on a CPU; this run's are "
                              f"{self.vectors.weight.dtype} on {device}", "auto, closed_form or autograd")
        return self.update

    def loop_update(self, tokens: Tensor, sentences: Tensor, alpha_start: float, alpha_end: float) -> tuple[float, int]:
        """One run of text through word2vec.c's loop (``aa.models.word2vec_loop``): the run's summed loss
        and number of predictions."""
        return self._loop(self.vectors.weight, self.context_vectors.weight, tokens, sentences, self._loop_noise,
                          alpha_start, alpha_end, self.window, self.negative, self.mode == "cbow", self.workers)

    def sample_noise(self, shape: tuple[int, ...]) -> Tensor:
        """Word ids drawn from the unigram^ns_exponent distribution (through the unigram table)."""
        table = self.noise_table
        draws = torch.randint(len(table), shape, device=table.device)
        return torch.index_select(table, 0, draws.view(-1)).view(shape)

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

    def sgd_update(self, tokens: Tensor, sentences: Tensor, lr: float) -> tuple[Tensor, int]:
        """One closed-form update on a run of text: plain SGD at rate ``lr`` on the rows it touches
        (through detached views of the tables: no autograd graph, no no_grad switch per update).
        Returns the run's loss (summed over predictions) and the number of predictions."""
        tokens, sentences = tokens.long(), sentences.long()
        layout = self.layout(len(tokens), tokens.device)
        valid = context_mask(sentences, self.window, layout)
        noise = self.sample_noise((-(-len(tokens) // self.noise_group), self.shared_negatives))
        tables = {"vectors": self.vectors.weight.detach(), "context_vectors": self.context_vectors.weight.detach()}
        loss, n, rows = gradients(tables["vectors"], tables["context_vectors"], tokens, valid, noise,
                                  self.negative, self.mode, scale=-lr, layout=layout)
        for table, index, step in rows:
            tables[table].index_add_(0, index, step)
        return loss, n


def rows_of(table: Tensor, index: Tensor) -> Tensor:
    """table[index] for a 1-d index: index_select copies whole rows, several times faster on CPU."""
    return torch.index_select(table, 0, index)


def gradients(vectors: Tensor, context_vectors: Tensor, tokens: Tensor, valid: Tensor,
              noise: Tensor, negative: int, mode: str, scale: float = 1.0, layout: Layout | None = None
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

    Sums over a context are weighted bags of rows (``F.embedding_bag``: gathered and summed in one
    kernel, never one row per (centre, context) pair in memory): a centre's bag is its context words, and
    a position's transposed bag the centres whose context holds it, so each table gets one row per
    position back. A group's noise scores are one matrix product.
    """
    n, dim = len(tokens), vectors.shape[1]
    reach = valid.shape[1] // 2
    layout = layout or Layout(n, reach, tokens.device)
    around = torch.index_select(tokens, 0, layout.around)  # the context words' ids, 2r per position
    mask = valid.to(vectors.dtype)
    count = mask.sum(1)
    groups, shared = noise.shape
    size = -(-n // groups)
    un = rows_of(context_vectors, noise.view(-1)).view(groups, shared, dim)
    if mode == "skipgram":
        h = rows_of(vectors, tokens)
        out = F.pad(rows_of(context_vectors, tokens), (0, 0, reach, reach))  # row reach + i: position i's
        window = torch.bmm(h.unsqueeze(1), out.unfold(0, 2 * reach + 1, 1)).squeeze(1)  # h_i . u_(i+o), o = -r..r
        true = torch.cat([window[:, :reach], window[:, reach + 1:]], 1)
        weight = count * (negative / shared)
        counted = mask
    else:
        counted = count.gt(0).to(vectors.dtype)
        h = bag_sums(around, vectors, mask / count.clamp(min=1).unsqueeze(1), layout)  # the context's mean
        out = rows_of(context_vectors, tokens)
        true = torch.linalg.vecdot(h, out)
        weight = counted * (negative / shared)
    pad = groups * size - n  # the last group's missing centre words: zero rows, zero weight
    h_groups = (F.pad(h, (0, 0, 0, pad)) if pad else h).view(groups, size, dim)
    noise_scores = torch.bmm(h_groups, un.transpose(1, 2))
    weight = (F.pad(weight, (0, pad)) if pad else weight).view(groups, size, 1)
    loss = F.softplus(-true).view(-1).dot(counted.view(-1)) + F.softplus(noise_scores).sum(2).view(-1).dot(weight.view(-1))
    g_true = (torch.sigmoid(true) - 1).mul_(counted * scale)
    g_noise = torch.sigmoid(noise_scores).mul_(weight * scale)
    g_h = torch.bmm(g_noise, un).view(-1, dim)[:n]
    if mode == "skipgram":
        g_h += bag_sums(around, context_vectors, g_true, layout)
        spread = bag_sums(layout.centres, h, transposed(g_true, layout), layout)
        rows = [("vectors", tokens, g_h), ("context_vectors", tokens, spread)]
    else:
        g_h.addcmul_(out, g_true.unsqueeze(1))
        spread = bag_sums(layout.centres, g_h, transposed(mask, layout), layout)
        rows = [("vectors", tokens, spread), ("context_vectors", tokens, g_true.unsqueeze(1) * h)]
    rows.append(("context_vectors", noise.view(-1), torch.bmm(g_noise.transpose(1, 2), h_groups).view(-1, dim)))
    return loss, int(counted.sum()), rows


def bag_sums(ids: Tensor, table: Tensor, weights: Tensor, layout: Layout) -> Tensor:
    """Row i: sum over k of weights[i, k] * table[ids[i * 2r + k]], gathered and summed in one kernel
    (``F.embedding_bag``'s, called without its per-call Python checks)."""
    return torch.embedding_bag(table, ids, layout.starts, False, 0, False, weights.reshape(-1))[0]


def transposed(values: Tensor, layout: Layout) -> Tensor:
    """values (N, 2r) per (centre i, offset k) re-indexed per (position j, k): row j holds
    values[j - shift[k], k], the entry of the centre whose k-th context word is j (0 past the run)."""
    reach = len(layout.shift) // 2
    return F.pad(values, (0, 0, reach, reach)).gather(0, layout.transpose)
