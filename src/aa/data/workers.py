"""How many DataLoader worker processes decode files: the machine's cores unless the user says."""
from __future__ import annotations

import os

MAX_WORKERS = 8  # past this, start-up and memory grow faster than a small model's appetite for images


def loader_workers(workers: int | None) -> int:
    """``workers`` as given, or (None) the cores this process may use, at most MAX_WORKERS."""
    if workers is not None:
        return workers
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS))
