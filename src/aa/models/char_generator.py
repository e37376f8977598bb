"""One-to-many: a recurrent net that writes a token sequence given a class (a surname given a
country, as in the PyTorch char-RNN generation tutorial). Each step reads the previous character and
the class embedding and predicts the next character; padding id 0 doubles as "end of name"."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from aa.models.recurrent import CELLS
from aa.models.token_input import TokenInput


class CharGenerator(nn.Module):
    """``input_shape[-1]`` characters (id V is the start symbol), ``num_outputs`` classes to condition on."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, cell: str = "gru", hidden_size: int = 128,
                 embed_dim: int = 32, class_dim: int = 16, num_layers: int = 1, dropout: float = 0.0,
                 embedding: str = "learned") -> None:
        super().__init__()
        self.vocab = input_shape[-1]
        self.start_id = self.vocab
        self.chars = TokenInput(self.vocab + 1, embed_dim, embedding)
        self.classes = nn.Embedding(num_outputs, class_dim)
        self.rnn = CELLS[cell](self.chars.size + class_dim, hidden_size, num_layers, batch_first=True,
                               dropout=dropout if num_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, self.vocab)

    def forward(self, inputs: Tensor, label: Tensor, state=None) -> tuple[Tensor, object]:
        """inputs (N, T) previous characters, label (N,) -> next-character logits (N, T, V), state."""
        c = self.classes(label).unsqueeze(1).expand(-1, inputs.shape[1], -1)
        h, state = self.rnn(torch.cat([self.drop(self.chars(inputs)), c], -1), state)
        return self.out(self.drop(h)), state
