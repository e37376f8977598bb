"""Multilayer perceptron of any depth, with the lecture's two non-plain shapes.

skip='input': every later layer also receives the input x directly (the slides' theta^{k,0}).
skip='residual': hidden layers of equal width become s + f(s) blocks.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor, nn

from aa.nn.activations import ReLU
from aa.nn.normalization import NoNorm


class HiddenLayer(nn.Module):
    """phi = theta s, then normalization, then s' = g(phi), then dropout."""

    def __init__(self, fan_in: int, width: int, activation: Callable[[], nn.Module],
                 normalization: Callable[..., nn.Module], dropout: float) -> None:
        super().__init__()
        self.g = activation()
        factor = getattr(self.g, "width_factor", 1)
        self.linear = nn.Linear(fan_in, width * factor)
        self.norm = normalization(width * factor)
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, s: Tensor) -> Tensor:
        return self.drop(self.g(self.norm(self.linear(s))))


class MLP(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, hidden: list[int] = (128,),
                 activation: Callable[[], nn.Module] = ReLU,
                 normalization: Callable[..., nn.Module] = NoNorm,
                 skip: str = "none", dropout: float = 0.0) -> None:
        super().__init__()
        if skip not in ("none", "input", "residual"):
            raise ValueError(f"skip must be none, input or residual, not {skip!r}")
        self.skip = skip
        self.flatten = nn.Flatten()
        d = math.prod(input_shape)
        layers, fan_in = [], d
        for width in hidden:
            extra = d if skip == "input" and layers else 0
            layers.append(HiddenLayer(fan_in + extra, width, activation, normalization, dropout))
            fan_in = width
        self.hidden = nn.ModuleList(layers)
        self.out = nn.Linear(fan_in + (d if skip == "input" and layers else 0), num_outputs)

    def forward(self, x: Tensor) -> Tensor:
        x = self.flatten(x)
        s = x
        for k, layer in enumerate(self.hidden):
            if self.skip == "input" and k > 0:
                s = layer(torch.cat([s, x], dim=1))
            elif self.skip == "residual" and k > 0 and s.shape[1] == layer.linear.out_features // layer.g.width_factor:
                s = s + layer(s)
            else:
                s = layer(s)
        if self.skip == "input" and self.hidden:
            s = torch.cat([s, x], dim=1)
        return self.out(s)
