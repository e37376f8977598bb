"""int8 quantisation with ``torch.ao.quantization``: dynamic (weights int8, activations quantised on
the fly; Linear, LSTM, GRU), static (activations calibrated on training batches; FX graph mode for
CNNs and MLPs) and quantisation-aware training (fake-quantised forward passes while training).

Why this API: it is the one in torch <= 2.14.1 (this project's pin) with real int8 CPU kernels
(fbgemm/x86) for Linear, Conv, LSTM and GRU. torchao, its announced successor, covers Linear only
and its int8 CPU path was measured here far slower than fp32 (docs/compression.md). The deprecation
warning torch prints on every call is silenced here, once, and stated in the docs instead."""
from __future__ import annotations

import copy
import warnings
from typing import Any, Iterable

import torch
from torch import Tensor, nn

MODES = ("dynamic", "static", "qat")
ENGINE = "x86"


QUIET = (r".*torch\.ao\.quantization is deprecated.*", r".*quantized tensor creation functions.*",
         r".*must run observer before calling calculate_qparams.*")


class Quiet(warnings.catch_warnings):
    """Hides torch.ao's deprecation warnings (the choice of API is explained in the docs)."""

    def __enter__(self) -> Any:
        out = super().__enter__()
        for message in QUIET:
            warnings.filterwarnings("ignore", message=message)
        return out


def dynamic(model: nn.Module) -> nn.Module:
    """A CPU copy with int8 Linear/LSTM/GRU weights; activations are quantised per batch."""
    from torch.ao.quantization import quantize_dynamic

    torch.backends.quantized.engine = ENGINE
    with Quiet():
        return quantize_dynamic(copy.deepcopy(model).cpu().eval(), {nn.Linear, nn.LSTM, nn.GRU},
                                dtype=torch.qint8)


def static(model: nn.Module, calibration: Iterable[Tensor]) -> nn.Module:
    """A CPU copy with int8 weights and activations whose ranges were observed on ``calibration``."""
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    torch.backends.quantized.engine = ENGINE
    xs = [x.detach().cpu() for x in calibration]
    with Quiet():
        prepared = prepare_fx(copy.deepcopy(model).cpu().eval(), get_default_qconfig_mapping(ENGINE), (xs[0],))
        with torch.inference_mode():
            for x in xs:
                prepared(x)
        return convert_fx(prepared)


def prepare_qat(model: nn.Module, example: Tensor) -> nn.Module:
    """The model with fake quantisation on weights and activations, to train (same parameters)."""
    from torch.ao.quantization import get_default_qat_qconfig_mapping
    from torch.ao.quantization.quantize_fx import prepare_qat_fx

    torch.backends.quantized.engine = ENGINE
    with Quiet():
        return prepare_qat_fx(model.train(), get_default_qat_qconfig_mapping(ENGINE), (example,))


def convert_qat(model: nn.Module) -> nn.Module:
    """A CPU int8 copy of a QAT-trained model."""
    from torch.ao.quantization.quantize_fx import convert_fx

    with Quiet():
        return convert_fx(copy.deepcopy(model).cpu().eval())


class OnCPU(nn.Module):
    """Runs an int8 model (CPU kernels only) for inputs on any device; outputs return to that device."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.int8 = model

    def forward(self, x: Tensor) -> Any:
        out = self.int8(x.cpu())
        return out.to(x.device) if isinstance(out, Tensor) else out
