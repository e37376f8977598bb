"""Stopping on request: SIGINT (Ctrl+C) and SIGTERM end a run after the update under way.

The handler only raises a flag; the task module looks at it after every update (one Lightning batch can
hold a whole epoch of updates), Lightning ends the epoch (validation, ``last.ckpt``), and the run ends
with ``Interrupted``: nothing is tested, job.json says interrupted, the exit code is 128 + the signal
(130 for SIGINT, 143 for SIGTERM) and one line says how to resume. A second Ctrl+C stops at once.
"""
from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

log = logging.getLogger("aa")
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """A run stopped by a signal before it finished; its last checkpoint can be resumed."""

    def __init__(self, signum: int, epoch: int, updates: int) -> None:
        self.signum, self.epoch, self.updates = signum, epoch, updates
        super().__init__(f"stopped by {signal.Signals(signum).name} during epoch {epoch} after {updates} updates in all")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class StopOnSignals:
    """While fitting, SIGINT and SIGTERM ask ``task`` to stop after its current update."""

    def __init__(self, task: Any) -> None:
        self.task = task
        self.signum: int | None = None
        self.epoch = 0  # the epoch under way when the signal came (Lightning's count, from 0)
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> "StopOnSignals":
        if threading.current_thread() is threading.main_thread():  # handlers live in the main thread only
            for s in SIGNALS:
                self._previous[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        self._previous = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt  # asked twice: now
        if self.signum is None:
            log.warning("%s received: stopping after the update under way (Ctrl+C again to stop at once)",
                        signal.Signals(signum).name)
            self.epoch = self.task.current_epoch
        self.signum = signum
        self.task.stop_requested = True
