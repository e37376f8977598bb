"""ImageNet weights for transfer learning, read from the local torch hub cache or a file; never downloaded.

Tensors whose name and shape match are copied; the new classifier head (and a stem changed for small
or grey images) keeps its fresh initialisation. A first conv built for C != 3 channels gets the mean
of the RGB filters, so grey images still see the trained edge detectors."""
from __future__ import annotations

import logging
from pathlib import Path

import torch
from torch import nn

from aa.base.errors import ConfigError

log = logging.getLogger("aa")


def hub_file(arch: str) -> Path:
    """Where torchvision caches ``arch``'s default ImageNet weights (torch.hub.get_dir()/checkpoints)."""
    from torchvision.models import get_model_weights

    url = get_model_weights(arch).DEFAULT.url
    return Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]


def weights_file(arch: str, weights_path: str | None) -> Path:
    if weights_path:
        path = Path(weights_path).expanduser()
        if not path.is_file():
            raise ConfigError("model.weights_path", weights_path, "is not a file")
        return path
    path = hub_file(arch)
    if not path.is_file():
        raise ConfigError("model.pretrained", True, f"no ImageNet weights for {arch} in the torch hub cache "
                          f"({path}) and model.weights_path is not set. Put torchvision's {path.name} there "
                          f"(e.g. run torchvision.models.get_model('{arch}', weights='DEFAULT') once on a "
                          "machine with network and copy the file), or set model.weights_path=FILE, or "
                          "train from scratch with model.pretrained=false")
    return path


def require_normalization(arch: str, chosen: str, trained_with: tuple[str, ...]) -> None:
    """Weights only fit the layers they were trained in: BN statistics mean nothing to a GroupNorm."""
    if chosen not in trained_with:
        names = {"NoNorm": "none", "BatchNorm": "batch", "LayerNorm": "layer"}
        raise ConfigError("normalization", names.get(chosen, chosen),
                          f"does not match the normalization {arch}'s pretrained weights were trained with",
                          ", ".join(names[n] for n in trained_with))


def load_pretrained(model: nn.Module, arch: str, weights_path: str | None) -> list[str]:
    """Copy every matching tensor into ``model``; returns the names left at their initial values."""
    path = weights_file(arch, weights_path)
    source = torch.load(path, map_location="cpu", weights_only=True)
    source = source.get("state_dict", source)
    target = model.state_dict()
    loaded = {}
    for name, value in target.items():
        w = source.get(name)
        if w is None:
            continue
        if w.shape == value.shape:
            loaded[name] = w
        elif w.dim() == 4 and w.shape[1] == 3 and w.shape[0] == value.shape[0] and w.shape[2:] == value.shape[2:]:
            loaded[name] = w.mean(1, keepdim=True).expand_as(value).clone()
    if not loaded:
        raise ConfigError("model.weights_path", str(path), f"holds no tensor that fits {arch} "
                          f"(expected names like {next(iter(target))})")
    model.load_state_dict(loaded, strict=False)
    fresh = [n for n in target if n not in loaded]
    log.info("pretrained %s: %d of %d tensors from %s; initialised afresh: %s", arch, len(loaded),
             len(target), path, ", ".join(fresh) or "none")
    return fresh
