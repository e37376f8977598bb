"""Second-order recurrent net (Giles et al. 1992): the state is multiplied by the input,
h_t,i = g(sum_jk W_ijk h_{t-1,j} x_{t,k} + b_i), with one-hot x_t, so each symbol k selects its own
state-transition matrix W_..k, the way a symbol selects a transition of a finite automaton.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from aa.models.token_input import PAD_ID


class SecondOrderRNN(nn.Module):
    """Sigmoid state neurons read token ids (N, L) right-padded with 0; padding steps keep the state.
    h_0 is the first unit on, the others off (Giles et al.); a linear layer classifies the last state."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, hidden_size: int = 10) -> None:
        super().__init__()
        vocab = input_shape[-1]
        # W[k] is the (H, H) matrix the one-hot symbol k selects: sum_k W_ijk x_k = W[token]_ij
        self.w = nn.Parameter(torch.empty(vocab, hidden_size, hidden_size).uniform_(-1, 1))
        self.b = nn.Parameter(torch.zeros(hidden_size))
        h0 = torch.zeros(hidden_size)
        h0[0] = 1.0
        self.register_buffer("h0", h0)
        self.out = nn.Linear(hidden_size, num_outputs)

    def forward(self, ids: Tensor) -> Tensor:
        h = self.h0.expand(ids.shape[0], -1)
        for t in range(ids.shape[1]):
            token = ids[:, t]
            new = torch.sigmoid(torch.bmm(self.w[token], h.unsqueeze(2)).squeeze(2) + self.b)
            h = torch.where((token != PAD_ID).unsqueeze(1), new, h)
        return self.out(h)
