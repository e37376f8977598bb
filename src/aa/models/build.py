"""Build the configured model for the shape and classes the data module reports."""
from __future__ import annotations

import inspect
from typing import Any

from hydra.utils import get_class, instantiate
from torch import nn

from aa.nn.input import Standardize


def build_model(cfg: Any, input_shape: tuple[int, ...], num_outputs: int,
                standardize: Standardize | None = None, data_args: dict[str, Any] | None = None) -> nn.Module:
    """Pass each model only the pieces its constructor takes (activation, normalization, dropout, and
    what the data module adds in ``model_args()``, e.g. a vocabulary size)."""
    params = inspect.signature(get_class(cfg.model._target_)).parameters
    extra: dict[str, Any] = {k: v for k, v in (data_args or {}).items() if k in params}
    if "activation" in params and cfg.activation:
        extra["activation"] = instantiate(cfg.activation)
    if "normalization" in params and cfg.normalization:
        extra["normalization"] = instantiate(cfg.normalization)
    reg = cfg.get("regularization") or {}
    if "dropout" in reg and "dropout" in params:
        extra["dropout"] = float(reg["dropout"]["p"])
    model = instantiate(cfg.model, _convert_="all", input_shape=tuple(input_shape), num_outputs=num_outputs, **extra)
    return nn.Sequential(standardize, model) if standardize is not None else model
