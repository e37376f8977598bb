"""Each job runs isolated: job.json records where it ran and how it ended (ok, diverged, failed + error,
interrupted by a signal: then a sweep stops too, as the user asked),
and in a sweep a crash or a divergence returns None, which the basic sweeper ignores and Optuna records
as a failed trial (NaN would crash hydra-optuna-sweeper 1.3), so the other jobs and the search go on."""
from __future__ import annotations

import json
import logging
import math
import os
import signal
import socket
import time
import traceback
from typing import Any, Callable

from aa.task.divergence import Diverged
from aa.run.resume import finished_metrics, last_checkpoint
from aa.run.stop import Interrupted
from aa.run.threads import job_threads

log = logging.getLogger("aa")
JOB_FILE = "job.json"


def run_job(fit: Callable[[str | None], dict], run_dir: str, *, multirun: bool, resume: bool = False,
            threads_per_job: int | None = None, launcher: Any = None, max_epochs: int | None = None) -> float | None:
    """Train through ``fit(ckpt_path)`` and return the optimised metric (None for a failed or diverged job).
    Resuming a finished job prints its results, or trains it further when ``max_epochs`` exceeds what it
    was configured for."""
    from pytorch_lightning.utilities import rank_zero_only

    os.makedirs(run_dir, exist_ok=True)
    done = finished_metrics(run_dir) if resume else None
    if done is not None and max_epochs is not None and last_checkpoint(run_dir) is not None \
            and max_epochs > done.get("max_epochs", max_epochs):
        log.info("resume: %s finished after %s epochs; trained further to %s", run_dir, done.get("epochs"), max_epochs)
        done = None
    if done is not None:
        log.info("resume: %s finished before; skipped (its results are in metrics.json)", run_dir)
        if not multirun:
            from aa.run.summary import print_summary

            print_summary(done, run_dir)
        return _value(done)
    if resume and (read_record(run_dir) or {}).get("status") == "diverged":
        log.info("resume: %s diverged before; not repeated", run_dir)
        return None
    ckpt = last_checkpoint(run_dir) if resume else None
    threads = job_threads(threads_per_job, launcher)
    if threads:
        import torch

        torch.set_num_threads(threads)
    record: dict[str, Any] = {"status": "running", "pid": os.getpid(), "host": socket.gethostname(),
                              "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
                              "threads": threads, "resumed_from": ckpt, "started": time.time()}
    # DDP ranks share the job directory: rank 0 keeps the record
    save = (lambda: _write(run_dir, record)) if rank_zero_only.rank == 0 else (lambda: None)
    save()
    try:
        metrics = fit(ckpt)
    except Diverged as e:
        record.update(status="diverged", error=str(e), epoch=e.epoch, update=e.update, ended=time.time(),
                      last_finite_checkpoint=last_checkpoint(run_dir))
        save()
        if not multirun:
            raise
        log.warning("job %s diverged (%s); the sweep goes on", run_dir, e)
        return None
    except Interrupted as e:  # a single run and a sweep alike stop here: the user asked
        record.update(status="interrupted", signal=signal.Signals(e.signum).name, epoch=e.epoch, updates=e.updates,
                      ended=time.time(), last_checkpoint=last_checkpoint(run_dir))
        save()
        raise
    except Exception as e:
        record.update(status="failed", error=f"{type(e).__name__}: {e}", ended=time.time(),
                      traceback=traceback.format_exc(limit=-8))
        save()
        if not multirun:
            raise
        log.exception("job %s failed; the sweep goes on", run_dir)
        return None
    status = "diverged" if diverged(metrics) else "ok"
    record.update(status=status, ended=time.time())
    save()
    return None if status == "diverged" else _value(metrics)


def diverged(metrics: dict) -> bool:
    """A loss that became NaN or infinite: the weights are lost even if an accuracy is still printed."""
    values = [metrics.get(s, {}).get("loss") for s in ("train", "val")]
    values.append((metrics.get("optimized_metric") or {}).get("value"))
    return any(v is not None and not math.isfinite(v) for v in values)


def read_record(run_dir: str) -> dict | None:
    path = os.path.join(run_dir, JOB_FILE)
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def _value(metrics: dict) -> float | None:
    value = (metrics.get("optimized_metric") or {}).get("value")
    return None if value is None or diverged(metrics) else float(value)


def _write(run_dir: str, record: dict) -> None:
    with open(os.path.join(run_dir, JOB_FILE), "w") as f:
        json.dump(record, f, indent=2)
