"""Schemas of the manual BackProp issue: the gradient-statistics callback."""
from __future__ import annotations

from aa.config.schema import NodeSchema, opt, schema


@schema("aa.callbacks.gradient_stats.GradientStats")
class GradientStats(NodeSchema):
    probe_size: int = opt(256, ge=1, le=100_000, doc="training samples in the once-per-epoch gradient probe")
