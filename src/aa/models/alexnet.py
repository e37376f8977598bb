"""AlexNet (Krizhevsky et al. 2012): LeNet's plan made large, with ReLU and dropout; torchvision's definition.

On small images the first conv is 3x3 stride 1, pools that no longer fit are skipped and the
classifier reads the 256 pooled channels; a chosen normalization follows every conv."""
from __future__ import annotations

from typing import Callable

from torch import nn
from torchvision.models.alexnet import AlexNet as TorchvisionAlexNet

from aa.models.torchvision_nets import (Transferable, drop_collapsing_pools, image_activation, norm_name,
                                        swap_activation, use_small_stem)
from aa.nn.activations import ReLU
from aa.nn.normalization import NoNorm


class AlexNet(Transferable, TorchvisionAlexNet):
    head = ("classifier",)
    weight_norms = ("NoNorm",)

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, activation: Callable[[], nn.Module] = ReLU,
                 normalization: Callable[..., nn.Module] = NoNorm, stem: str = "auto", dropout: float = 0.5,
                 pretrained: bool = False, weights_path: str | None = None, freeze: str = "none") -> None:
        super().__init__(num_classes=num_outputs, dropout=dropout)
        channels = input_shape[0]
        small = use_small_stem(stem, input_shape)
        if small:
            self.features[0] = nn.Conv2d(channels, 64, kernel_size=3, stride=1, padding=1)
        elif channels != 3:
            self.features[0] = nn.Conv2d(channels, 64, kernel_size=11, stride=4, padding=2)
        if norm_name(normalization) != "NoNorm":
            layers = []
            for m in self.features:
                layers.append(m)
                if isinstance(m, nn.Conv2d):
                    layers.append(normalization(m.out_channels, dims=2))
            self.features = nn.Sequential(*layers)
        if small:
            drop_collapsing_pools(self.features, input_shape)
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.classifier[1] = nn.Linear(256, 4096)
        swap_activation(self, image_activation(activation))
        self.transfer("alexnet", normalization, pretrained, weights_path, freeze)
