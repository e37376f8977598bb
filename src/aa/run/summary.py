"""The rich summary printed at the end of a run."""
from __future__ import annotations

import os
from typing import Any

from rich.console import Console
from rich.table import Table


def print_summary(metrics: dict[str, Any], run_dir: str) -> None:
    table = Table(title="aa-train: final metrics", show_header=True, header_style="bold")
    table.add_column("metric")
    for split in ("train", "val", "test"):
        table.add_column(split, justify="right")
    names = sorted({k for s in ("train", "val", "test") for k in metrics[s]})
    for name in names:
        table.add_row(name, *(f"{metrics[s][name]:.4f}" if name in metrics[s] else "-" for s in ("train", "val", "test")))
    console = Console()
    console.print(table)
    rel = os.path.relpath(run_dir)
    console.print(f"run dir:         {rel}")
    console.print(f"best checkpoint: {metrics.get('best_checkpoint')}")
    console.print(f"epochs: {metrics['epochs']}  parameters: {metrics['parameters']:,}  wall time: {metrics['wall_time_s']} s")
    console.print(f"dashboard:       tensorboard --logdir {rel}")
