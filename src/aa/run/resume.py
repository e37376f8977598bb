"""Resuming a sweep in its directory: finished jobs are skipped, interrupted ones continue from last.ckpt."""
from __future__ import annotations

import json
import os
from typing import Any


def finished_metrics(run_dir: str) -> dict[str, Any] | None:
    """The metrics a finished job wrote, or None when it has still to run."""
    path = os.path.join(run_dir, "metrics.json")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def last_checkpoint(run_dir: str) -> str | None:
    """Lightning's last.ckpt of an interrupted or crashed job: fit continues from its epoch."""
    path = os.path.join(run_dir, "checkpoints", "last.ckpt")
    return path if os.path.isfile(path) else None
