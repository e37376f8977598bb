"""VGG (Simonyan and Zisserman 2014): blocks of 3x3 stride-1 convs, 2x2 max-pool, channels doubling.

torchvision's layer lists and classifier; normalization=batch gives the _bn variants. On small images
the classifier reads the 512 pooled channels directly (as the CIFAR VGGs do) and pools that would
shrink the map below 2x2 are skipped."""
from __future__ import annotations

from typing import Callable

from torch import nn
from torchvision.models import vgg as tv

from aa.models.torchvision_nets import Transferable, drop_collapsing_pools, image_activation, norm_name, use_small_stem
from aa.nn.activations import ReLU
from aa.nn.normalization import NoNorm

LAYERS = {11: "A", 13: "B", 16: "D", 19: "E"}


def vgg_features(layers: list, in_channels: int, activation: Callable[[], nn.Module],
                 normalization: Callable[..., nn.Module]) -> nn.Sequential:
    """torchvision's make_layers with the configured g and normalization (none adds no layer)."""
    out: list[nn.Module] = []
    for v in layers:
        if v == "M":
            out.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        out.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if norm_name(normalization) != "NoNorm":
            out.append(normalization(v, dims=2))
        out.append(activation())
        in_channels = v
    return nn.Sequential(*out)


class VGG(Transferable, tv.VGG):
    head = ("classifier",)
    weight_norms = ("NoNorm", "BatchNorm")

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, depth: int = 16,
                 activation: Callable[[], nn.Module] = ReLU, normalization: Callable[..., nn.Module] = NoNorm,
                 stem: str = "auto", dropout: float = 0.5, pretrained: bool = False,
                 weights_path: str | None = None, freeze: str = "none") -> None:
        features = vgg_features(tv.cfgs[LAYERS[depth]], input_shape[0], image_activation(activation), normalization)
        super().__init__(features, num_classes=num_outputs, init_weights=True, dropout=dropout)
        if use_small_stem(stem, input_shape):
            drop_collapsing_pools(self.features, input_shape)
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.classifier = nn.Linear(512, num_outputs)
        arch = f"vgg{depth}" + ("_bn" if norm_name(normalization) == "BatchNorm" else "")
        self.transfer(arch, normalization, pretrained, weights_path, freeze)
