"""ResNet (He et al. 2016): residual blocks s -> g(f(s) + s), torchvision's definition.

For small images the stem is a 3x3 stride-1 conv without max-pool (the usual CIFAR form), so a
32x32 image keeps 32x32 maps in the first stage instead of 8x8. A stage whose stride would leave maps of
one pixel keeps stride 1 instead (the last stage on 8x8 digits sees 2x2 maps): on a 1x1 map a 3x3 conv is
its centre tap alone, and batch normalization of one sample would have a single value per channel."""
from __future__ import annotations

from typing import Callable

from torch import nn
from torchvision.models import resnet as tv

from aa.models.torchvision_nets import Transferable, image_activation, kaiming_conv, swap_activation, use_small_stem
from aa.nn.activations import ReLU
from aa.nn.conv import skip_padding_taps
from aa.nn.normalization import BatchNorm

DEPTHS = {18: (tv.BasicBlock, [2, 2, 2, 2]), 34: (tv.BasicBlock, [3, 4, 6, 3]), 50: (tv.Bottleneck, [3, 4, 6, 3])}


class ResNet(Transferable, tv.ResNet):
    head = ("fc",)

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, depth: int = 18,
                 activation: Callable[[], nn.Module] = ReLU, normalization: Callable[..., nn.Module] = BatchNorm,
                 stem: str = "auto", pretrained: bool = False, weights_path: str | None = None,
                 freeze: str = "none") -> None:
        block, layers = DEPTHS[depth]
        super().__init__(block, layers, num_classes=num_outputs, norm_layer=lambda c: normalization(c, dims=2))
        channels = input_shape[0]
        if use_small_stem(stem, input_shape):
            self.conv1 = kaiming_conv(channels, 64, kernel_size=3, stride=1, padding=1, bias=False)
            self.maxpool = nn.Identity()
        elif channels != 3:
            self.conv1 = kaiming_conv(channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
        keep_maps_above_one_pixel(self, input_shape, small_stem=use_small_stem(stem, input_shape))
        swap_activation(self, image_activation(activation))
        self.transfer(f"resnet{depth}", normalization, pretrained, weights_path, freeze)
        skip_padding_taps(self)  # small maps: the taps that would read only padding are skipped


def keep_maps_above_one_pixel(net: tv.ResNet, input_shape: tuple[int, ...], small_stem: bool) -> None:
    """Set to 1 the stride of each stage (its first block's strided conv and shortcut) that would shrink
    the feature maps below 2x2."""
    side = min(input_shape[1:]) // (1 if small_stem else 4)
    for stage in (net.layer2, net.layer3, net.layer4):
        first = stage[0]
        if (side + 1) // 2 >= 2:
            side = (side + 1) // 2
            continue
        for conv in (first.conv2 if isinstance(first, tv.Bottleneck) else first.conv1,
                     first.downsample[0] if first.downsample is not None else None):
            if conv is not None:
                conv.stride = (1, 1)
