"""Hydra callback: a sweep job's config validated before it trains (a single run is validated by aa-train), and cleanup after bad input."""
from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from aa.base.errors import ConfigError

_CREATED_BY_THIS_RUN: set[str] = set()


def fail(message: str, run_dir: str | None = None) -> None:
    """Print one paragraph, remove the directory this run created, exit non-zero without a traceback."""
    print(message, file=sys.stderr)
    if run_dir:
        discard_run_dir(run_dir)
    raise SystemExit(2)


def discard_run_dir(run_dir: str) -> None:
    """Remove a run directory only if this process created it and it holds no finished run."""
    path = os.path.abspath(run_dir)
    if path in _CREATED_BY_THIS_RUN and not os.path.exists(os.path.join(path, "metrics.json")):
        shutil.rmtree(path, ignore_errors=True)


class ValidateConfig(Callback):
    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        """A single run was composed and validated by aa-train before Hydra started (command_line.checked)."""
        run_dir = os.path.abspath(str(config.hydra.run.dir))
        if not os.path.exists(run_dir):
            _CREATED_BY_THIS_RUN.add(run_dir)

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        if str(config.hydra.mode) == "RunMode.MULTIRUN":
            self._check(config, str(config.hydra.runtime.output_dir), multirun=True)

    @staticmethod
    def _check(config: DictConfig, run_dir: str | None, multirun: bool = False) -> None:
        from aa.config.validate import validate

        if multirun and run_dir:
            _CREATED_BY_THIS_RUN.add(os.path.abspath(run_dir))
        try:
            validate(config)
        except ConfigError as e:
            fail(str(e), run_dir)
