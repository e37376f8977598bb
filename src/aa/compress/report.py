"""The before/after report of a compressed run: the same measurements of the reference model (dense,
fp32 or the teacher) and of the compressed one, as a rich table, a CSV file, one TensorBoard text card
(with two-point before/after series for the HParams columns), and a ``compression`` section of
metrics.json. Latency is timed in turns after a warm-up, as the median with its quartiles and the thread
count, so a loaded machine does not pass for a speed-up."""
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
            "quantized_layers_tensor_bytes", f"test_{metric}", "latency_ms_b1", "latency_ms_b1_iqr",
            "latency_ms_b64", "latency_ms_b64_iqr")


def series(metric: str) -> tuple[str, ...]:
    """The rows TensorBoard shows as before -> after series (and HParams columns)."""
    return ("nonzero", "sparsity", "gzip_bytes", f"test_{metric}", "latency_ms_b64")


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


def profile(model: nn.Module, objective: nn.Module, batches: list, metric: str, layers: list[str]) -> dict[str, float]:
    """Every row of the report for one model (moved to the CPU) but its latency. The quantised layers
    (``layers``: the sub-modules holding int8 weights after quantisation) are measured in both models:
    the bytes ``torch.save`` writes for their state-dict entries alone, and the bytes of the numbers in them."""
    model = model.cpu().eval()
    own = measure.layer_state(model, layers) if layers else None
    params, nonzero = measure.counts(model)
    raw, packed = measure.state_bytes(model.state_dict())
    return {"parameters": params, "nonzero": nonzero, "sparsity": round(measure.sparsity(model), 4),
            "size_bytes": raw, "gzip_bytes": packed,
            "quantized_layers_bytes": measure.state_bytes(own)[0] if own is not None else None,
            "quantized_layers_tensor_bytes": measure.tensor_bytes(own) if own is not None else None,
            f"test_{metric}": evaluate(model, objective, batches, metric)}


def latencies(models: dict[str, nn.Module], batches: list, repeats: int) -> tuple[dict[str, dict[str, float]], dict]:
    """Rows latency_ms_b1 / _b64 (medians) and their interquartile ranges for each model, timed in turns,
    and how they were timed (threads, repeats, warm-up)."""
    out: dict[str, dict[str, float]] = {name: {} for name in models}
    x = inputs(batches, 64)
    for size in (1, 64):
        times = measure.latency_pair({n: m.cpu().eval() for n, m in models.items()}, x[:size], repeats)
        for name, t in times.items():
            out[name][f"latency_ms_b{size}"] = round(t["median"], 4)
            out[name][f"latency_ms_b{size}_iqr"] = round(t["q3"] - t["q1"], 4)
    return out, {"threads": torch.get_num_threads(), "repeats": repeats, "warmup": measure.WARMUP}


def latency_note(section: dict) -> str | None:
    timing = section.get("latency")
    if not timing:
        return None
    return (f"latency: CPU, {timing['threads']} torch thread(s), median of {timing['repeats']} forward passes "
            f"after {timing['warmup']} warm-up passes, before and after timed in turns; iqr: the interquartile "
            "range (a large one means a loaded machine)")


def ratios(before: dict, after: dict) -> dict[str, float]:
    """after / before for the sizes and latencies (what the compression bought)."""
    out = {}
    for key in ("size_bytes", "gzip_bytes", "quantized_layers_bytes", "quantized_layers_tensor_bytes",
                "latency_ms_b1", "latency_ms_b64"):  # medians
        if before.get(key) and after.get(key) is not None:
            out[key.replace("_bytes", "").replace("latency_ms", "latency") + "_ratio"] = round(after[key] / before[key], 4)
    return out


def print_table(section: dict, metric: str, reference: str) -> None:
    from rich.console import Console
    from rich.table import Table

    notes = [n for n in (layers_note(section), latency_note(section)) if n]
    table = Table(title=f"compression: {section['method']} (before = {reference})", header_style="bold",
                  caption="\n".join(notes) or None)
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


def log_tensorboard(logger: Any, section: dict, metric: str, steps: tuple[int, int] = (0, 0)) -> list[str]:
    """The table as one text card, and the main rows as two-point series ``compression/<row>`` (before at
    the epoch compression started from, after at the last), which the HParams columns read. Returns the
    series' tags."""
    if logger is None or not hasattr(logger, "experiment"):
        return []
    exp = logger.experiment
    lines = ["| measure | before | after |", "| --- | ---: | ---: |"]
    for row in rows(metric):
        lines.append(f"| {row} | {_fmt(section['before'].get(row))} | {_fmt(section['after'].get(row))} |")
    tags = []
    for row in series(metric):
        values = [section[side].get(row) for side in ("before", "after")]
        if None not in values:
            tags.append(f"compression/{row}")
            for step, value in zip(steps, values):
                exp.add_scalar(tags[-1], value, global_step=step)
    notes = [n for n in (layers_note(section), latency_note(section)) if n]
    exp.add_text("compression", "\n".join(lines + [f"\n{n}" for n in notes]))
    exp.flush()
    return tags


def save(section: dict, run_dir: str, logger: Any, metric: str, steps: tuple[int, int] = (0, 0)) -> None:
    os.makedirs(run_dir, exist_ok=True)
    write_csv(section, os.path.join(run_dir, "compression.csv"), metric)
    section["tensorboard"] = log_tensorboard(logger, section, metric, steps)
