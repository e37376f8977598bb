"""Top-level keys of configs/train.yaml."""
from __future__ import annotations

from dataclasses import field
from typing import Optional

from aa.config.schema import NodeSchema, opt, schema
from aa.config.schemas.toolbox import LRFind


@schema("aa.run.train.Run")
class Run(NodeSchema):
    seed: int = opt(42, ge=0, doc="seeds python, numpy and torch; same seed, same result")
    task_name: str = opt("train")
    backprop: str = opt("autograd", choices=("autograd", "manual"),
                        doc="autograd, or the lecture's delta rule written by hand")
    lr_find: LRFind = field(default_factory=LRFind, metadata={"doc": "learning-rate range test before training"})
    experiment_note: Optional[str] = opt(None, doc="what an experiment config shows, printed with the run")
    optimized_metric: Optional[str] = opt(None, doc="metric returned to sweepers; default val/acc or val/loss")
    resume: bool = opt(False, doc="re-run a sweep in its directory: skip finished jobs, continue from last.ckpt")
    report: str = opt("best", choices=("best", "last"), doc="val and test from the best checkpoint, or the last weights")
    allow_targets: list[str] = opt([], doc="modules of your own whose classes a _target_ may name (opt-in)")
    threads_per_job: Optional[int] = opt(None, ge=1, doc="torch threads per job; null: cores shared by parallel jobs")
