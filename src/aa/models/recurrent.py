"""Recurrent nets trained by back-propagation through time: simple/Elman RNN, LSTM and GRU.

Inputs are float sequences (N, T, d), or token ids (N, L) right-padded with id 0, which are packed
(torch.nn.utils.rnn.pack_padded_sequence) so that padding never changes what a sequence yields.
Many-to-one nets classify from the last state of the last layer (both directions when
bidirectional); many-to-many (``per_step``) nets give an output at every step.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD_ID = 0  # the padding id of every vocabulary (aa.data.tokenize)
CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
State = Any  # a tensor (RNN, GRU) or an (h, c) pair (LSTM)


def _map(state: State, fn) -> State:
    return tuple(fn(s) for s in state) if isinstance(state, tuple) else fn(state)


def _keep(old: State, new: State, done: Tensor) -> State:
    """Sequences that ended before this chunk keep their state."""
    if isinstance(new, tuple):
        return tuple(_keep(o, s, done) for o, s in zip(old, new))
    return torch.where(done.view(1, -1, 1), old, new)


class RecurrentNet(nn.Module):
    """A stack of recurrent layers and a perceptron output layer on its states (Elman's net)."""

    cell = "rnn"

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, hidden_size: int = 64,
                 num_layers: int = 1, bidirectional: bool = False, dropout: float = 0.0,
                 per_step: bool = False, tbptt_steps: int | None = None, embed_dim: int = 0,
                 output_layer: bool = True, nonlinearity: str = "tanh") -> None:
        super().__init__()
        if tbptt_steps and bidirectional:
            raise ValueError("truncated BPTT (tbptt_steps) runs forward in time; set bidirectional=false")
        if not output_layer and bidirectional:
            raise ValueError("without an output layer the state is the output; set bidirectional=false")
        self.vocab = input_shape[-1]
        self.per_step, self.tbptt_steps = per_step, tbptt_steps
        self.embed = nn.Embedding(self.vocab, embed_dim, padding_idx=PAD_ID) if embed_dim else None
        width = hidden_size if output_layer else num_outputs
        extra = {"nonlinearity": nonlinearity} if self.cell == "rnn" else {}
        self.rnn = CELLS[self.cell](embed_dim or self.vocab, width, num_layers=num_layers, batch_first=True,
                                    bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0,
                                    **extra)
        self.directions = 2 if bidirectional else 1
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.out = nn.Linear(self.directions * width, num_outputs) if output_layer else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        lengths = None
        if not x.is_floating_point():
            lengths = (x != PAD_ID).sum(1).cpu()
            x = x[:, : int(lengths.max())]
            x = self.embed(x) if self.embed is not None else F.one_hot(x, self.vocab).float()
        if self.training and self.tbptt_steps and x.shape[1] > self.tbptt_steps:
            out, state = self._truncated(x, lengths, self.tbptt_steps)
        else:
            out, state = self._run(x, lengths, None)
        if self.per_step:
            return self.out(self.drop(out))
        h = state[0] if isinstance(state, tuple) else state
        last = h[-self.directions:].transpose(0, 1).reshape(h.shape[1], -1)
        return self.out(self.drop(last))

    def _run(self, x: Tensor, lengths: Tensor | None, state: State | None) -> tuple[Tensor | None, State]:
        if lengths is None:
            return self.rnn(x, state)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, state = self.rnn(packed, state)
        if self.per_step:
            return pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0], state
        return None, state

    def _truncated(self, x: Tensor, lengths: Tensor | None, k: int) -> tuple[Tensor | None, State]:
        """Truncated BPTT: the state passes from chunk to chunk of k steps but its gradient does not,
        so every loss term reaches at most back to the start of its chunk. One update per batch."""
        state, outs = None, []
        for t0 in range(0, x.shape[1], k):
            chunk = x[:, t0:t0 + k]
            if state is not None:
                state = _map(state, Tensor.detach)
            if lengths is None:
                out, state = self._run(chunk, None, state)
            else:
                steps = (lengths - t0).clamp(0, chunk.shape[1])
                out, new = self._run(chunk, steps.clamp(min=1), state)
                done = (steps == 0).to(x.device)
                state = new if state is None else _keep(state, new, done)
                if out is not None:
                    valid = torch.arange(chunk.shape[1]) < steps.unsqueeze(1)
                    out = out * valid.to(out.device).unsqueeze(2)
            if self.per_step:
                outs.append(out)
        return (torch.cat(outs, 1) if self.per_step else None), state


class RNN(RecurrentNet):
    """Elman's net: h_t = g(W^X x_t + W^H h_{t-1}), then a perceptron; without the output layer,
    the lecture's simple recurrent net y_t = g(W^Y y_{t-1} + W^X x_t)."""

    cell = "rnn"


class LSTM(RecurrentNet):
    """Input, forget and output gates around a cell state that carries memory across long lags."""

    cell = "lstm"


class GRU(RecurrentNet):
    """Update and reset gates; no separate cell state: fewer parameters than the LSTM."""

    cell = "gru"
