"""The before/after report of a compressed run: the same measurements of the reference model (dense,
fp32 or the teacher) and of the compressed one, as a rich table, a CSV file, TensorBoard text and
scalars, and a ``compression`` section of metrics.json."""
from __future__ import annotations

import copy
import csv
import os
from typing import Any, Iterable

import torch
from torch import Tensor, nn

from aa.compress import measure



def rows(metric: str) -> tuple[str, ...]:
    return ("parameters", "nonzero", "sparsity", "size_bytes", "gzip_bytes", "quantized_layers_bytes",
            "quantized_layers_tensor_bytes", f"test_{metric}", "latency_ms_b1", "latency_ms_b64")


def _cpu(batch: Any) -> Any:
    if isinstance(batch, Tensor):
        return batch.cpu()
    if isinstance(batch, (tuple, list)):
        return type(batch)(_cpu(b) for b in batch)
    return batch


@torch.inference_mode()
def evaluate(model: nn.Module, objective: nn.Module, batches: Iterable[Any], metric: str) -> float:
    """The objective's headline metric of ``model`` on these batches, computed on the CPU."""
    objective = copy.deepcopy(objective).cpu()
    model.eval()
    for batch in batches:
        objective.evaluate(model, _cpu(batch), "test")
    return float(objective.compute("test")[metric])


def inputs(batches: Iterable[Any], n: int) -> Tensor:
    """The first ``n`` test inputs (repeated if the split is smaller), on the CPU."""
    xs = [_cpu(b[0]) for b in batches]
    x = torch.cat(xs)
    while len(x) < n:
        x = torch.cat([x, x])
    return x[:n]


def profile(model: nn.Module, objective: nn.Module, batches: list, metric: str, layers: list[str],
            repeats: int) -> dict[str, float]:
    """Every row of the report for one model (moved to the CPU). The quantised layers (``layers``: the
    sub-modules holding int8 weights after quantisation) are measured in both models: the bytes
    ``torch.save`` writes for their state-dict entries alone, and the bytes of the numbers in them."""
    model = model.cpu().eval()
    own = measure.layer_state(model, layers) if layers else None
    params, nonzero = measure.counts(model)
    raw, packed = measure.state_bytes(model.state_dict())
    x = inputs(batches, 64)
    return {"parameters": params, "nonzero": nonzero, "sparsity": round(measure.sparsity(model), 4),
            "size_bytes": raw, "gzip_bytes": packed,
            "quantized_layers_bytes": measure.state_bytes(own)[0] if own is not None else None,
            "quantized_layers_tensor_bytes": measure.tensor_bytes(own) if own is not None else None,
            f"test_{metric}": evaluate(model, objective, batches, metric),
            "latency_ms_b1": round(measure.latency_ms(model, x[:1], repeats), 4),
            "latency_ms_b64": round(measure.latency_ms(model, x, repeats), 4)}


def ratios(before: dict, after: dict) -> dict[str, float]:
    """after / before for the sizes and latencies (what the compression bought)."""
    out = {}
    for key in ("size_bytes", "gzip_bytes", "quantized_layers_bytes", "quantized_layers_tensor_bytes",
                "latency_ms_b1", "latency_ms_b64"):
        if before.get(key) and after.get(key) is not None:
            out[key.replace("_bytes", "").replace("latency_ms", "latency") + "_ratio"] = round(after[key] / before[key], 4)
    return out


def print_table(section: dict, metric: str, reference: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"compression: {section['method']} (before = {reference})", header_style="bold",
                  caption=layers_note(section))
    for column in ("", "before", "after"):
        table.add_column(column, justify="right" if column else "left")
    for row in rows(metric):
        table.add_row(row, *(_fmt(section[side].get(row)) for side in ("before", "after")))
    Console().print(table)


def layers_note(section: dict) -> str | None:
    """Which sub-modules the quantised-layers rows count (the same names in both models)."""
    layers = section.get("quantized_layers")
    if not layers:
        return None
    return (f"quantised layers (int8 weights after quantisation): {', '.join(layers)}; quantized_layers_bytes: "
            "the bytes torch.save writes for their entries alone, quantized_layers_tensor_bytes: the bytes of "
            "their tensors (weights, biases, scales and zero points) without the file's container")


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.4f}"
    return f"{int(v):,}"


def write_csv(section: dict, path: str, metric: str) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["measure", "before", "after"])
        for row in rows(metric):
            w.writerow([row, section["before"].get(row), section["after"].get(row)])
        if section.get("quantized_layers"):
            names = " ".join(section["quantized_layers"])
            w.writerow(["quantized_layers", names, names])


def log_tensorboard(logger: Any, section: dict, metric: str) -> None:
    """Scalars compression/<before|after>/<row> and the table as text."""
    if logger is None or not hasattr(logger, "experiment"):
        return
    exp = logger.experiment
    lines = ["| measure | before | after |", "| --- | --- | --- |"]
    for row in rows(metric):
        lines.append(f"| {row} | {_fmt(section['before'].get(row))} | {_fmt(section['after'].get(row))} |")
        for side in ("before", "after"):
            value = section[side].get(row)
            if value is not None:
                exp.add_scalar(f"compression/{side}/{row}", value)
    note = layers_note(section)
    exp.add_text("compression", "\n".join(lines + ([f"\n{note}"] if note else [])))
    exp.flush()


def save(section: dict, run_dir: str, logger: Any, metric: str) -> None:
    os.makedirs(run_dir, exist_ok=True)
    write_csv(section, os.path.join(run_dir, "compression.csv"), metric)
    log_tensorboard(logger, section, metric)
