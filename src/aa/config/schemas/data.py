"""Schemas of the dataset group. ``info`` says what task and input forms a dataset serves."""
from __future__ import annotations

from aa.config.schema import NodeSchema, opt, schema


class Splits(NodeSchema):
    val_fraction: float = opt(0.15, gt=0, lt=1, doc="share of the data held out for validation")
    test_fraction: float = opt(0.2, gt=0, lt=1, doc="share of the data held out for the test")
    standardize: bool = opt(True, doc="z-score inputs with training-split statistics")


@schema("aa.data.digits.DigitsData")
class Digits(Splits):
    info = {"task": "classification", "inputs": ("vector", "image")}
    image_size: int = opt(8, ge=8, le=64, doc="side of the image served to convolutional models")


@schema("aa.data.playground.PlaygroundData")
class Playground(Splits):
    info = {"task": "classification", "inputs": ("vector",)}
    name: str = opt("spiral", choices=("circle", "xor", "gauss", "spiral"))
    n_samples: int = opt(600, ge=10, le=1_000_000)
    noise: float = opt(0.1, ge=0, le=1, doc="noise as a fraction of the data's radius")
