"""What a compressed model costs: parameters, non-zero parameters, bytes on disk, CPU latency.

Quantised layers keep their int8 weights behind methods (``weight()``), not as parameters, so counts
read those too; sizes are the bytes ``torch.save`` writes for the state dict, raw and gzip-compressed
(unstructured pruning leaves zeros in place: only the compressed file shrinks)."""
from __future__ import annotations

import gzip
import io
import statistics
import time
from typing import Any, Iterator

import torch
from torch import Tensor, nn

PRUNABLE = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


def prunable(model: nn.Module, bias: bool = False) -> list[tuple[nn.Module, str]]:
    """(module, name) of every Linear/Conv weight (and bias if asked): the tensors pruning may zero."""
    names = ("weight", "bias") if bias else ("weight",)
    return [(m, n) for m in model.modules() if isinstance(m, PRUNABLE) for n in names
            if getattr(m, n, None) is not None]


def weights(model: nn.Module) -> Iterator[Tensor]:
    """Every weight and bias as a float tensor, including the int8 ones of quantised layers."""
    for m in model.modules():
        for p in m.parameters(recurse=False):
            yield p.detach()
        if callable(getattr(m, "weight", None)) and not isinstance(m.weight, nn.Parameter):
            for part in (m.weight(), m.bias() if callable(getattr(m, "bias", None)) else None):
                if part is not None:
                    yield part.dequantize() if part.is_quantized else part.detach()
        for value in getattr(m, "_all_weight_values", ()):  # dynamic LSTM/GRU: state[0][4] = packed gates
            for packed in value.param.__getstate__()[0][4]:
                w, b = torch.ops.quantized.linear_unpack(packed)
                yield w.dequantize()
                if b is not None:
                    yield b.detach()


def counts(model: nn.Module) -> tuple[int, int]:
    """(parameters, non-zero parameters)."""
    total = nonzero = 0
    for w in weights(model):
        total += w.numel()
        nonzero += int(torch.count_nonzero(w))
    return total, nonzero


def sparsity(model: nn.Module) -> float:
    """Share of zeros among the weight matrices and kernels (biases excluded), int8 layers included."""
    ws = [w for w in weights(model) if w.dim() >= 2]
    total = sum(w.numel() for w in ws)
    return 1.0 - sum(int(torch.count_nonzero(w)) for w in ws) / total if total else 0.0


def state_bytes(state: dict) -> tuple[int, int]:
    """(raw, gzip) bytes of ``torch.save(state)``."""
    buf = io.BytesIO()
    torch.save(state, buf)
    raw = buf.getvalue()
    return len(raw), len(gzip.compress(raw, compresslevel=6))


def tensor_bytes(state: Any) -> int:
    """Bytes of the numbers a state dict holds, without the file's container: element size x count of
    every tensor (int8 weights count 1 byte each) plus the scale and zero point of each quantised tensor
    (8 + 8 bytes, or per output channel). Packed int8 layers keep (weight, bias) in a tuple."""
    if isinstance(state, dict):
        return sum(tensor_bytes(v) for v in state.values())
    if isinstance(state, (tuple, list)):
        return sum(tensor_bytes(v) for v in state)
    if not isinstance(state, Tensor):
        return 0
    n = state.numel() * state.element_size()
    if state.is_quantized:
        per_channel = state.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric)
        n += 16 * (state.q_per_channel_scales().numel() if per_channel else 1)
    return n


def layer_state(model: nn.Module, names: list[str]) -> dict:
    """The state-dict entries of the named sub-modules."""
    return {k: v for k, v in model.state_dict().items() if any(k.startswith(n + ".") for n in names)}


def quantized_layers(model: nn.Module) -> list[str]:
    """Names of the sub-modules that hold int8 weights."""
    return [n for n, m in model.named_modules()
            if n and (callable(getattr(m, "weight", None)) and not isinstance(m.weight, nn.Parameter)
                      or hasattr(m, "_all_weight_values"))]


WARMUP = 10  # passes before timing: first calls allocate and pick kernels


@torch.inference_mode()
def latency_ms(model: nn.Module, x: Tensor, repeats: int = 30, warmup: int = 3) -> float:
    """Median wall time of one forward pass on the CPU, in milliseconds."""
    for _ in range(warmup):
        model(x)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model(x)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


@torch.inference_mode()
def latency_pair(models: dict[str, nn.Module], x: Tensor, repeats: int = 30, warmup: int = WARMUP) -> dict[str, dict]:
    """Forward-pass wall times of several models on the same input, measured in turns (one pass of each
    per round) so a change in the machine's load falls on all of them alike, after ``warmup`` passes of
    each: per model the median and the quartiles in milliseconds, and the torch thread count used."""
    for model in models.values():
        for _ in range(warmup):
            model(x)
    times: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(repeats):
        for name, model in models.items():
            start = time.perf_counter()
            model(x)
            times[name].append(1000 * (time.perf_counter() - start))
    out = {}
    for name, t in times.items():
        q1, median, q3 = statistics.quantiles(t, n=4) if len(t) > 1 else (t[0],) * 3
        out[name] = {"median": median, "q1": q1, "q3": q3}
    return out
