"""U-Net (Ronneberger et al. 2015): an encoder that halves the maps and doubles the channels ``depth``
times, a decoder that climbs back with transposed convolutions, and skip connections that concatenate
each encoder stage's maps to the decoder stage of the same size, so fine detail reaches the output.

Written plainly (the lecture's point); unlike the paper, convolutions are padded (output size = input
size, no cropping of the skips) and, by default, each is followed by batch normalisation."""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F


def double_conv(c_in: int, c_out: int, batch_norm: bool) -> nn.Sequential:
    """Two 3x3 convolutions, each followed by (batch norm and) ReLU: one U-Net stage."""
    layers: list[nn.Module] = []
    for a, b in ((c_in, c_out), (c_out, c_out)):
        layers += [nn.Conv2d(a, b, 3, padding=1, bias=not batch_norm)]
        layers += [nn.BatchNorm2d(b)] if batch_norm else []
        layers += [nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


class UNet(nn.Module):
    """Per-pixel class scores (N, classes, H, W) for images (N, C, H, W); H and W need not be multiples
    of 2^depth (the decoder's maps are padded to their skip's size)."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, depth: int = 3, width: int = 16,
                 batch_norm: bool = True) -> None:
        super().__init__()
        widths = [width * 2 ** i for i in range(depth + 1)]
        self.down = nn.ModuleList([double_conv(input_shape[0], widths[0], batch_norm)])
        self.down.extend(double_conv(a, b, batch_norm) for a, b in zip(widths, widths[1:]))
        self.up = nn.ModuleList(nn.ConvTranspose2d(b, a, 2, stride=2) for a, b in zip(widths, widths[1:]))
        self.merge = nn.ModuleList(double_conv(2 * a, a, batch_norm) for a in widths[:-1])
        self.head = nn.Conv2d(widths[0], num_outputs, 1)

    def forward(self, x: Tensor) -> Tensor:
        skips = []
        for i, stage in enumerate(self.down):
            x = stage(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        x = skips.pop()
        for up, merge in zip(reversed(self.up), reversed(self.merge)):
            skip = skips.pop()
            x = up(x)
            x = F.pad(x, (0, skip.shape[-1] - x.shape[-1], 0, skip.shape[-2] - x.shape[-2]))
            x = merge(torch.cat([skip, x], dim=1))
        return self.head(x)
