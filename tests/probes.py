"""Lightning callbacks that tests put into aa-train runs (``+callbacks.NAME={_target_: probes.X, ...}``)
to observe a job from inside it, so that no test depends on timing."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytorch_lightning as pl


class Rendezvous(pl.Callback):
    """Each job announces itself in ``folder`` when training starts and waits there until ``parties``
    jobs have arrived; it records which jobs arrived while it waited. A job that waited and was
    joined ran at the same time as the job that joined it. Nobody coming within ``patience`` seconds
    fails the job, so a launcher that runs jobs one after another fails the test instead of hanging."""

    def __init__(self, folder: str, parties: int = 2, patience: float = 240.0) -> None:
        self.folder, self.parties, self.patience = Path(folder), parties, patience

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        me = {"pid": os.getpid(), "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES")}
        before = self._arrived()  # read before announcing: two jobs arriving in the same instant still see each
        self._write(f"{me['pid']}.arrived", me)  # other join (one of them at least), however they interleave
        deadline = time.monotonic() + self.patience
        while len(self._arrived()) < self.parties:
            if time.monotonic() > deadline:
                raise RuntimeError(f"rendezvous: {len(self._arrived())} of {self.parties} jobs arrived")
            time.sleep(0.05)
        joined = [a for a in self._arrived() if a["pid"] not in {b["pid"] for b in before} | {me["pid"]}]
        self._write(f"{me['pid']}.met", {**me, "joined_by": joined})

    def _write(self, name: str, record: dict) -> None:
        partial = self.folder / f".{name}.partial"  # renamed whole: a reader never sees half a record
        partial.write_text(json.dumps(record))
        partial.rename(self.folder / name)

    def _arrived(self) -> list[dict]:
        return [json.loads(p.read_text()) for p in sorted(self.folder.glob("*.arrived"))]


class KillAt(pl.Callback):
    """SIGKILL the process at the start of training epoch ``epoch`` (after the previous epoch's
    checkpoints are saved), as a crash or a pulled plug would; only while the environment variable
    ``env`` is set, so the same overrides can resume the run."""

    def __init__(self, epoch: int, env: str = "AA_TEST_KILL") -> None:
        self.epoch, self.env = epoch, env

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if os.environ.get(self.env) and trainer.current_epoch == self.epoch:
            os.kill(os.getpid(), signal.SIGKILL)
