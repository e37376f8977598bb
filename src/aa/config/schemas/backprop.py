"""Schemas of the manual BackProp issue: the gradient-statistics callback."""
from __future__ import annotations

from typing import Optional

from aa.config.schema import NodeSchema, opt, schema


@schema("aa.callbacks.gradient_stats.GradientStats")
class GradientStats(NodeSchema):
    probe_size: int = opt(256, ge=1, le=100_000, doc="training samples in the gradient probe")
    every_n_epochs: Optional[int] = opt(None, ge=1, doc="epochs between probes; null: about 10 over the run, "
                                        "first and last epoch included")
