"""A GPT-style decoder-only Transformer language model (Radford et al., 2018): token embeddings plus
positions, pre-LN Transformer blocks (``torch.nn.TransformerEncoderLayer``) whose self-attention is
causal (position t sees positions <= t only), a final layer norm, and an output layer that shares the
token embedding's weights (weight tying: logits_t = h_t E^T)."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import Tensor, nn

from aa.base.errors import ConfigError
from aa.models.transformer import Positions, pre_norm_encoder


class GPT(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, d_model: int = 64, nhead: int = 4,
                 num_layers: int = 2, dim_feedforward: int = 256, dropout: float = 0.1,
                 positions: str = "learned", max_length: int = 256, block_size: int | None = None,
                 vocabulary: Sequence[str] | None = None) -> None:
        super().__init__()
        if block_size is not None and block_size > max_length:
            raise ConfigError("model.max_length", max_length, f"is shorter than the data's context "
                              f"dataset.block_size={block_size}: positions past {max_length} have no vector",
                              f"model.max_length >= {block_size}, or a smaller dataset.block_size")
        self.vocabulary = list(vocabulary or [])
        self.max_length = max_length
        self.context = block_size or max_length  # the window it was trained on: samples see no more
        self.embed = nn.Embedding(num_outputs, d_model)
        nn.init.normal_(self.embed.weight, std=0.02)
        self.positions = Positions(d_model, positions, max_length)
        self.drop = nn.Dropout(dropout)
        self.blocks = pre_norm_encoder(d_model, nhead, dim_feedforward, dropout, num_layers, "gelu")
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_outputs, bias=False)
        self.head.weight = self.embed.weight  # tied

    def forward(self, ids: Tensor) -> Tensor:
        """(N, T) token ids -> (N, T, vocabulary) next-token scores."""
        t = ids.shape[1]
        if t > self.max_length:
            raise ValueError(f"a context of {t} tokens is longer than model.max_length={self.max_length}")
        mask = nn.Transformer.generate_square_subsequent_mask(t, device=ids.device)
        h = self.blocks(self.drop(self.positions(self.embed(ids))), mask=mask, is_causal=True)
        return self.head(self.norm(h))

    def get_extra_state(self) -> dict:
        """The vocabulary travels in the checkpoint, so samples and fine-tuning read the same tokens."""
        return {"vocabulary": self.vocabulary}

    def set_extra_state(self, state: dict) -> None:
        self.vocabulary = list(state.get("vocabulary", []))

    @torch.no_grad()
    def generate(self, ids: Tensor, steps: int, temperature: float = 1.0, top_k: int | None = None,
                 generator: torch.Generator | None = None) -> Tensor:
        """Extend (N, T) ids by ``steps`` tokens drawn from softmax(logits / temperature), among the
        ``top_k`` most probable where given; the context is the last ``context`` tokens
        (the training window: positions past it were never trained)."""
        for _ in range(steps):
            logits = self(ids[:, -self.context:])[:, -1].float() / max(temperature, 1e-6)
            if top_k:
                kth = logits.topk(min(top_k, logits.shape[-1]), -1).values[:, -1:]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            logits[:, :2] = float("-inf")  # never <pad> or <unk>
            nxt = torch.multinomial(logits.softmax(-1).cpu(), 1, generator=generator).to(ids.device)
            ids = torch.cat([ids, nxt], 1)
        return ids
