"""A sequence tagger: word embeddings read by a bidirectional LSTM or a Transformer encoder, then one
label per token (a linear layer over each token's vector): named-entity recognition as many-to-many."""
from __future__ import annotations

from typing import Sequence

from torch import Tensor, nn

from aa.models.token_input import PAD_ID
from aa.models.transformer import Positions


class Tagger(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, encoder: str = "lstm", embed_dim: int = 64,
                 hidden_size: int = 64, num_layers: int = 1, nhead: int = 4, dropout: float = 0.1,
                 max_length: int = 512, vocabulary: Sequence[str] | None = None) -> None:
        super().__init__()
        self.encoder_kind = encoder
        self.embed = nn.Embedding(input_shape[-1], embed_dim, padding_idx=PAD_ID)
        self.drop = nn.Dropout(dropout)
        if encoder == "lstm":
            self.encoder = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True, bidirectional=True,
                                   dropout=dropout if num_layers > 1 else 0.0)
            width = 2 * hidden_size
        else:
            self.positions = Positions(embed_dim, "sinusoidal", max_length)
            layer = nn.TransformerEncoderLayer(embed_dim, nhead, 4 * embed_dim, dropout, batch_first=True,
                                               norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
            width = embed_dim
        self.out = nn.Linear(width, num_outputs)

    def forward(self, ids: Tensor) -> Tensor:
        """(N, L) word ids -> (N, L, tags) scores."""
        h = self.drop(self.embed(ids))
        if self.encoder_kind == "lstm":
            h, _ = self.encoder(h)
        else:
            h = self.encoder(self.positions(h), src_key_padding_mask=ids == PAD_ID)
        return self.out(self.drop(h))
