"""Inception v1 / GoogLeNet (Szegedy et al. 2014): parallel 1x1, 3x3, 5x5 and pool branches, 1x1 convs
reducing channels first, and two auxiliary classifiers whose losses are added with weight 0.3 in training.

torchvision's definition with the configured g and normalization in every conv; training returns
(phi, [(weight, aux_phi), ...]) for the task module, evaluation phi only."""
from __future__ import annotations

from functools import partial
from typing import Callable

from torch import Tensor, nn
from torchvision.models.googlenet import GoogLeNet, GoogLeNetOutputs, Inception, InceptionAux

from aa.models.torchvision_nets import Transferable, image_activation, use_small_stem
from aa.nn.activations import ReLU
from aa.nn.normalization import BatchNorm


class ConvBlock(nn.Module):
    """conv, normalization, g: torchvision's BasicConv2d (same names, so its weights load) with our choices."""

    def __init__(self, in_channels: int, out_channels: int, activation: Callable[[], nn.Module] = ReLU,
                 normalization: Callable[..., nn.Module] = BatchNorm, **conv: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **conv)
        self.bn = normalization(out_channels, dims=2)
        self.g = activation()

    def forward(self, x: Tensor) -> Tensor:
        return self.g(self.bn(self.conv(x)))


class InceptionV1(Transferable, GoogLeNet):
    head = ("fc",)

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, activation: Callable[[], nn.Module] = ReLU,
                 normalization: Callable[..., nn.Module] = BatchNorm, stem: str = "auto", aux_logits: bool = True,
                 aux_weight: float = 0.3, dropout: float = 0.2, pretrained: bool = False,
                 weights_path: str | None = None, freeze: str = "none") -> None:
        conv = partial(ConvBlock, activation=image_activation(activation), normalization=normalization)
        blocks = [conv, partial(Inception, conv_block=conv), partial(InceptionAux, conv_block=conv)]
        super().__init__(num_classes=num_outputs, aux_logits=aux_logits, transform_input=False, init_weights=True,
                         blocks=blocks, dropout=dropout)
        self.aux_weight = aux_weight
        channels = input_shape[0]
        if use_small_stem(stem, input_shape):
            self.conv1 = conv(channels, 64, kernel_size=3, padding=1)
            self.maxpool1 = self.maxpool2 = nn.Identity()
        elif channels != 3:
            self.conv1 = conv(channels, 64, kernel_size=7, stride=2, padding=3)
        self.transfer("googlenet", normalization, pretrained, weights_path, freeze)

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, list[tuple[float, Tensor]]]:
        out = super().forward(x)
        if isinstance(out, GoogLeNetOutputs):
            return out.logits, [(self.aux_weight, out.aux_logits1), (self.aux_weight, out.aux_logits2)]
        return out
