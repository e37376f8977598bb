"""word2vec.c's training loop: plain SGD word by word, compiled by numba (``model.update: loop``).

Batched tensor updates (``closed_form``) gather and scatter whole runs of rows, which on a CPU spends
its time moving rows through memory; word2vec.c and gensim instead walk the text one word at a time and
change a handful of rows in cache. This module is that walk, compiled to machine code (no autograd, no
tensor per update), on the tables' own memory:

- CBOW: h is the mean of the context words' vectors; the centre word (label 1) and ``negative`` noise
  words (label 0) are each scored against h; each scored output row u moves by g h and h's gradient
  gathers g u, with g = (label - sigma(h . u)) * alpha; every context word then gets that whole gradient
  (word2vec.c's and gensim's ``cbow_mean``).
- Skip-gram: for every context word c of the centre word, c's vector predicts the centre word against
  ``negative`` noise words (word2vec.c's order of the pair), with the same step.

A noise draw equal to the true word is skipped, as in word2vec.c. The window's reach b is drawn per
centre word from 1..window; contexts stay inside the run and the sentence. The learning rate falls
linearly from ``alpha_start`` at the run's first word to ``alpha_end`` past its last.

Random numbers come from word2vec.c's linear congruential generator
(state <- state * 25214903917 + 11 mod 2^48, a draw is the 32 bits state >> 16), seeded per run from
torch's generator, so a seeded run repeats exactly with one worker. A noise word is drawn by Walker's
alias method (``alias_table``): a column c = draw mod V, then c itself if a second draw / 2^32 is under
prob[c], else alias[c]. Its two arrays of V entries stay in the core's cache, where word2vec.c's
unigram table of 10^8 entries (and this model's of 10^6, which ``closed_form`` uses) is a cache miss at
every draw: that lookup alone took half of the CBOW loop's time. With w workers the run is cut into w
consecutive pieces trained at the same time on the shared tables without locks (Hogwild, as gensim's
``workers``): the order of the writes, and so the last bits of the vectors, vary run to run, and on the
Lee corpus's 1,792 words two workers were slower than one (the cores share the same rows).

The loss returned is the run's negative-sampling loss, -sum log sigma(+-h . u) over the predictions made,
accumulated as a product of probabilities with a logarithm taken only when it nears underflow (one
logarithm per prediction cost a third of the loop).
"""
from __future__ import annotations

import math
import os
import types

import numba
import numpy as np
import torch
from numba import prange
from torch import Tensor

# Several workers run on numba's own thread pool, not its OpenMP one: once numba's OpenMP layer was loaded,
# torch work set to one thread ran with a second, spinning thread (CPU time twice the wall time), which
# slowed every later training in the process and, two test workers on two cores, the whole test suite
# (13 min 54 s against 11 min 16 s). A user's NUMBA_THREADING_LAYER wins.
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"

MULTIPLIER, INCREMENT, MODULUS_MASK = np.uint64(25214903917), np.uint64(11), np.uint64((1 << 48) - 1)
SHIFT, SPREAD = np.uint64(16), np.uint64(0x9E3779B97F4A7C15)
TINY, RENORMALISE = 1e-300, 1e-200
SIGNATURE = ("Tuple((float64, int64))(float32[:, ::1], float32[:, ::1], int64[::1], int64[::1], float32[::1], "
             "int32[::1], float64, float64, int64, int64, boolean, int64, int64)")
UNIT = 2.0 ** -32  # a 32-bit draw to [0, 1)


@numba.njit("Tuple((float32[::1], int32[::1]))(float64[::1])", cache=True)
def alias_table(weights):
    """Walker's alias method (Vose's construction) for drawing i with probability weights[i] / sum: column
    c is c with probability prob[c] and alias[c] otherwise, so every column carries 1/V of the mass."""
    n = len(weights)
    scaled = weights * n / weights.sum()
    prob = np.ones(n, np.float32)
    alias = np.arange(n).astype(np.int32)
    small = np.nonzero(scaled < 1.0)[0]  # a stack of the columns still short of 1/V, and one of those over it
    large = np.nonzero(scaled >= 1.0)[0]
    n_small, n_large = len(small), len(large)
    small = np.concatenate((small, np.empty(n - n_small, np.int64)))
    while n_small and n_large:
        n_small -= 1
        less, more = small[n_small], large[n_large - 1]  # ``more`` fills ``less``'s column up to 1/V
        prob[less], alias[less] = scaled[less], more
        scaled[more] = scaled[more] + scaled[less] - 1.0
        if scaled[more] < 1.0:
            n_large -= 1
            small[n_small] = more
            n_small += 1
    return prob, alias  # columns left over carry exactly their 1/V (prob 1), up to rounding


@numba.njit(fastmath=True, error_model="numpy", inline="always")
def _predict(h, word, context_vectors, noise_prob, noise_alias, negative, alpha, work, state, product, loss, dim):
    """One input h predicts ``word`` against ``negative`` noise words: each output row u steps by g h at
    once, h's gradient gathers g u in ``work``. Returns the generator's state and the loss's running
    product and sum (see the module's docstring)."""
    columns = np.uint64(len(noise_prob))
    for d in range(dim):
        work[d] = 0.0
    for k in range(negative + 1):
        if k == 0:
            target = word
        else:
            state = (state * MULTIPLIER + INCREMENT) & MODULUS_MASK
            column = np.int64((state >> SHIFT) % columns)
            state = (state * MULTIPLIER + INCREMENT) & MODULUS_MASK
            target = column if np.float32((state >> SHIFT) * UNIT) < noise_prob[column] else noise_alias[column]
            if target == word:
                continue
        out = context_vectors[target]
        f = np.float32(0.0)
        for d in range(dim):
            f += h[d] * out[d]
        e = math.exp(-f)
        sigma = 1.0 / (1.0 + e)
        product *= max(sigma if k == 0 else e * sigma, TINY)  # the probability of the right answer
        if product < RENORMALISE:
            loss -= math.log(product)
            product = 1.0
        g = np.float32(((1.0 if k == 0 else 0.0) - sigma) * alpha)
        for d in range(dim):
            work[d] += g * out[d]
        for d in range(dim):
            out[d] += g * h[d]
    return state, product, loss


def _run(vectors, context_vectors, tokens, sentences, noise_prob, noise_alias, alpha_start, alpha_end, window,
         negative, cbow, seed, workers):
    n, dim = len(tokens), vectors.shape[1]
    losses = np.zeros(workers)
    made = np.zeros(workers, np.int64)
    piece = (n + workers - 1) // workers
    reach_size = np.uint64(window)
    for w in prange(workers):
        h = np.empty(dim, np.float32)
        work = np.empty(dim, np.float32)
        state = (np.uint64(seed) ^ (np.uint64(w) * SPREAD)) & MODULUS_MASK
        loss, product, count = 0.0, 1.0, 0
        for i in range(w * piece, min(n, (w + 1) * piece)):
            alpha = alpha_start + (alpha_end - alpha_start) * i / n
            state = (state * MULTIPLIER + INCREMENT) & MODULUS_MASK
            b = 1 + np.int64((state >> SHIFT) % reach_size)
            lo, hi = max(0, i - b), min(n - 1, i + b)
            sentence, word = sentences[i], tokens[i]
            if cbow:
                h[:] = 0.0
                m = 0
                for j in range(lo, hi + 1):
                    if j != i and sentences[j] == sentence:
                        row = vectors[tokens[j]]
                        for d in range(dim):
                            h[d] += row[d]
                        m += 1
                if m == 0:
                    continue
                inverse = np.float32(1.0 / m)
                for d in range(dim):
                    h[d] *= inverse
                state, product, loss = _predict(h, word, context_vectors, noise_prob, noise_alias, negative, alpha,
                                                work, state, product, loss, dim)
                count += 1
                for j in range(lo, hi + 1):
                    if j != i and sentences[j] == sentence:
                        row = vectors[tokens[j]]
                        for d in range(dim):
                            row[d] += work[d]
            else:
                for j in range(lo, hi + 1):
                    if j == i or sentences[j] != sentence:
                        continue
                    row = vectors[tokens[j]]
                    state, product, loss = _predict(row, word, context_vectors, noise_prob, noise_alias, negative,
                                                    alpha, work, state, product, loss, dim)
                    count += 1
                    for d in range(dim):
                        row[d] += work[d]
        losses[w] = loss - math.log(product)
        made[w] = count
    return losses.sum(), made.sum()


def _twin(fn: types.FunctionType, name: str) -> types.FunctionType:
    """The same function under another name: numba's on-disk cache tells builds apart by name, so a
    parallel build of ``_run`` under its own name would load the plain build's machine code."""
    twin = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    twin.__qualname__ = name
    return twin


# One source, two builds. One worker: a plain build, no thread pool (bit-exact repeats; a parallel build
# run with one worker paid its pool's start at every run of text: Lee CBOW 0.0155 s an epoch against
# 0.0126). Several workers: prange's threads. error_model="numpy": no divide-by-zero branch on every
# modulo (no divisor here can be zero). The explicit signatures compile (or load from numba's on-disk
# cache) when this module is imported.
train_run = numba.njit(SIGNATURE, cache=True, fastmath=True, error_model="numpy")(_run)
train_run_workers = numba.njit(SIGNATURE, cache=True, fastmath=True, error_model="numpy",
                               parallel=True)(_twin(_run, "_run_workers"))


def noise_alias(weights: Tensor) -> tuple[Tensor, Tensor]:
    """The alias table (prob, alias) of the noise distribution weights / sum (``alias_table``)."""
    prob, alias = alias_table(weights.detach().double().contiguous().numpy())
    return torch.from_numpy(prob), torch.from_numpy(alias)


def sgd_loop(vectors: Tensor, context_vectors: Tensor, tokens: Tensor, sentences: Tensor, noise: tuple[Tensor, Tensor],
             alpha_start: float, alpha_end: float, window: int, negative: int, cbow: bool,
             workers: int = 1) -> tuple[float, int]:
    """Train the two tables in place on one run of text; returns the run's summed loss and its number of
    predictions. The tables are float32 CPU tensors (their memory is written directly); ``noise`` is
    ``noise_alias``'s; the seed of the run's random numbers is drawn from torch's generator."""
    seed = int(torch.randint(0, 2**62, ()))
    args = (vectors.detach().numpy(), context_vectors.detach().numpy(), tokens.numpy(), sentences.numpy(),
            noise[0].numpy(), noise[1].numpy(), float(alpha_start), float(alpha_end), int(window), int(negative),
            bool(cbow), seed)
    if workers == 1:
        return train_run(*args, 1)
    numba.set_num_threads(min(workers, numba.config.NUMBA_NUM_THREADS))
    return train_run_workers(*args, int(workers))
