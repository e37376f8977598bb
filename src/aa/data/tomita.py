"""The seven Tomita grammars (Tomita 1982), the benchmark of Giles et al. (1992) for second-order RNNs.

Each grammar is a small automaton over {0, 1}; strings are drawn uniformly among the accepted and
among the rejected strings of each length (half each, by counting paths through the automaton), so
even sparse grammars (1*, (10)*) give balanced sets. Training and validation strings are 1 to
``max_train_length`` long; test strings are longer (``test_lengths``): the net must have found the rule.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor

from aa.data.tensor_data import TensorDataModule
from aa.data.tokenize import Vocabulary

# Automata: transitions[state] = (next on "0", next on "1"), start state 0, accepting states.
GRAMMARS: dict[int, tuple[list[tuple[int, int]], set[int], str]] = {
    1: ([(1, 0), (1, 1)], {0}, "1*"),
    2: ([(2, 1), (0, 2), (2, 2)], {0}, "(10)*"),
    # no odd run of 1s followed directly by an odd run of 0s: 0 even/zeros, 1 odd 1s, 2 odd 0s after
    # odd 1s, 3 even 0s after odd 1s, 4 dead
    3: ([(0, 1), (2, 0), (3, 4), (2, 1), (4, 4)], {0, 1, 3}, "no odd 1-run then odd 0-run"),
    4: ([(1, 0), (2, 0), (3, 0), (3, 3)], {0, 1, 2}, "no 000"),
    5: ([(1, 2), (0, 3), (3, 0), (2, 1)], {0}, "even 0s and even 1s"),
    6: ([(1, 2), (2, 0), (0, 1)], {0}, "#0 - #1 = 0 mod 3"),
    7: ([(0, 1), (2, 1), (2, 3), (4, 3), (4, 4)], {0, 1, 2, 3}, "0*1*0*1*"),
}


def accepts(grammar: int, text: str) -> bool:
    delta, accept, _ = GRAMMARS[grammar]
    state = 0
    for ch in text:
        state = delta[state][int(ch)]
    return state in accept


def sample(grammar: int, length: int, n: int, positive: bool, g: torch.Generator) -> list[str]:
    """``n`` strings of ``length`` drawn uniformly among those the grammar accepts (or rejects)."""
    delta, accept, _ = GRAMMARS[grammar]
    states = range(len(delta))
    # ways[k][s]: strings of k more symbols from state s that end as wanted
    ways = [[float((s in accept) == positive) for s in states]]
    for _ in range(length):
        ways.append([ways[-1][delta[s][0]] + ways[-1][delta[s][1]] for s in states])
    if ways[length][0] == 0:
        return []
    table = torch.tensor(ways, dtype=torch.float64)
    nxt = torch.tensor(delta)
    state = torch.zeros(n, dtype=torch.long)
    bits = []
    for k in range(length, 0, -1):
        w0, w1 = table[k - 1][nxt[state, 0]], table[k - 1][nxt[state, 1]]
        bit = (torch.rand(n, generator=g, dtype=torch.float64) * (w0 + w1) >= w0).long()
        bits.append(bit)
        state = nxt[state, bit]
    return ["".join(map(str, row)) for row in torch.stack(bits, 1).tolist()]


class TomitaData(TensorDataModule):
    """Binary strings labelled accepted (1) or rejected (0) by Tomita grammar ``grammar``; tokens are
    the characters 0 and 1 (ids 2 and 3; 0 is padding)."""

    kinds = ("tokens",)

    def __init__(self, grammar: int = 4, max_train_length: int = 10, test_lengths: Sequence[int] = (11, 20),
                 per_length: int = 200, **kwargs) -> None:
        kwargs["standardize"] = False
        super().__init__(**kwargs)
        self.grammar, self.max_train_length = grammar, max_train_length
        self.test_lengths, self.per_length = tuple(test_lengths), per_length
        self.vocab = Vocabulary(["0", "1"])
        self.class_names = ["reject", "accept"]

    def strings(self, lengths: range, g: torch.Generator) -> tuple[list[str], list[int]]:
        texts: list[str] = []
        labels: list[int] = []
        for length in lengths:
            for positive in (True, False):
                drawn = sample(self.grammar, length, self.per_length // 2, positive, g)
                texts += drawn
                labels += [int(positive)] * len(drawn)
        return texts, labels

    def encode(self, texts: list[str], labels: list[int]) -> tuple[Tensor, Tensor]:
        x = self.vocab.encode([list(t) for t in texts], 1 << 30)
        return x, torch.tensor(labels, dtype=torch.long)

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        g = torch.Generator().manual_seed(self.seed)
        texts, labels = self.strings(range(1, self.max_train_length + 1), g)
        order = torch.randperm(len(texts), generator=g).tolist()
        n_val = round(len(texts) * self.val_fraction)
        val, train = order[:n_val], order[n_val:]
        self.x_train, self.y_train = self.encode([texts[i] for i in train], [labels[i] for i in train])
        self.x_val, self.y_val = self.encode([texts[i] for i in val], [labels[i] for i in val])
        lo, hi = self.test_lengths
        self.x_test, self.y_test = self.encode(*self.strings(range(lo, hi + 1), g))
        self.ledger.unit = "strings"
        self.split_sources = {"train": f"strings of length 1-{self.max_train_length} (seed {self.seed})",
                              "val": f"{self.val_fraction:.0%} of those", "test": f"new strings of length {lo}-{hi}: "
                              "longer than any trained on (generalisation)"}
        self._loaded = True

    def input_transform(self) -> None:
        return None

    @property
    def input_shape(self) -> tuple[int, ...]:
        self.setup()
        return (self.x_train.shape[1], len(self.vocab))

    def decode(self, ids: Tensor) -> str:
        return self.vocab.decode(ids, sep="")
