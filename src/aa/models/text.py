"""Text classifiers over token ids (N, L) right-padded with id 0 (the lecture's two notebooks).

EmbeddingBag: the mean of the word (and n-gram) embeddings, then a linear layer, as in the PyTorch
text-classification tutorial. TextRNN: learned word embeddings read by an LSTM or GRU. Either may start
its embeddings from trained word vectors (``pretrained_embeddings``, frozen or fine-tuned).
"""
from __future__ import annotations

from typing import Sequence

from torch import Tensor, nn

from aa.models.recurrent import PAD_ID, RecurrentNet
from aa.models.word_vectors import load_word_vectors


class EmbeddingBag(nn.Module):
    """phi = theta (1/|x| sum_w e_w) + b; padding is left out of the mean, so it changes nothing."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, embed_dim: int = 64,
                 mode: str = "mean", init_range: float = 0.5, dropout: float = 0.0,
                 pretrained_embeddings: str | None = None, freeze_embeddings: bool = False,
                 vocabulary: Sequence[str] | None = None) -> None:
        super().__init__()
        self.bag = nn.EmbeddingBag(input_shape[-1], embed_dim, mode=mode, padding_idx=PAD_ID)
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc = nn.Linear(embed_dim, num_outputs)
        nn.init.uniform_(self.bag.weight, -init_range, init_range)
        nn.init.uniform_(self.fc.weight, -init_range, init_range)
        nn.init.zeros_(self.fc.bias)
        if pretrained_embeddings:
            load_word_vectors(self.bag, pretrained_embeddings, vocabulary, freeze_embeddings)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.drop(self.bag(x)))


class TextRNN(RecurrentNet):
    """Word embeddings (padding id 0) read by a recurrent net of the chosen cell; ``embedding=one_hot``
    feeds the vocabulary-sized one-hot vectors instead (the lecture's one-hot vs embeddings)."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, cell: str = "lstm",
                 embed_dim: int = 100, pretrained_embeddings: str | None = None, freeze_embeddings: bool = False,
                 vocabulary: Sequence[str] | None = None, embedding: str = "learned", hidden_size: int = 128,
                 **kwargs) -> None:
        self.cell = cell
        super().__init__(input_shape, num_outputs, hidden_size=hidden_size,
                         embed_dim=embed_dim if embedding == "learned" else 0, **kwargs)
        if pretrained_embeddings:
            load_word_vectors(self.embed, pretrained_embeddings, vocabulary, freeze_embeddings)
