"""Each job of a parallel sweep gets its share of the cores, so N jobs do not fight over them."""
from __future__ import annotations

import os
from typing import Any

from aa.config.schemas.sweeps import JOBLIB, RAY, SLURM


def job_threads(threads_per_job: int | None, launcher: Any) -> int | None:
    """threads_per_job if set, else what the launcher gives one job; None leaves torch's default."""
    if threads_per_job:
        return int(threads_per_job)
    target = launcher.get("_target_") if launcher is not None else None
    if target == JOBLIB:
        return max(1, (os.cpu_count() or 1) // max(1, int(launcher.get("n_jobs") or 1)))
    if target == RAY:
        cpus = (launcher.get("ray") or {}).get("remote", {}).get("num_cpus")
        return max(1, int(cpus)) if cpus else None
    if target == SLURM:
        cpus = launcher.get("cpus_per_task")
        return int(cpus) if cpus else None
    return None
