"""What the torchvision families share here: the configured g swapped in, a stem for small images,
pools dropped where they would shrink a small map to nothing, and a frozen backbone for transfer."""
from __future__ import annotations

import logging
from typing import Callable

import torch
from torch import nn

from aa.base.errors import ConfigError
from aa.models.pretrained import load_pretrained, require_normalization

log = logging.getLogger("aa")
SMALL_SIDE = 64
"""Up to this many pixels a side, the ImageNet stem (strided 7x7 conv + pool) would discard most of the image."""


def use_small_stem(stem: str, input_shape: tuple[int, ...]) -> bool:
    return stem == "small" or (stem == "auto" and min(input_shape[1:]) <= SMALL_SIDE)


def norm_name(normalization: Callable) -> str:
    return getattr(normalization, "func", normalization).__name__


def image_activation(activation: Callable[[], nn.Module]) -> Callable[[], nn.Module]:
    """Feature maps need an element-wise g: maxout and softmax act along the last axis of a vector."""
    g = activation()
    if getattr(g, "elementwise", True) and getattr(g, "width_factor", 1) == 1:
        return activation
    from aa.config.paths import group_options

    raise ConfigError("activation", type(g).__name__.lower(), "cannot act on convolutional feature maps "
                      "(it combines several units of a vector)",
                      ", ".join(o for o in group_options("activation") if o not in ("maxout", "softmax")))


def swap_activation(module: nn.Module, activation: Callable[[], nn.Module] | None) -> None:
    """Replace every nn.ReLU inside a torchvision net by the configured g (ReLU itself stays torchvision's)."""
    if activation is None or type(activation()).__name__ == "ReLU":
        return
    for name, child in module.named_children():
        if isinstance(child, nn.ReLU):
            setattr(module, name, activation())
        else:
            swap_activation(child, activation)


def drop_collapsing_pools(features: nn.Sequential, input_shape: tuple[int, ...]) -> None:
    """Skip each max-pool whose window no longer fits the map, e.g. VGG's five pools on 8x8 digits."""
    x = torch.zeros(2, *input_shape)
    with torch.no_grad():
        for i, m in enumerate(features):
            if isinstance(m, nn.MaxPool2d):
                k = m.kernel_size if isinstance(m.kernel_size, int) else max(m.kernel_size)
                if min(x.shape[-2:]) < k:
                    features[i] = nn.Identity()
                    continue
            x = m(x)


def kaiming_conv(in_channels: int, out_channels: int, **kwargs) -> nn.Conv2d:
    """A replacement stem conv initialised as torchvision initialises its convs."""
    conv = nn.Conv2d(in_channels, out_channels, **kwargs)
    nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    if conv.bias is not None:
        nn.init.zeros_(conv.bias)
    return conv


class Transferable(nn.Module):
    """A net whose ``head`` modules are its classifier; freeze='backbone' trains only those (a fixed
    feature extractor), with the backbone's batch statistics frozen too."""

    head: tuple[str, ...] = ("fc",)
    weight_norms: tuple[str, ...] = ("BatchNorm",)
    frozen = False
    fresh_modules: list[str] = []

    def transfer(self, arch: str, normalization: Callable, pretrained: bool, weights_path: str | None,
                 freeze: str) -> None:
        fresh: list[str] = []
        if pretrained or weights_path:
            require_normalization(arch, norm_name(normalization), self.weight_norms)
            fresh = load_pretrained(self, arch, weights_path)
        if freeze not in ("none", "backbone"):
            raise ConfigError("model.freeze", freeze, "is not one of the choices", "none, backbone")
        if freeze == "backbone":
            # layers initialised afresh (a stem for small images) train too: frozen, they would be random features
            self.fresh_modules = sorted({n.rsplit(".", 1)[0] for n in fresh if "." in n and
                                         n.split(".", 1)[0] not in self.head})
            fresh_ids = {id(p) for name in self.fresh_modules for p in self.get_submodule(name).parameters()}
            head = {id(p) for name in self.head for p in getattr(self, name).parameters()} | fresh_ids
            for p in self.parameters():
                p.requires_grad_(id(p) in head)
            self.frozen = True
            if self.fresh_modules:
                log.info("model.freeze=backbone: layers initialised afresh also train: %s",
                         ", ".join(self.fresh_modules))

    def train(self, mode: bool = True) -> "Transferable":
        super().train(mode)
        if self.frozen and mode:
            for name, child in self.named_children():
                if name not in self.head:
                    child.eval()
            for name in self.fresh_modules:
                self.get_submodule(name).train()
        return self
