"""LeNet-5 (LeCun et al. 1998), the lecture's classic: C1 6@5x5, S2 pool, C3 16@5x5, S4 pool, C5 120@5x5,
F6 84, output; tanh and average pooling by default, about 61.7 k parameters on 32x32 inputs.

Images smaller than 32x32 are zero-padded to it, as LeCun centred the 28x28 MNIST digits in a 32x32 field."""
from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn

from aa.models.torchvision_nets import image_activation
from aa.nn.activations import Tanh
from aa.nn.normalization import NoNorm

FIELD = 32


class LeNet5(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, activation: Callable[[], nn.Module] = Tanh,
                 normalization: Callable[..., nn.Module] = NoNorm, pooling: str = "avg",
                 dropout: float = 0.0) -> None:
        super().__init__()
        if pooling not in ("avg", "max"):
            raise ValueError(f"pooling must be avg or max, not {pooling!r}")
        g = image_activation(activation)
        channels, h, w = input_shape
        pad_h, pad_w = max(FIELD - h, 0), max(FIELD - w, 0)
        pool = nn.AvgPool2d if pooling == "avg" else nn.MaxPool2d
        self.features = nn.Sequential(
            nn.ZeroPad2d((pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2)),
            nn.Conv2d(channels, 6, 5), normalization(6, dims=2), g(), pool(2, 2),
            nn.Conv2d(6, 16, 5), normalization(16, dims=2), g(), pool(2, 2),
            nn.Conv2d(16, 120, 5), normalization(120, dims=2), g(),
        )
        with torch.no_grad():
            fan_in = self.features(torch.zeros(2, *input_shape)).flatten(1).shape[1]
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(fan_in, 84), normalization(84), g(),
            nn.Dropout(dropout) if dropout > 0 else nn.Identity(), nn.Linear(84, num_outputs),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))
