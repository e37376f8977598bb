"""A built model is the family's net, behind the data's input standardisation when that is on."""
from __future__ import annotations

from torch import nn

from aa.nn.input import Standardize


def split_model(model: nn.Module) -> tuple[nn.Module, nn.Module]:
    """(prepare, net): readers (encoder, discriminator) see prepare(x); writers emit raw data space."""
    if isinstance(model, nn.Sequential) and len(model) == 2 and isinstance(model[0], Standardize):
        return model[0], model[1]
    return nn.Identity(), model
