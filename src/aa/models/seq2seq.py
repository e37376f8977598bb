"""Recurrent encoder-decoder (Sutskever et al. 2014) with optional attention (Bahdanau et al. 2015,
Luong et al. 2015): the unaligned many-to-many net of the lecture.

The encoder reads the packed source; the decoder starts from its last state and emits one token per
step. With attention, every step also reads a weighted sum of all encoder states: additive attention
scores them with the previous decoder state and feeds the context into the step; multiplicative
attention scores them with the new state. Decoders (``aa.decode``) drive ``encode``/``step``/``reorder``.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from aa.models.attention import Additive, Multiplicative
from aa.models.recurrent import CELLS, _map
from aa.models.token_input import PAD_ID, TokenInput

ATTENTIONS = ("none", "additive", "multiplicative")


class Encoded(NamedTuple):
    """What the decoder reads: states (B, S, H), real-token mask (B, S), the decoder's first state."""

    memory: Tensor
    mask: Tensor
    state: Any


def top_state(state: Any) -> Tensor:
    """The last layer's hidden state h (B, H) of an RNN/GRU state or an LSTM (h, c) pair."""
    return (state[0] if isinstance(state, tuple) else state)[-1]


class Seq2Seq(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, cell: str = "gru",
                 hidden_size: int = 128, embed_dim: int = 32, num_layers: int = 1,
                 attention: str = "additive", teacher_forcing: float = 1.0, dropout: float = 0.0,
                 embedding: str = "learned") -> None:
        super().__init__()
        if attention not in ATTENTIONS:
            raise ValueError(f"attention={attention!r}: choose one of {', '.join(ATTENTIONS)}")
        h = hidden_size
        self.attention_kind, self.teacher_forcing = attention, teacher_forcing
        self.src_in = TokenInput(input_shape[-1], embed_dim, embedding)
        self.tgt_in = TokenInput(num_outputs, embed_dim, embedding)
        rnn = CELLS[cell]
        drop = dropout if num_layers > 1 else 0.0
        self.encoder = rnn(self.src_in.size, h, num_layers, batch_first=True, dropout=drop)
        context = h if attention == "additive" else 0
        self.decoder = rnn(self.tgt_in.size + context, h, num_layers, batch_first=True, dropout=drop)
        self.attention = {"additive": lambda: Additive(h, h), "multiplicative": lambda: Multiplicative(h, h),
                          "none": lambda: None}[attention]()
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(h if attention == "none" else 2 * h, num_outputs)

    def encode(self, src: Tensor) -> Encoded:
        lengths = (src != PAD_ID).sum(1).clamp(min=1)
        src = src[:, : int(lengths.max())]
        packed = pack_padded_sequence(self.drop(self.src_in(src)), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        out, state = self.encoder(packed)
        memory = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])[0]
        return Encoded(memory, src != PAD_ID, state)

    def step(self, tokens: Tensor, state: Any, enc: Encoded) -> tuple[Tensor, Any, Tensor | None]:
        """One decoder step: previous tokens (B,) -> logits (B, V), new state, attention weights (B, S)."""
        x = self.drop(self.tgt_in(tokens))
        weights = None
        if self.attention_kind == "additive":
            context, weights = self.attention(top_state(state), enc.memory, enc.mask)
            x = torch.cat([x, context], -1)
        out, state = self.decoder(x.unsqueeze(1), state)
        h = out[:, 0]
        if self.attention_kind == "multiplicative":
            context, weights = self.attention(h, enc.memory, enc.mask)
        if weights is not None:
            h = torch.cat([h, context], -1)
        return self.out(self.drop(h)), state, weights

    def start(self, enc: Encoded) -> Any:
        return enc.state

    @staticmethod
    def reorder(state: Any, index: Tensor) -> Any:
        """Keep the rows ``index`` of a state (beam search)."""
        return _map(state, lambda s: s.index_select(1, index))

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        """Logits (B, T, V) for decoder inputs (B, T) starting with <s>. In training, each later input is
        the true previous token with probability ``teacher_forcing``, else the net's own choice."""
        enc = self.encode(src)
        own_choices = self.training and self.teacher_forcing < 1
        if not own_choices and self.attention_kind != "additive":
            return self.all_steps(tgt_in, enc)
        state, logits = enc.state, []
        for t in range(tgt_in.shape[1]):
            tokens = tgt_in[:, t]
            if t and self.training and self.teacher_forcing < 1:
                own = logits[-1].argmax(-1)
                keep = torch.rand(len(tokens), device=tokens.device) < self.teacher_forcing
                tokens = torch.where(keep, tokens, own)
            step, state, _ = self.step(tokens, state, enc)
            logits.append(step)
        return torch.stack(logits, 1)

    def all_steps(self, tgt_in: Tensor, enc: Encoded) -> Tensor:
        """``step`` for every known input at once: one call of the recurrent layer over the whole target,
        then attention for every step. Possible when no input depends on the net's own output: additive
        attention feeds its context into the next step, so it steps one token at a time."""
        h, _ = self.decoder(self.drop(self.tgt_in(tgt_in)), enc.state)
        if self.attention_kind == "multiplicative":
            h = torch.cat([h, self.attention(h, enc.memory, enc.mask)[0]], -1)
        return self.out(self.drop(h))
