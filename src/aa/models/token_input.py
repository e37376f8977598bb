"""How a token id enters a net: a learned embedding, or the one-hot vector itself (lecture 9's comparison)."""
from __future__ import annotations

from torch import Tensor, nn
from torch.nn import functional as F

PAD_ID = 0
EMBEDDINGS = ("learned", "one_hot")


class TokenInput(nn.Module):
    """ids (...) -> vectors (..., size): ``learned`` looks up a trained ``embed_dim`` vector (padding id 0
    stays zero); ``one_hot`` feeds the vocabulary-sized indicator vector, which has nothing to learn."""

    def __init__(self, vocab: int, embed_dim: int, embedding: str = "learned") -> None:
        super().__init__()
        if embedding not in EMBEDDINGS:
            raise ValueError(f"embedding={embedding!r}: choose one of {', '.join(EMBEDDINGS)}")
        self.vocab, self.kind = vocab, embedding
        self.embed = nn.Embedding(vocab, embed_dim, padding_idx=PAD_ID) if embedding == "learned" else None
        self.size = embed_dim if embedding == "learned" else vocab

    def forward(self, ids: Tensor) -> Tensor:
        return self.embed(ids) if self.embed is not None else F.one_hot(ids, self.vocab).float()
