"""Read back every job of a sweep directory: its overrides, how it ended and what it measured."""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

from omegaconf import OmegaConf

from aa.run.job import read_record


@dataclass
class Job:
    num: int
    dir: str
    status: str
    overrides: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def value(self) -> float:
        """The optimised metric, NaN unless the job finished without diverging."""
        v = (self.metrics.get("optimized_metric") or {}).get("value")
        return float(v) if self.status == "ok" and v is not None else math.nan

    def flat_metrics(self) -> dict[str, float]:
        return {f"{s}/{k}": v for s in ("train", "val", "test") for k, v in self.metrics.get(s, {}).items()}


def collect(sweep_dir: str) -> list[Job]:
    """One Job per numbered subdirectory that Hydra created (it holds .hydra/overrides.yaml)."""
    jobs = []
    for name in os.listdir(sweep_dir) if os.path.isdir(sweep_dir) else []:
        path = os.path.join(sweep_dir, name)
        num = name.split("_", 1)[0]
        if not (num.isdigit() and os.path.isfile(os.path.join(path, ".hydra", "overrides.yaml"))):
            continue
        metrics = _json(os.path.join(path, "metrics.json"))
        record = read_record(path) or {}
        jobs.append(Job(int(num), path, _status(record, metrics), _overrides(path), metrics or {}, record))
    return sorted(jobs, key=lambda j: j.num)


def swept_keys(jobs: list[Job]) -> list[str]:
    """The override keys whose value differs between jobs, in command-line order."""
    keys: dict[str, set] = {}
    for job in jobs:
        for k, v in job.overrides.items():
            keys.setdefault(k, set()).add(v)
    return [k for k, values in keys.items()
            if len(values) > 1 or any(k not in j.overrides for j in jobs)]


def _status(record: dict, metrics: dict | None) -> str:
    status = record.get("status")
    if status == "running" or (status is None and metrics is None):
        return "interrupted"
    return status or "ok"


def _overrides(path: str) -> dict[str, str]:
    items = OmegaConf.to_container(OmegaConf.load(os.path.join(path, ".hydra", "overrides.yaml")))
    out = {}
    for item in items:
        key, _, value = str(item).partition("=")
        out[key.lstrip("+~")] = value
    return out


def _json(path: str) -> dict | None:
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)
