"""Cropping a kernel to the taps that meet data changes nothing but the cost (aa.nn.conv)."""
from __future__ import annotations

import copy

import pytest
import torch

from aa.nn.conv import CroppedConv2d, live_taps, skip_padding_taps


@pytest.mark.parametrize("size,kernel,stride,padding,expected", [
    (1, 3, 1, 1, (1, 2, 0, 0)),   # a 1x1 map: only the centre tap meets data
    (2, 3, 2, 1, (1, 3, 0, 0)),   # ResNet's stride-2 entry to its last stage on 8x8 digits
    (8, 3, 1, 1, (0, 3, 1, 1)),   # a map larger than the kernel: nothing to crop
])
def test_live_taps_are_the_taps_that_meet_data(size, kernel, stride, padding, expected):
    assert live_taps(size, kernel, stride, padding) == expected


@pytest.mark.slow
def test_cropped_convolution_equals_the_plain_one_in_outputs_and_every_gradient():
    gen = torch.Generator().manual_seed(0)
    cases = [(k, s, p, h, w) for k in (1, 2, 3, 5) for s in (1, 2, 3) for p in range(k + 1)
             for h in (1, 2, 3, 5) for w in (1, 4) if h + 2 * p >= k and w + 2 * p >= k]
    cropped = 0
    for k, s, p, h, w in cases:
        plain = torch.nn.Conv2d(3, 4, k, stride=s, padding=p).double()
        fast = skip_padding_taps(copy.deepcopy(plain))
        x = torch.randn(2, 3, h, w, dtype=torch.double, generator=gen, requires_grad=True)
        a, b = plain(x), fast(x)
        assert a.shape == b.shape
        g = torch.randn(a.shape, dtype=torch.double, generator=gen)
        grads_a = torch.autograd.grad(a, [x, plain.weight, plain.bias], g)
        grads_b = torch.autograd.grad(b, [x, fast.weight, fast.bias], g)
        torch.testing.assert_close(b, a, rtol=0, atol=1e-12)
        for ga, gb in zip(grads_a, grads_b):
            torch.testing.assert_close(gb, ga, rtol=0, atol=1e-12)
        cropped += live_taps(h, k, s, p)[:2] != (0, k)
    assert cropped > 50  # the comparison covered many cropped kernels, not only the plain path


def test_resnet_uses_cropped_convolutions_and_keeps_torchvision_state_dict_keys():
    from torchvision.models import resnet18

    from aa.models.resnet import ResNet

    net = ResNet((1, 8, 8), 10)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(type(m) is CroppedConv2d for m in convs)
    reference = {k for k in resnet18(num_classes=10).state_dict()}
    assert set(net.state_dict()) == reference
