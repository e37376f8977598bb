"""Attention-only nets on torch.nn's Transformer modules (Vaswani et al. 2017).

``Transformer``: encoder-decoder for sequence-to-sequence data; the decoder sees its own earlier
outputs through a causal mask and the source through cross-attention; padding is masked everywhere.
``TransformerEncoder``: the encoder with a pooled classifier head, for labelled token data.
Positions are sinusoidal (fixed) or learned, added to the scaled token embeddings. Layers normalise
before each sub-layer (pre-LN), which trains small nets without a learning-rate warm-up.
While decoding, each step also returns the last decoder layer's cross-attention (mean over heads), so the
heat maps of the RNN encoder-decoder exist for the Transformer too.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator

import torch
from torch import Tensor, nn

from aa.models.seq2seq import Encoded
from aa.models.token_input import PAD_ID

POSITIONS = ("sinusoidal", "learned")


def pre_norm_encoder(d_model: int, nhead: int, dim_feedforward: int, dropout: float, num_layers: int,
                     activation: str = "relu") -> nn.TransformerEncoder:
    """A stack of pre-LN self-attention blocks (layer norm before attention and MLP: trains without a
    warm-up at these sizes), batch first."""
    layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation=activation,
                                       batch_first=True, norm_first=True)
    return nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)


class Positions(nn.Module):
    """Adds position vectors to (B, L, d) embeddings."""

    def __init__(self, d_model: int, kind: str = "sinusoidal", max_length: int = 512) -> None:
        super().__init__()
        if kind not in POSITIONS:
            raise ValueError(f"positions={kind!r}: choose one of {', '.join(POSITIONS)}")
        if kind == "learned":
            self.table = nn.Parameter(torch.randn(max_length, d_model) * 0.02)
        else:
            pos = torch.arange(max_length).unsqueeze(1)
            freq = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
            table = torch.zeros(max_length, d_model)
            table[:, 0::2] = torch.sin(pos * freq)
            table[:, 1::2] = torch.cos(pos * freq)[:, : d_model // 2]
            self.register_buffer("table", table, persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.table[: x.shape[1]]


class TokenEmbedding(nn.Module):
    """sqrt(d) * e(token) + position, then dropout."""

    def __init__(self, vocab: int, d_model: int, positions: str, max_length: int, dropout: float) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model, padding_idx=PAD_ID)
        nn.init.normal_(self.embed.weight, std=d_model ** -0.5)  # scaled by sqrt(d): unit size, like the positions
        with torch.no_grad():
            self.embed.weight[PAD_ID].zero_()
        self.positions = Positions(d_model, positions, max_length)
        self.drop = nn.Dropout(dropout)
        self.scale = math.sqrt(d_model)

    def forward(self, ids: Tensor) -> Tensor:
        return self.drop(self.positions(self.embed(ids) * self.scale))


def _trim(ids: Tensor) -> Tensor:
    """Drop the columns that are padding in every row."""
    return ids[:, : max(int((ids != PAD_ID).sum(1).max()), 1)]


@contextmanager
def cross_attention(attention: nn.MultiheadAttention) -> Iterator[list[Tensor]]:
    """Inside the block, ``attention`` also computes its weights (B, T, S; mean over heads), which the
    decoder layer itself asks it not to; they are appended to the yielded list."""
    seen: list[Tensor] = []

    def ask(module, args, kwargs):
        return args, {**kwargs, "need_weights": True, "average_attn_weights": True}

    def keep(module, args, output):
        seen.append(output[1])

    hooks = [attention.register_forward_pre_hook(ask, with_kwargs=True), attention.register_forward_hook(keep)]
    try:
        yield seen
    finally:
        for hook in hooks:
            hook.remove()


class Transformer(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, d_model: int = 64, nhead: int = 4,
                 num_encoder_layers: int = 2, num_decoder_layers: int = 2, dim_feedforward: int = 256,
                 dropout: float = 0.1, positions: str = "sinusoidal", max_length: int = 512) -> None:
        super().__init__()
        self.src_embed = TokenEmbedding(input_shape[-1], d_model, positions, max_length, dropout)
        self.tgt_embed = TokenEmbedding(num_outputs, d_model, positions, max_length, dropout)
        enc = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, batch_first=True, norm_first=True)
        dec = nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(enc, num_encoder_layers, nn.LayerNorm(d_model), enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(dec, num_decoder_layers, nn.LayerNorm(d_model))
        self.out = nn.Linear(d_model, num_outputs)

    def encode(self, src: Tensor) -> Encoded:
        src = _trim(src)
        pad = src == PAD_ID
        memory = self.encoder(self.src_embed(src), src_key_padding_mask=pad)
        return Encoded(memory, ~pad, None)

    def decode(self, prefix: Tensor, enc: Encoded) -> Tensor:
        """Logits (B, T, V) for decoder inputs (B, T), each position seeing only the ones before it."""
        t = prefix.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool, device=prefix.device).triu(1)
        h = self.decoder(self.tgt_embed(prefix), enc.memory, tgt_mask=causal, tgt_is_causal=True,
                             tgt_key_padding_mask=prefix == PAD_ID, memory_key_padding_mask=~enc.mask)
        return self.out(h)

    def start(self, enc: Encoded) -> Tensor:
        """The decoder's state is the prefix it has emitted so far."""
        return torch.zeros(len(enc.memory), 0, dtype=torch.long, device=enc.memory.device)

    def step(self, tokens: Tensor, prefix: Tensor, enc: Encoded) -> tuple[Tensor, Tensor, Tensor]:
        """Next-token logits (B, V), the longer prefix, and the newest position's cross-attention (B, S)."""
        prefix = torch.cat([prefix, tokens.unsqueeze(1)], 1)
        with cross_attention(self.decoder.layers[-1].multihead_attn) as seen:
            logits = self.decode(prefix, enc)[:, -1]
        return logits, prefix, seen[0][:, -1]

    @staticmethod
    def reorder(prefix: Tensor, index: Tensor) -> Tensor:
        return prefix.index_select(0, index)

    def forward(self, src: Tensor, tgt_in: Tensor) -> Tensor:
        return self.decode(tgt_in, self.encode(src))


class TransformerEncoder(nn.Module):
    """Encoder layers over the tokens, the mean of the real tokens' vectors, a linear classifier."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, d_model: int = 64, nhead: int = 4,
                 num_layers: int = 2, dim_feedforward: int = 256, dropout: float = 0.1,
                 positions: str = "sinusoidal", max_length: int = 512) -> None:
        super().__init__()
        self.embed = TokenEmbedding(input_shape[-1], d_model, positions, max_length, dropout)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, nn.LayerNorm(d_model), enable_nested_tensor=False)
        self.out = nn.Linear(d_model, num_outputs)

    def forward(self, ids: Tensor) -> Tensor:
        ids = _trim(ids)
        pad = ids == PAD_ID
        h = self.encoder(self.embed(ids), src_key_padding_mask=pad)
        real = (~pad).unsqueeze(2).to(h.dtype)
        return self.out((h * real).sum(1) / real.sum(1).clamp(min=1))
