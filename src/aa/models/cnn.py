"""The lecture's generic convolutional net (section 7): blocks of conv + g + pooling, optionally led by a
1x1 convolution that reduces the channels, then fully connected layers and the output layer."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor, nn

from aa.base.errors import ConfigError
from aa.models.torchvision_nets import image_activation
from aa.nn.activations import ReLU
from aa.nn.normalization import NoNorm


@dataclass
class Block:
    """One block: [1x1 conv to ``reduce`` channels, g], conv, normalization, g, pooling (max, avg, none);
    its values are checked by the config schema (aa.config.schemas.vision.ConvBlock)."""

    channels: int
    kernel: int = 3
    stride: int = 1
    padding: int = 1
    pool: str = "max"
    pool_size: int = 2
    pool_stride: int = 0
    reduce: int = 0


DEFAULT_BLOCKS = tuple({"channels": c, "kernel": 3, "stride": 1, "padding": 1, "pool": "max", "pool_size": 2,
                        "pool_stride": 2, "reduce": 0} for c in (16, 32))


class CNN(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, blocks: list[dict] = DEFAULT_BLOCKS,
                 hidden: list[int] = (), activation: Callable[[], nn.Module] = ReLU,
                 normalization: Callable[..., nn.Module] = NoNorm, dropout: float = 0.0) -> None:
        super().__init__()
        g = image_activation(activation)
        layers: list[nn.Module] = []
        channels = input_shape[0]
        x = torch.zeros(2, *input_shape)
        for i, b in enumerate(Block(**dict(spec)) for spec in blocks):
            block: list[nn.Module] = []
            if b.reduce:
                block += [nn.Conv2d(channels, b.reduce, 1), g()]
                channels = b.reduce
            block += [nn.Conv2d(channels, b.channels, b.kernel, b.stride, b.padding), normalization(b.channels, dims=2), g()]
            if b.pool != "none":
                pool = nn.MaxPool2d if b.pool == "max" else nn.AvgPool2d
                block.append(pool(b.pool_size, b.pool_stride or b.pool_size))
            stage = nn.Sequential(*block)
            with torch.no_grad():
                try:
                    x = stage(x)
                except RuntimeError as e:
                    raise ConfigError(f"model.blocks[{i}]", vars(b), f"shrinks the {tuple(x.shape[-2:])} map "
                                      "to nothing; use a smaller kernel, stride or pool, or fewer blocks") from e
            layers.append(stage)
            channels = b.channels
        self.features = nn.Sequential(*layers)
        fc: list[nn.Module] = [nn.Flatten()]
        width = x.flatten(1).shape[1]
        for h in hidden:
            fc += [nn.Linear(width, h), normalization(h), g()]
            if dropout > 0:
                fc.append(nn.Dropout(dropout))
            width = h
        fc.append(nn.Linear(width, num_outputs))
        self.classifier = nn.Sequential(*fc)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))
