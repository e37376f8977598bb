"""Schemas of loss, optim, scheduler, batch and regularization: what the task module builds."""
from __future__ import annotations

from typing import Optional

from aa.config.schema import NodeSchema, opt, schema

OUTPUTS = ("linear", "sigmoid", "tanh", "softmax")


@schema("aa.task.losses.CrossEntropy")
class CrossEntropy(NodeSchema):
    info = {"tasks": ("classification",)}


@schema("aa.task.losses.SquaredError")
class SquaredError(NodeSchema):
    info = {"tasks": ("classification", "regression")}
    output_activation: str = opt("linear", choices=OUTPUTS, doc="g of the output layer")
    targets: str = opt("one_hot", choices=("one_hot", "plus_minus"),
                       doc="class targets as {0,1} one-hot or {-1,1}")


def lr(default: float) -> float:
    """The learning rate field, defaulting as the optimiser's own signature does."""
    return opt(default, gt=0, le=100, doc="rho, the learning rate")


class Optim(NodeSchema):
    """Defaults are torch's (what an optimiser config without the key gets); the configs under
    configs/optim/ state the course's choices."""

    lr: float = lr(0.001)
    weight_decay: float = opt(0.0, ge=0, lt=1, doc="decay applied by the optimiser, not a loss term")


@schema("torch.optim.SGD")
class SGD(Optim):
    momentum: float = opt(0.0, ge=0, lt=1, doc="nu")
    nesterov: bool = opt(False)
    dampening: float = opt(0.0, ge=0, le=1)


class AdamLike(Optim):
    betas: list[float] = opt([0.9, 0.999])
    eps: float = opt(1e-8, gt=0, lt=1)


@schema("torch.optim.Adam")
class Adam(AdamLike):
    amsgrad: bool = opt(False)


@schema("torch.optim.AdamW")
class AdamW(Adam):
    weight_decay: float = opt(0.01, ge=0, lt=1, doc="decoupled decay, applied by the optimiser")


@schema("torch.optim.Adamax")
class Adamax(AdamLike):
    lr: float = lr(0.002)


@schema("torch.optim.NAdam")
class NAdam(AdamLike):
    lr: float = lr(0.002)
    momentum_decay: float = opt(0.004, ge=0, lt=1)


@schema("torch.optim.Adagrad")
class Adagrad(Optim):
    lr: float = lr(0.01)
    lr_decay: float = opt(0.0, ge=0)
    eps: float = opt(1e-10, gt=0, lt=1)
    initial_accumulator_value: float = opt(0.0, ge=0)


@schema("torch.optim.Adadelta")
class Adadelta(Optim):
    lr: float = lr(1.0)
    rho: float = opt(0.9, gt=0, lt=1)
    eps: float = opt(1e-6, gt=0, lt=1)


@schema("torch.optim.RMSprop")
class RMSprop(Optim):
    lr: float = lr(0.01)
    alpha: float = opt(0.99, gt=0, lt=1)
    eps: float = opt(1e-8, gt=0, lt=1)
    momentum: float = opt(0.0, ge=0, lt=1)
    centered: bool = opt(False)


S = "torch.optim.lr_scheduler."


@schema(S + "StepLR")
class StepLR(NodeSchema):
    step_size: int = opt(20, ge=1, doc="epochs between decays")
    gamma: float = opt(0.1, gt=0, le=1)


@schema(S + "CosineAnnealingLR")
class Cosine(NodeSchema):
    T_max: Optional[int] = opt(None, ge=1, doc="epochs of one half cosine; default max_epochs")
    eta_min: float = opt(0.0, ge=0)


@schema(S + "OneCycleLR")
class OneCycle(NodeSchema):
    max_lr: Optional[float] = opt(None, gt=0, doc="peak learning rate; default 10 x optim.lr")
    pct_start: float = opt(0.3, gt=0, lt=1)


@schema(S + "ReduceLROnPlateau")
class Plateau(NodeSchema):
    mode: str = opt("min", choices=("min", "max"))
    factor: float = opt(0.1, gt=0, lt=1)
    patience: int = opt(10, ge=0)
    monitor: str = opt("val/loss")


B = "aa.data.batching."


class Batch(NodeSchema):
    limit: Optional[int] = opt(None, ge=1, doc="at most this many updates per epoch (debugging)")


@schema(B + "FullBatch")
class FullBatch(Batch):
    pass


@schema(B + "MiniBatch")
class MiniBatch(Batch):
    size: int = opt(32, ge=1, doc="B: samples per update")
    shuffle: bool = opt(True, doc="a new random order every epoch")


@schema(B + "Incremental")
class Incremental(Batch):
    shuffle: bool = opt(True, doc="a new random order every epoch; false: the stored order every epoch")


@schema(B + "Online")
class Online(Batch):
    pass


R = "aa.task.regularizers."


@schema(R + "L2")
class L2(NodeSchema):
    weight: float = opt(1e-4, ge=0, doc="lambda in lambda/2 sum theta^2")


@schema(R + "L1")
class L1(NodeSchema):
    weight: float = opt(1e-4, ge=0, doc="lambda in lambda sum |theta|")


@schema(R + "Dropout")
class Dropout(NodeSchema):
    p: float = opt(0.2, ge=0, lt=1, doc="probability of zeroing a unit in training")


@schema(R + "ClipValue")
class ClipValue(NodeSchema):
    value: float = opt(0.5, gt=0, doc="each gradient component is clipped to [-value, value]")


@schema(R + "ClipNorm")
class ClipNorm(NodeSchema):
    max_norm: float = opt(1.0, gt=0, doc="the gradient vector is rescaled to at most this norm")


@schema(R + "Noise")
class Noise(NodeSchema):
    std: float = opt(0.1, ge=0, doc="standard deviation of the Gaussian noise")
    applies_to: str = opt("inputs", choices=("inputs", "weights"), doc="what gets the noise")


@schema("pytorch_lightning.callbacks.EarlyStopping")
class EarlyStopping(NodeSchema):
    monitor: str = opt("val/loss")
    mode: str = opt("min", choices=("min", "max"))
    patience: int = opt(10, ge=0, doc="epochs without improvement before stopping")
    min_delta: float = opt(0.0, ge=0, doc="smallest change that counts as improvement")
    stopping_threshold: Optional[float] = opt(None, doc="stop once the monitored value reaches this")
    divergence_threshold: Optional[float] = opt(None)
    check_finite: bool = opt(True)
