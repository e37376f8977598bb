"""The single-layer perceptron: a linear discriminant phi = theta^t x per output, no hidden layer."""
from __future__ import annotations

import math
from typing import Callable

from torch import Tensor, nn


class Perceptron(nn.Module):
    """Outputs the discriminant phi; the loss applies the output activation g (softmax, sigmoid...)."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int,
                 activation: Callable[[], nn.Module] | None = None, **_: object) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.out = nn.Linear(math.prod(input_shape), num_outputs)

    def forward(self, x: Tensor) -> Tensor:
        return self.out(self.flatten(x))
