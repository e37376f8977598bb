"""Schemas of the model group. ``info['inputs']`` lists the input forms a model reads."""
from __future__ import annotations

from aa.config.schema import NodeSchema, opt, schema


@schema("aa.models.perceptron.Perceptron")
class Perceptron(NodeSchema):
    info = {"inputs": ("vector",), "uses": ("activation",)}


@schema("aa.models.mlp.MLP")
class MLP(NodeSchema):
    info = {"inputs": ("vector",), "uses": ("activation", "normalization")}
    hidden: list[int] = opt([128], ge=1, doc="width of each hidden layer, e.g. [128,64]; [] for none (one layer)")
    skip: str = opt("none", choices=("none", "input", "residual"),
                    doc="input: later layers also see the input; residual: f(s)+s")
