"""Schemas of the objective group. ``info``: the dataset ``tasks`` an objective
trains on and its headline ``metric`` (what sweeps optimise on val), known before torch loads."""
from __future__ import annotations

from aa.config.schema import NodeSchema, schema


@schema("aa.task.classification.Classification")
class Classification(NodeSchema):
    info = {"tasks": ("classification",), "metric": "acc"}


@schema("aa.task.regression.Regression")
class Regression(NodeSchema):
    info = {"tasks": ("regression",), "metric": "mse"}
