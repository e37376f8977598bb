"""One PNG per swept key: the optimised metric of every finished job against that key's value."""
from __future__ import annotations

import math
import os
import re

from aa.sweep.collect import Job


def plot_key(jobs: list[Job], key: str, metric: str, out_dir: str) -> str:
    """Scatter of metric vs value (log axis for positive numbers spanning decades, else categories)."""
    from matplotlib.figure import Figure

    done = [j for j in jobs if key in j.overrides and math.isfinite(j.value)]
    values = [j.overrides[key] for j in done]
    numbers = _numbers(values)
    fig = Figure(figsize=(5, 3.5), dpi=100)
    ax = fig.add_subplot()
    if numbers is not None:
        ax.scatter(numbers, [j.value for j in done])
        if numbers and min(numbers) > 0 and max(numbers) / min(numbers) >= 10:
            ax.set_xscale("log")
    else:
        labels = sorted(set(values))
        ax.scatter([labels.index(v) for v in values], [j.value for j in done])
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    failed = sum(1 for j in jobs if key in j.overrides and not math.isfinite(j.value))
    ax.set_xlabel(key)
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} vs {key}" + (f" ({failed} failed/diverged not shown)" if failed else ""), fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = os.path.join(out_dir, f"sweep_{re.sub(r'[^A-Za-z0-9_.-]+', '_', key)}.png")
    fig.savefig(path)
    return path


def _numbers(values: list[str]) -> list[float] | None:
    try:
        return [float(v) for v in values]
    except ValueError:
        return None
