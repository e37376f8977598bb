"""Top-level keys of configs/train.yaml."""
from __future__ import annotations

from typing import Any, Optional

from aa.config.schema import NodeSchema, opt, schema


@schema("aa.run.train.Run")
class Run(NodeSchema):
    seed: int = opt(42, ge=0, doc="seeds python, numpy and torch; same seed, same result")
    task_name: str = opt("train")
    backprop: str = opt("autograd", choices=("autograd", "manual"),
                        doc="autograd, or the lecture's delta rule written by hand")
    lr_find: Any = opt(None)
    experiment_note: Optional[str] = opt(None, doc="what an experiment config shows, printed with the run")
    optimized_metric: Optional[str] = opt(None, doc="metric returned to sweepers; default val/acc or val/loss")
