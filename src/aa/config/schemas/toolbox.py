"""Schemas of weight init, curriculum, the learning-rate finder and the regression data and figure."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from aa.base.errors import ConfigError
from aa.config.schema import NodeSchema, opt, schema
from aa.config.schemas.data import Splits

I = "aa.nn.init."
DISTRIBUTIONS = ("uniform", "normal")


@schema(I + "Default")
class DefaultInit(NodeSchema):
    pass


@schema(I + "Xavier")
class XavierInit(NodeSchema):
    gain: float = opt(1.0, gt=0, le=10, doc="scales the std; 5/3 for tanh, 1 for sigmoid/linear")
    distribution: str = opt("uniform", choices=DISTRIBUTIONS)


@schema(I + "Kaiming")
class KaimingInit(NodeSchema):
    nonlinearity: str = opt("relu", choices=("relu", "leaky_relu", "linear", "sigmoid", "tanh", "selu"),
                            doc="the activation the gain is computed for")
    a: float = opt(0.0, ge=0, lt=1, doc="negative slope, for nonlinearity=leaky_relu")
    mode: str = opt("fan_in", choices=("fan_in", "fan_out"))
    distribution: str = opt("normal", choices=DISTRIBUTIONS)


@schema(I + "Constant")
class ConstantInit(NodeSchema):
    value: float = opt(0.0, ge=-10, le=10, doc="every weight and bias; 0 is init=zeros")


@schema("aa.data.curriculum.Curriculum")
class Curriculum(NodeSchema):
    order: str = opt("easy_first", choices=("easy_first", "hard_first", "random"),
                     doc="random keeps the pacing with a random pool: the control run")
    start_fraction: float = opt(0.2, gt=0, le=1, doc="share of the easiest samples in the first epoch's pool")
    full_at_epoch: int = opt(10, ge=1, doc="epoch from which the pool is the whole training split")
    pacing: str = opt("linear", choices=("linear", "root"), doc="how the pool grows between the two")
    score_epochs: int = opt(2, ge=0, le=100, doc="epochs a copy of the model trains before scoring")


@schema("aa.data.function.FunctionData")
class Function(Splits):
    info = {"task": "regression", "inputs": ("vector",)}
    name: str = opt("sin", choices=("sin", "step", "abs", "product", "ripple", "bump"),
                    doc="1-D: sin, step, abs; 2-D: product, ripple, bump")
    n_samples: int = opt(500, ge=10, le=1_000_000)
    noise: float = opt(0.05, ge=0, le=10, doc="std of the Gaussian noise added to the targets")
    val_fraction: float = opt(0.2, gt=0, lt=1, doc="share of the points held out for validation")


@schema("aa.data.diabetes.DiabetesData")
class Diabetes(Splits):
    info = {"task": "regression", "inputs": ("vector",)}
    standardize_targets: bool = opt(True, doc="train on z-scored targets (training statistics); metrics stay in the target's units")


@schema("aa.callbacks.regression_figure.RegressionFigure")
class RegressionFigure(NodeSchema):
    every_n_epochs: int = opt(10, ge=1)
    resolution: int = opt(200, ge=10, le=1000, doc="grid points per input axis")


@dataclass
class LRFind(NodeSchema):
    """The top-level ``lr_find`` node (no _target_: train.py reads it)."""

    enabled: bool = opt(False, doc="run the learning-rate range test before training")
    apply: bool = opt(False, doc="train with the suggested rate instead of optim.lr")
    min_lr: float = opt(1e-6, gt=0, le=100)
    max_lr: float = opt(1.0, gt=0, le=100)
    num_steps: int = opt(100, ge=20, le=100_000, doc="updates, the rate growing geometrically")
    early_stop_threshold: Optional[float] = opt(4.0, gt=1, doc="stop once the loss exceeds this x its best")

    @staticmethod
    def check(path: str, node: dict) -> None:
        lo, hi = node.get("min_lr", 1e-6), node.get("max_lr", 1.0)
        if lo >= hi:
            raise ConfigError(f"{path}.min_lr", lo, f"must be below {path}.max_lr={hi}")


def check_toolbox(data: dict) -> None:
    """Refuse an init scheme that would overwrite a model's pretrained weights."""
    init = (data.get("init") or {}).get("_target_", I + "Default")
    if init != I + "Default" and (data.get("model") or {}).get("pretrained"):
        raise ConfigError("init", init.rsplit(".", 1)[-1],
                          "would overwrite the pretrained weights (model.pretrained=true)", "default")
