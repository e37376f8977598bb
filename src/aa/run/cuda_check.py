"""How a CPU run answers torch's "is CUDA available?", asked by Adam and AdamW at every step.

Importing Lightning sets PYTORCH_NVML_BASED_CUDA_CHECK=1, so that the question never initialises CUDA
before a fork; torch then opens NVML anew at every call (~0.1 ms here, a tenth of the default MLP's whole
update). A run that uses no GPU asks the CUDA runtime instead while it trains (~3 us): that may initialise
the CUDA driver, after which forked children cannot use CUDA, which a CPU run's children never do.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Iterator

KEY = "PYTORCH_NVML_BASED_CUDA_CHECK"


@contextmanager
def without_nvml_request() -> Iterator[None]:
    """Lightning's NVML request unset inside the block (as in a process that never imported Lightning)."""
    value = os.environ.pop(KEY, None)
    try:
        yield
    finally:
        if value is not None:
            os.environ[KEY] = value


@contextmanager
def runtime_cuda_check(trainer: Any) -> Iterator[None]:
    """Unset Lightning's NVML request while a single-process CPU ``trainer`` runs; restored afterwards."""
    cpu = getattr(getattr(trainer.strategy, "root_device", None), "type", None) == "cpu"
    if not cpu or trainer.world_size > 1:
        yield
        return
    with without_nvml_request():
        yield
