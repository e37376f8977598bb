"""Schemas of the activation and normalization groups."""
from __future__ import annotations

from aa.config.schema import NodeSchema, opt, schema

A = "aa.nn.activations."


@schema(*(A + n for n in ("Linear", "ReLU", "Sigmoid", "Tanh", "Fast", "Softmax", "ELU", "GELU", "SiLU")))
class Activation(NodeSchema):
    pass


@schema(A + "Step")
class Step(NodeSchema):
    straight_through: bool = opt(True, doc="train through sign() with the identity's derivative")


@schema(A + "LeakyReLU")
class LeakyReLU(NodeSchema):
    negative_slope: float = opt(0.01, ge=0, lt=1)


@schema(A + "PReLU")
class PReLU(NodeSchema):
    init: float = opt(0.25, ge=0, lt=1)


@schema(A + "Maxout")
class Maxout(NodeSchema):
    pieces: int = opt(2, ge=2, le=16, doc="k linear pieces per unit")


N = "aa.nn.normalization."


@schema(N + "NoNorm", N + "BatchNorm", N + "LayerNorm")
class Norm(NodeSchema):
    eps: float = opt(1e-5, gt=0, lt=1)
