"""A BERT-style Transformer encoder (Devlin et al., 2019): token embeddings plus positions, pre-LN
encoder layers attending both ways (padding masked), a final layer norm. Two heads on the same encoder:
``token_logits`` scores every position over the vocabulary through the token embedding (tied), for
masked-language-model pretraining; ``forward`` pools the real tokens (mean) into a classifier, for
fine-tuning. ``pretrained=RUN_DIR`` starts from a pretraining run's encoder: every tensor is copied, and
the embedding row by row for the words both vocabularies share (the rest keep their fresh start)."""
from __future__ import annotations

import logging
import os
from typing import Sequence

import torch
from torch import Tensor, nn

from aa.base.errors import ConfigError
from aa.models.transformer import Positions, pre_norm_encoder

log = logging.getLogger("aa")
PAD = 0


class BERT(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, d_model: int = 64, nhead: int = 4,
                 num_layers: int = 2, dim_feedforward: int = 256, dropout: float = 0.1, positions: str = "learned",
                 max_length: int = 256, pretrained: str | None = None, freeze: bool = False,
                 vocabulary: Sequence[str] | None = None, block_size: int | None = None) -> None:
        super().__init__()
        self.vocabulary = list(vocabulary or [])
        vocab = len(self.vocabulary) or input_shape[-1]
        if block_size is not None and block_size > max_length:
            raise ConfigError("model.max_length", max_length, f"is shorter than the data's context "
                              f"dataset.block_size={block_size}", f"model.max_length >= {block_size}")
        self.max_length = max_length
        self.embed = nn.Embedding(vocab, d_model, padding_idx=PAD)
        nn.init.normal_(self.embed.weight, std=0.02)
        self.positions = Positions(d_model, positions, max_length)
        self.drop = nn.Dropout(dropout)
        self.encoder = pre_norm_encoder(d_model, nhead, dim_feedforward, dropout, num_layers, "gelu")
        self.norm = nn.LayerNorm(d_model)
        self.classifier = nn.Linear(d_model, num_outputs)
        if pretrained:
            self.load_pretrained(pretrained)
        if freeze:
            for p in [*self.embed.parameters(), *self.positions.parameters(), *self.encoder.parameters(),
                      *self.norm.parameters()]:
                p.requires_grad_(False)

    def encode(self, ids: Tensor) -> Tensor:
        """(N, L) ids -> (N, L, d) token vectors, each seeing every real token of its row."""
        if ids.shape[1] > self.max_length:
            ids = ids[:, : self.max_length]
        h = self.drop(self.positions(self.embed(ids)))
        return self.norm(self.encoder(h, src_key_padding_mask=ids == PAD))

    def token_logits(self, ids: Tensor) -> Tensor:
        """(N, L, vocabulary) scores of every position through the tied embedding (masked-LM head)."""
        return self.encode(ids) @ self.embed.weight.T

    def forward(self, ids: Tensor) -> Tensor:
        """(N, classes) scores from the mean of the real tokens' vectors."""
        h = self.encode(ids)
        real = (ids[:, : h.shape[1]] != PAD).unsqueeze(-1).float()
        return self.classifier((h * real).sum(1) / real.sum(1).clamp(min=1))

    def get_extra_state(self) -> dict:
        return {"vocabulary": self.vocabulary}

    def set_extra_state(self, state: dict) -> None:
        self.vocabulary = list(state.get("vocabulary", []))

    def load_pretrained(self, run_dir: str) -> None:
        state, words = pretrained_state(run_dir)
        own = self.state_dict()
        copied = []
        for name, tensor in state.items():
            if name.startswith("classifier.") or name not in own or name == "embed.weight":
                continue
            if own[name].shape != tensor.shape:
                raise ConfigError("model.pretrained", run_dir, f"holds {name} of shape {tuple(tensor.shape)}, but "
                                  f"this model's is {tuple(own[name].shape)}: give the same d_model, nhead, "
                                  "num_layers, dim_feedforward and max_length as the pretraining run")
            own[name] = tensor
            copied.append(name)
        index = {w: i for i, w in enumerate(words)}
        shared = [(i, index[w]) for i, w in enumerate(self.vocabulary) if w in index]
        if "embed.weight" in state and shared:
            new, old = zip(*shared)
            own["embed.weight"][list(new)] = state["embed.weight"][list(old)]
        self.load_state_dict(own)
        log.info("model.pretrained: %d tensors and %d of %d word vectors from %s", len(copied), len(shared),
                 len(self.vocabulary), run_dir)


def pretrained_state(run_dir: str) -> tuple[dict[str, Tensor], list[str]]:
    """The encoder tensors (names as in BERT) and vocabulary of a pretraining run's best checkpoint."""
    path = os.path.expanduser(run_dir)
    file = path if os.path.isfile(path) else os.path.join(path, "checkpoints", "best.ckpt")
    if not os.path.isfile(file):
        raise ConfigError("model.pretrained", run_dir, "is neither a checkpoint nor a run folder with "
                          "checkpoints/best.ckpt; give the folder of a model=bert pretraining run")
    try:
        ckpt = torch.load(file, map_location="cpu", weights_only=True)  # plain tensors and lists: nothing runs
    except Exception as e:  # noqa: BLE001 - foreign or damaged bytes fail in many ways, each meaning the same
        raise ConfigError("model.pretrained", run_dir, f"is not a checkpoint aa-train wrote, or it is damaged "
                          f"({type(e).__name__})") from None
    state = {k[len("model."):]: v for k, v in ckpt.get("state_dict", {}).items() if k.startswith("model.")}
    extra = state.pop("_extra_state", None)
    if not isinstance(extra, dict) or "embed.weight" not in state:
        raise ConfigError("model.pretrained", run_dir, "is not a model=bert run (no BERT encoder in its checkpoint)")
    return state, list(extra.get("vocabulary", []))
