"""Convolutions on maps smaller than their kernel: the taps that can only meet padding are dropped.

On the 8x8 digits a small-stem ResNet's last stage sees 2x2 and 1x1 maps; a 3x3 kernel with padding 1
then multiplies most of its taps by padding zeros. Cropping the kernel to the taps that meet data
gives the same outputs and gradients (a dropped tap's gradient is exactly zero either way), but
oneDNN's 3x3 backward on such maps costs ~10x the cropped one on a CPU (scripts/bench_headline.py)."""
from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn


@lru_cache(maxsize=None)
def live_taps(size: int, kernel: int, stride: int, padding: int) -> tuple[int, int, int, int]:
    """(first tap, last tap + 1, left padding, right padding) of the taps that meet data on one axis."""
    out = (size + 2 * padding - kernel) // stride + 1
    taps = [i for i in range(kernel) if any(0 <= o * stride - padding + i < size for o in range(out))]
    if not taps:  # every output sees only padding: leave it to the plain convolution
        return 0, kernel, padding, padding
    first, stop = taps[0], taps[-1] + 1
    left = padding - first
    right = max(0, (out - 1) * stride + (stop - first) - size - left)
    return first, stop, left, right


class CroppedConv2d(nn.Conv2d):
    """An nn.Conv2d (same parameters, same state_dict) that skips the taps that can only see padding."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.dilation != (1, 1) or self.padding_mode != "zeros" or isinstance(self.padding, str):
            return super().forward(x)
        (h0, h1, top, bottom), (w0, w1, left, right) = (
            live_taps(int(n), k, s, p) for n, k, s, p in zip(x.shape[-2:], self.kernel_size, self.stride, self.padding))
        if (h1 - h0, w1 - w0) == self.kernel_size:
            return super().forward(x)
        if top != bottom or left != right:
            x = F.pad(x, (left, right, top, bottom))
            top = left = 0
        return F.conv2d(x, self.weight[:, :, h0:h1, w0:w1], self.bias, self.stride, (top, left), 1, self.groups)


def skip_padding_taps(module: nn.Module) -> nn.Module:
    """Make every plain nn.Conv2d inside ``module`` a CroppedConv2d (in place; weights untouched)."""
    for m in module.modules():
        if type(m) is nn.Conv2d:
            m.__class__ = CroppedConv2d
    return module
