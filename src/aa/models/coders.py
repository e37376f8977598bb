"""The two halves every generative model here is made of: a network that reads a sample (encoder,
discriminator) and one that writes a sample (decoder, generator), each as an MLP or a DCGAN-style
conv net. A condition (one-hot class) is concatenated to the code or to the features."""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from aa.base.errors import ConfigError


def mlp(sizes: list[int], act: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """Linear layers with ``act`` between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def check_arch(arch: str, input_shape: tuple[int, ...]) -> None:
    if arch == "conv" and len(input_shape) != 3:
        raise ConfigError("model.arch", arch, f"reads images, but this dataset serves vectors of shape "
                          f"{tuple(input_shape)}", "model.arch=mlp, or an image dataset")


class Reader(nn.Module):
    """Sample (+ condition) -> ``out`` numbers: an MLP over the flattened sample, or stride-2 convs
    (4x4 kernels, LeakyReLU as in DCGAN) whose flattened maps feed a linear layer."""

    def __init__(self, input_shape: tuple[int, ...], out: int, hidden: list[int], arch: str = "mlp",
                 cond: int = 0, channels: tuple[int, ...] = (32, 64), act: type[nn.Module] = nn.ReLU) -> None:
        super().__init__()
        check_arch(arch, input_shape)
        self.cond = cond
        if arch == "conv":
            c, layers = input_shape[0], []
            for ch in channels:
                layers += [nn.Conv2d(c, ch, 4, 2, 1), nn.LeakyReLU(0.2)]
                c = ch
            self.features = nn.Sequential(*layers, nn.Flatten())
            with torch.no_grad():
                width = self.features(torch.zeros(1, *input_shape)).shape[1]
        else:
            self.features, width = nn.Flatten(), math.prod(input_shape)
        self.head = mlp([width + cond, *hidden, out], act)

    def forward(self, x: Tensor, c: Tensor | None = None) -> Tensor:
        h = self.features(x)
        if self.cond:
            h = torch.cat([h, c if c is not None else h.new_zeros(len(h), self.cond)], 1)
        return self.head(h)


class Writer(nn.Module):
    """Code (+ condition) -> sample of ``output_shape``: an MLP, or a linear layer to small maps
    followed by stride-2 transposed convs with batch norm (DCGAN's generator); a size the doublings
    miss is met by interpolation."""

    def __init__(self, code: int, output_shape: tuple[int, ...], hidden: list[int], arch: str = "mlp",
                 cond: int = 0, channels: tuple[int, ...] = (64, 32), act: type[nn.Module] = nn.ReLU) -> None:
        super().__init__()
        check_arch(arch, output_shape)
        self.cond, self.shape, self.arch = cond, tuple(output_shape), arch
        if arch == "conv":
            c, h, w = output_shape
            k = len(channels)
            self.start = (channels[0], max(1, math.ceil(h / 2 ** k)), max(1, math.ceil(w / 2 ** k)))
            self.head = nn.Sequential(mlp([code + cond, *hidden, math.prod(self.start)], act), act())
            layers: list[nn.Module] = []
            for a, b in zip(channels, channels[1:]):
                layers += [nn.ConvTranspose2d(a, b, 4, 2, 1), nn.BatchNorm2d(b), act()]
            self.body = nn.Sequential(*layers, nn.ConvTranspose2d(channels[-1], c, 4, 2, 1))
        else:
            self.head = mlp([code + cond, *hidden, math.prod(output_shape)], act)

    def forward(self, z: Tensor, c: Tensor | None = None) -> Tensor:
        if self.cond:
            z = torch.cat([z, c if c is not None else z.new_zeros(len(z), self.cond)], 1)
        h = self.head(z)
        if self.arch != "conv":
            return h.reshape(len(z), *self.shape)
        h = self.body(h.reshape(len(z), *self.start))
        if h.shape[-2:] != self.shape[-2:]:
            h = F.interpolate(h, size=self.shape[-2:], mode="bilinear", align_corners=False)
        return h


def one_hot(y: Tensor | None, classes: int) -> Tensor | None:
    return None if y is None or not classes else F.one_hot(y.long(), classes).float()
