"""Hydra callback around a sweep: checks the launcher before any job starts, and at the end ranks
every job (rich table, sweep_summary.csv, a PNG per swept key). A sweep with a crashed job exits 1
after all the others ran; diverged jobs are results, not errors."""
from __future__ import annotations

import csv
import logging
import math
import os
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from aa.config.optimized_metric import direction
from aa.run.summary import line
from aa.sweep.collect import Job, collect, swept_keys

log = logging.getLogger("aa")
SUMMARY_FILE = "sweep_summary.csv"


class SweepSummary(Callback):
    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from aa.config.callback import fail
        from aa.base.errors import ConfigError
        from aa.config.sweep_engines import check_launch
        from aa.sweep.ray_gpus import fit_ray_to_cluster

        data = {k: OmegaConf.to_container(config[k], resolve=True) if OmegaConf.is_config(config[k]) else config[k]
                for k in ("trainer", "dataset", "objective", "optimized_metric") if k in config}
        try:
            check_launch(config, data)
        except ConfigError as e:
            fail(str(e))
        fit_ray_to_cluster(config)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = str(config.hydra.sweep.dir)
        jobs = collect(sweep_dir)
        if not jobs:
            return
        metric = _metric_name(jobs)
        sweeper_direction = config.hydra.sweeper.get("direction")
        ranked = rank(jobs, str(sweeper_direction) if sweeper_direction else direction(metric))
        keys = swept_keys(jobs)
        write_csv(ranked, keys, metric, os.path.join(sweep_dir, SUMMARY_FILE))
        from aa.sweep.plots import plot_key

        for key in keys:
            plot_key(ranked, key, metric, sweep_dir)
        print_table(ranked, keys, metric, sweep_dir)
        failed = [j for j in jobs if j.status == "failed"]
        if failed:
            print(f"{len(failed)} of {len(jobs)} jobs failed (errors in {SUMMARY_FILE}); the others finished.")
            raise SystemExit(1)


def rank(jobs: list[Job], way: str) -> list[Job]:
    """Finished jobs best first; failed, diverged and interrupted ones after them, by job number."""
    sign = -1.0 if way == "maximize" else 1.0
    done = sorted((j for j in jobs if math.isfinite(j.value)), key=lambda j: sign * j.value)
    return done + [j for j in jobs if not math.isfinite(j.value)]


def write_csv(jobs: list[Job], keys: list[str], metric: str, path: str) -> None:
    names = sorted({k for j in jobs for k in j.flat_metrics()})
    header = ["job", "status", metric, *keys, *(n for n in names if n != metric), "epochs", "wall_time_s",
              "cuda_visible_devices", "threads", "host", "error", "dir"]
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for j in jobs:
            flat = j.flat_metrics()
            writer.writerow([j.num, j.status, _cell(j.value), *(j.overrides.get(k, "") for k in keys),
                             *(_cell(flat.get(n)) for n in names if n != metric), j.metrics.get("epochs", ""),
                             j.metrics.get("wall_time_s", ""), j.record.get("cuda_visible_devices") or "",
                             j.record.get("threads") or "", j.record.get("host", ""), j.record.get("error", ""),
                             os.path.basename(j.dir)])


def print_table(jobs: list[Job], keys: list[str], metric: str, sweep_dir: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"sweep: {len(jobs)} jobs ranked by {metric}", header_style="bold")
    for col in ("job", "status", metric, *keys, "wall s", "GPU", "error"):
        table.add_column(col, justify="right" if col in (metric, "wall s") else "left")
    style = {"ok": "", "diverged": "yellow", "failed": "red", "interrupted": "magenta"}
    for j in jobs:
        table.add_row(str(j.num), j.status, _cell(j.value), *(j.overrides.get(k, "") for k in keys),
                      str(j.metrics.get("wall_time_s", "")), str(j.record.get("cuda_visible_devices") or "-"),
                      str(j.record.get("error", ""))[:60], style=style.get(j.status, ""))
    console = Console()
    console.print(table)
    rel = os.path.relpath(sweep_dir)
    line(console, f"summary:   {os.path.join(rel, SUMMARY_FILE)}  plots: {rel}/sweep_*.png")
    line(console, f"dashboard: tensorboard --logdir {rel}   (HParams tab compares every job)")


def _metric_name(jobs: list[Job]) -> str:
    names = [(j.metrics.get("optimized_metric") or {}).get("name") for j in jobs]
    return next((n for n in names if n), "val/acc")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4f}"
    return str(value)
