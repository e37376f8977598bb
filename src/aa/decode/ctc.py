"""Reading a CTC network's per-frame distributions as label sequences (Graves et al., 2006).

Greedy: the most probable symbol per frame, repeats merged, blanks dropped. Prefix beam search keeps the
``beam_size`` most probable label prefixes, each with two probabilities: of the frames so far ending in
blank and ending in its last label, so that paths that merge into the same prefix add up."""
from __future__ import annotations

import math
from collections import defaultdict

import torch
from torch import Tensor

BLANK = 0


def greedy(log_probs: Tensor, blank: int = BLANK) -> list[list[int]]:
    """(N, T, C) log-probabilities -> one label list per row."""
    best = log_probs.argmax(-1).tolist()
    out = []
    for row in best:
        labels, prev = [], blank
        for s in row:
            if s != blank and s != prev:
                labels.append(s)
            prev = s
        out.append(labels)
    return out


def _add(a: float, b: float) -> float:
    """log(exp(a) + exp(b))."""
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log1p(math.exp(-abs(a - b)))


def prefix_beam(log_probs: Tensor, beam_size: int = 8, blank: int = BLANK) -> list[list[int]]:
    """(N, T, C) log-probabilities -> the most probable label list per row (prefix beam search)."""
    return [_prefix_beam_one(row, beam_size, blank) for row in log_probs.float().cpu()]


def _prefix_beam_one(lp: Tensor, beam_size: int, blank: int) -> list[int]:
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, -math.inf)}  # prefix -> (p_blank, p_label)
    rows = lp.tolist()
    for t, frame in enumerate(rows):
        # only the symbols that can matter this frame: the beam_size most probable plus blank
        cand = sorted(range(len(frame)), key=frame.__getitem__, reverse=True)[:beam_size]
        nxt: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [-math.inf, -math.inf])
        for prefix, (pb, pl) in beams.items():
            total = _add(pb, pl)
            for s in set(cand) | {blank}:
                p = frame[s]
                if s == blank:
                    e = nxt[prefix]
                    e[0] = _add(e[0], total + p)
                    continue
                last = prefix[-1] if prefix else None
                ext = prefix + (s,)
                e = nxt[ext]
                if s == last:  # a repeat extends only through a blank; without one it stays the same prefix
                    e[1] = _add(e[1], pb + p)
                    same = nxt[prefix]
                    same[1] = _add(same[1], pl + p)
                else:
                    e[1] = _add(e[1], total + p)
        ranked = sorted(nxt.items(), key=lambda kv: _add(*kv[1]), reverse=True)[:beam_size]
        beams = {k: (v[0], v[1]) for k, v in ranked}
    best = max(beams.items(), key=lambda kv: _add(*kv[1]))[0]
    return list(best)


def decode(log_probs: Tensor, strategy: str = "greedy", beam_size: int = 8) -> list[list[int]]:
    """Greedy or prefix-beam decoding of (N, T, C) log-probabilities."""
    with torch.no_grad():
        if strategy == "beam":
            return prefix_beam(log_probs, beam_size)
        return greedy(log_probs)
