"""Attention over the encoder's states: a_j = softmax_j(e(s, h_j)), context = sum_j a_j h_j.

Additive (Bahdanau et al. 2015): e = v^T tanh(W s + U h_j). Multiplicative (Luong et al. 2015,
"general"): e = s^T W h_j. Padding positions get no weight.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn


class Attention(nn.Module):
    def scores(self, query: Tensor, memory: Tensor) -> Tensor:  # pragma: no cover - abstract
        """queries (B, T, H), memory (B, S, H) -> scores (B, T, S)."""
        raise NotImplementedError

    def forward(self, query: Tensor, memory: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        """query (B, H) or one per step (B, T, H), memory (B, S, H), mask (B, S) true at real tokens ->
        context (B, H) or (B, T, H), weights (B, S) or (B, T, S)."""
        q = query.unsqueeze(1) if query.dim() == 2 else query
        e = self.scores(q, memory).masked_fill(~mask.unsqueeze(1), float("-inf"))
        a = torch.softmax(e, dim=-1)
        context = torch.bmm(a, memory)
        return (context.squeeze(1), a.squeeze(1)) if query.dim() == 2 else (context, a)


class Additive(Attention):
    def __init__(self, query_size: int, memory_size: int, size: int | None = None) -> None:
        super().__init__()
        size = size or query_size
        self.w = nn.Linear(query_size, size, bias=False)
        self.u = nn.Linear(memory_size, size)
        self.v = nn.Linear(size, 1, bias=False)

    def scores(self, query: Tensor, memory: Tensor) -> Tensor:
        return self.v(torch.tanh(self.w(query).unsqueeze(2) + self.u(memory).unsqueeze(1))).squeeze(-1)


class Multiplicative(Attention):
    def __init__(self, query_size: int, memory_size: int) -> None:
        super().__init__()
        self.w = nn.Linear(memory_size, query_size, bias=False)

    def scores(self, query: Tensor, memory: Tensor) -> Tensor:
        return torch.bmm(query, self.w(memory).transpose(1, 2))
