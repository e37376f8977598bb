"""A Hydra callback that draws one summary figure from a finished sweep's jobs: a PNG in the sweep
directory and the same figure in TensorBoard (``<sweep>/tb_summary``), so one dashboard on the
sweep shows it beside the jobs. An experiment config adds it under ``hydra.callbacks``; each
figure is also a command, ``python -m aa.claims.<name> <sweep_dir>``, to redraw a finished sweep."""
from __future__ import annotations

import os
import sys
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from aa.sweep.collect import Job, collect


class SweepFigure(Callback):
    tag = "summary"

    def draw(self, jobs: list[Job]) -> Any:  # pragma: no cover - abstract
        """A matplotlib Figure from the finished jobs."""
        raise NotImplementedError

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        path = self.render(str(config.hydra.sweep.dir))
        if path:
            print(f"{self.tag}: {os.path.relpath(path)}")

    def render(self, sweep_dir: str) -> str | None:
        """Draw the figure of ``sweep_dir``'s finished jobs; its PNG path, or None without any."""
        jobs = [j for j in collect(sweep_dir) if j.status == "ok"]
        if not jobs:
            return None
        fig = self.draw(jobs)
        path = os.path.join(sweep_dir, f"{self.tag}.png")
        fig.savefig(path, dpi=100, bbox_inches="tight")
        from torch.utils.tensorboard import SummaryWriter

        with SummaryWriter(os.path.join(sweep_dir, "tb_summary")) as writer:
            writer.add_figure(self.tag, fig, global_step=0)
        return path

    @classmethod
    def main(cls) -> None:
        if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
            sys.exit(f"usage: python -m {cls.__module__} <sweep_dir>")
        path = cls().render(sys.argv[1])
        print(path or f"no finished jobs in {sys.argv[1]}")


def job_config(job: Job) -> DictConfig:
    """The composed config a job ran with (Hydra's copy in the job directory)."""
    return OmegaConf.load(os.path.join(job.dir, ".hydra", "config.yaml"))


def hidden_widths(job: Job) -> list[int]:
    return list(job_config(job).model.get("hidden", []))
