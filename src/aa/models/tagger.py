"""A sequence tagger: word embeddings read by a bidirectional LSTM or a Transformer encoder, then one
label per token (a linear layer over each token's vector): named-entity recognition as many-to-many.
With ``char_dim`` > 0 each word's vector also holds character features (Ma and Hovy, 2016: character
embeddings, a convolution over the word's characters, the maximum over positions), so a word outside the
vocabulary (<unk>) still shows its capitals, suffixes and shape."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor, nn

from aa.models.token_input import PAD_ID
from aa.models.transformer import Positions, pre_norm_encoder


class Tagger(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, encoder: str = "lstm", embed_dim: int = 64,
                 hidden_size: int = 64, num_layers: int = 1, nhead: int = 4, dropout: float = 0.1,
                 max_length: int = 512, char_dim: int = 0, n_chars: int = 256,
                 vocabulary: Sequence[str] | None = None) -> None:
        super().__init__()
        self.encoder_kind = encoder
        self.embed = nn.Embedding(input_shape[-1], embed_dim - char_dim if encoder == "transformer" else embed_dim,
                                  padding_idx=PAD_ID)
        self.char_dim = char_dim
        if char_dim:
            self.char_embed = nn.Embedding(n_chars, 16, padding_idx=0)
            self.char_conv = nn.Conv1d(16, char_dim, 3, padding=1)
        width_in = embed_dim if encoder == "transformer" else embed_dim + char_dim
        self.drop = nn.Dropout(dropout)
        if encoder == "lstm":
            self.encoder = nn.LSTM(width_in, hidden_size, num_layers, batch_first=True, bidirectional=True,
                                   dropout=dropout if num_layers > 1 else 0.0)
            width = 2 * hidden_size
        else:
            self.positions = Positions(embed_dim, "sinusoidal", max_length)
            self.encoder = pre_norm_encoder(embed_dim, nhead, 4 * embed_dim, dropout, num_layers)
            width = embed_dim
        self.out = nn.Linear(width, num_outputs)

    def char_features(self, chars: Tensor) -> Tensor:
        """(N, L, W) character ids -> (N, L, char_dim): the maximum of a convolution over each word."""
        n, length, w = chars.shape
        e = self.char_embed(chars.reshape(n * length, w)).transpose(1, 2)
        f = torch.relu(self.char_conv(e)).masked_fill((chars.reshape(n * length, 1, w) == 0), 0.0)
        return f.max(-1).values.reshape(n, length, -1)

    def forward(self, x: Tensor) -> Tensor:
        """(N, L, 1 + W) word and character ids (or (N, L) word ids) -> (N, L, tags) scores."""
        ids = x[..., 0] if x.dim() == 3 else x
        h = self.embed(ids)
        if self.char_dim:
            h = torch.cat([h, self.char_features(x[..., 1:])], -1)
        h = self.drop(h)
        if self.encoder_kind == "lstm":
            h, _ = self.encoder(h)
        else:
            h = self.encoder(self.positions(h), src_key_padding_mask=ids == PAD_ID)
        return self.out(self.drop(h))
