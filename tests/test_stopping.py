"""Stopping on request: a signal or a time budget ends training after the update under way, inside an
epoch that is one Lightning batch of many updates; a signalled run exits non-zero with job.json saying
interrupted and a line that resumes it."""
from __future__ import annotations

import itertools
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import make_cfg

from aa.run.stop import Interrupted

ONLINE = ["batch=online", "trainer.max_epochs=3", "~callbacks.gradient_stats", "~callbacks.model_graph"]


def signal_after(updates: int, signum: int, monkeypatch) -> None:
    """Raise ``signum`` in this process once ``updates`` optimiser steps are done (a clock-free trigger)."""
    from aa.task.module import TaskModule

    stop_now = TaskModule._stop_now

    def counted(self) -> bool:
        if self.trainer.global_step == updates and not self.stop_requested:
            signal.raise_signal(signum)  # the handler runs here, between two updates
        return stop_now(self)

    monkeypatch.setattr(TaskModule, "_stop_now", counted)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_after_the_update_under_way(tmp_path: Path, monkeypatch, signum: int) -> None:
    from aa.run.train import train

    signal_after(7, signum, monkeypatch)
    with pytest.raises(Interrupted) as stopped:
        train(make_cfg(ONLINE), str(tmp_path))
    assert stopped.value.updates == 7 and stopped.value.epoch == 0 and stopped.value.exit_code == 128 + signum
    assert (tmp_path / "checkpoints" / "last.ckpt").is_file() and not (tmp_path / "metrics.json").exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers given back


def test_time_budget_is_honoured_between_updates_of_one_long_epoch(tmp_path: Path, monkeypatch) -> None:
    """A clock that advances one second per reading: a 30 s budget ends the first epoch (1,078 online
    updates) after about 30 updates, and the best checkpoint is still tested."""
    from pytorch_lightning.callbacks import timer

    from aa.run.train import train

    ticks = itertools.count()
    monkeypatch.setattr(timer.time, "monotonic", lambda: float(next(ticks)))
    m = train(make_cfg([*ONLINE, "trainer.max_time=00:00:00:30"]), str(tmp_path))
    assert 20 <= m["optimizer_steps"] <= 40 and m["epochs"] <= 1, m["optimizer_steps"]
    assert m["test"]["loss"] > 0
    assert m["stopped"] == (f"the time budget trainer.max_time (30 s) ran out in epoch 1 of 3, after "
                            f"{m['optimizer_steps']} updates")


@pytest.mark.slow
def test_a_run_that_ran_every_epoch_says_nothing_stopped_it(tmp_path: Path) -> None:
    from aa.run.train import train

    m = train(make_cfg(["trainer.max_epochs=1", "~callbacks.gradient_stats", "~callbacks.model_graph"]),
              str(tmp_path))
    assert m["stopped"] is None and m["epochs"] == 1


@pytest.mark.slow
def test_early_stopping_says_when_and_on_what(tmp_path: Path) -> None:
    """A learning rate of zero never improves val/loss: patience 2 stops after the third validation."""
    from aa.run.train import train

    m = train(make_cfg(["regularization=early_stopping", "regularization.early_stopping.patience=2",
                        "optim.lr=0", "trainer.max_epochs=10", "~callbacks.gradient_stats",
                        "~callbacks.model_graph"]), str(tmp_path))
    assert m["stopped"] is not None and m["stopped"].startswith("early stopping: val/loss did not improve for 2")
    assert "in epoch 3 of 10" in m["stopped"], m["stopped"]


def test_a_bad_time_budget_is_refused_before_training() -> None:
    from aa.base.errors import ConfigError
    from aa.config.validate import validate

    for bad in ("15s", "00:00:15", "00:00:00:00"):
        with pytest.raises(ConfigError, match=r"trainer\.max_time.*DD:HH:MM:SS"):
            validate(make_cfg([f"trainer.max_time={bad}"]))


@pytest.mark.slow
def test_sigterm_from_outside_exits_143_and_says_how_to_resume(tmp_path: Path) -> None:
    """The run folder as aa names it (equals signs, a comma) appears whole in a resume line that works."""
    p = subprocess.Popen([sys.executable, "-m", "aa.entry.train", "trainer.max_epochs=5000", "optim.lr=0.01"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    deadline = time.time() + 120
    while time.time() < deadline and not list(tmp_path.glob("outputs/runs/*/checkpoints/last.ckpt")):
        time.sleep(0.5)
    run_dir = next(tmp_path.glob("outputs/runs/*"))
    p.send_signal(signal.SIGTERM)
    out, _ = p.communicate(timeout=120)
    record = json.loads((run_dir / "job.json").read_text())
    assert p.returncode == 143 and record["status"] == "interrupted" and record["signal"] == "SIGTERM", out[-800:]
    assert "Traceback" not in out
    hint = next(line for line in out.splitlines() if "To continue:" in line)
    command = shlex.split(hint.split("To continue: ", 1)[1])
    assert command[:1] == ["aa-train"] and command[1] == f"resume={os.path.relpath(run_dir, tmp_path)}", command
    assert "," in run_dir.name and "=" in run_dir.name
