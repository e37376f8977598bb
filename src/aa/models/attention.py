"""Attention over the encoder's states: a_j = softmax_j(e(s, h_j)), context = sum_j a_j h_j.

Additive (Bahdanau et al. 2015): e = v^T tanh(W s + U h_j). Multiplicative (Luong et al. 2015,
"general"): e = s^T W h_j. Padding positions get no weight.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn


class Attention(nn.Module):
    def scores(self, query: Tensor, memory: Tensor) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def forward(self, query: Tensor, memory: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        """query (B, H), memory (B, S, H), mask (B, S) true at real tokens -> context (B, H), weights (B, S)."""
        e = self.scores(query, memory).masked_fill(~mask, float("-inf"))
        a = torch.softmax(e, dim=-1)
        return torch.bmm(a.unsqueeze(1), memory).squeeze(1), a


class Additive(Attention):
    def __init__(self, query_size: int, memory_size: int, size: int | None = None) -> None:
        super().__init__()
        size = size or query_size
        self.w = nn.Linear(query_size, size, bias=False)
        self.u = nn.Linear(memory_size, size)
        self.v = nn.Linear(size, 1, bias=False)

    def scores(self, query: Tensor, memory: Tensor) -> Tensor:
        return self.v(torch.tanh(self.w(query).unsqueeze(1) + self.u(memory))).squeeze(-1)


class Multiplicative(Attention):
    def __init__(self, query_size: int, memory_size: int) -> None:
        super().__init__()
        self.w = nn.Linear(memory_size, query_size, bias=False)

    def scores(self, query: Tensor, memory: Tensor) -> Tensor:
        return torch.bmm(self.w(memory), query.unsqueeze(2)).squeeze(2)
