"""Schemas of the prune, quantize and distill groups and of the distillation objective.

Facts from other groups arrive by interpolation in the option files (``epochs: ${trainer.max_epochs}``,
``l1: ${oc.select:regularization.l1.weight,null}``, ``model: ${model._target_}``), so every check here
runs before torch loads."""
from __future__ import annotations

import os
from typing import Any, Optional

from aa.base.errors import ConfigError
from aa.config.schema import NodeSchema, opt, schema

RECURRENT_MODELS = ("aa.models.recurrent.", "aa.models.text.")


@schema("aa.compress.prune.Prune")
class Prune(NodeSchema):
    method: str = opt("magnitude", choices=("magnitude", "relevance", "penalty"),
                      doc="what decides which weights go: |theta|, a saliency, or an L1 penalty then |theta|")
    amount: float = opt(0.8, ge=0, lt=1, doc="share of the prunable weights set to zero in the end")
    scope: str = opt("global", choices=("global", "layer"), doc="one ranking over all layers, or per layer")
    structure: str = opt("unstructured", choices=("unstructured", "structured"),
                         doc="single weights, or whole units/channels (rows of the weight, per layer)")
    steps: int = opt(1, ge=1, le=100, doc="1: one-shot; k: prune, fine-tune, repeat k times")
    finetune_epochs: int = opt(10, ge=0, doc="epochs of training with the mask fixed after each step")
    epochs: int = opt(60, ge=1, doc="the run's epochs (trainer.max_epochs); the schedule ends with them")
    importance: str = opt("obd", choices=("obd", "taylor"),
                          doc="relevance: 1/2 h_kk theta^2 (Optimal Brain Damage) or |theta dq/dtheta|")
    hessian: str = opt("fisher", choices=("fisher", "hutchinson"), doc="diagonal Hessian estimate for obd")
    samples: int = opt(256, ge=1, doc="training samples of the Fisher estimate")
    batches: int = opt(32, ge=1, doc="training mini-batches the saliencies are averaged over")
    threshold: Optional[float] = opt(None, gt=0, doc="remove |theta| < threshold instead of a fixed amount")
    l1: Optional[float] = opt(None, ge=0, doc="the L1 weight of the run (regularization.l1.weight)")
    prune_bias: bool = opt(False, doc="prune biases too (unstructured only)")
    lottery_ticket: bool = opt(False, doc="after each step reset the kept weights to their initial values")

    @staticmethod
    def check(path: str, node: dict) -> None:
        steps, ft, epochs = node.get("steps", 1), node.get("finetune_epochs", 10), node.get("epochs", 60)
        if node.get("structure") == "structured":
            if node.get("scope", "global") == "global":
                raise ConfigError(f"{path}.scope", "global", "cannot rank whole units across layers of different "
                                  "widths (torch prunes structured tensors one at a time)", "layer")
            if node.get("prune_bias"):
                raise ConfigError(f"{path}.prune_bias", True, "only applies to unstructured pruning", "false")
        if steps > 1 and ft == 0:
            raise ConfigError(f"{path}.finetune_epochs", 0, f"must be >= 1 for iterative pruning "
                              f"({path}.steps={steps}): each step is followed by fine-tuning")
        if steps * ft > epochs - 1:
            raise ConfigError(f"{path}.steps", steps, f"with {path}.finetune_epochs={ft} needs more than "
                              f"{steps * ft} epochs, but trainer.max_epochs={epochs}",
                              f"raise trainer.max_epochs above {steps * ft} or lower steps/finetune_epochs")
        if node.get("method") == "penalty" and node.get("l1") is None:
            raise ConfigError(f"{path}.method", "penalty", "trains with the L1 penalty, but regularization has "
                              "no l1", "regularization=[l1] (with any others, e.g. regularization=[l1,dropout])")


@schema("aa.callbacks.compression.Quantize")
class Quantize(NodeSchema):
    mode: str = opt("dynamic", choices=("dynamic", "static", "qat"),
                    doc="int8 weights (activations on the fly), calibrated int8 activations, or trained with it")
    calibration_batches: int = opt(32, ge=1, doc="static: training mini-batches that set activation ranges")
    model: Optional[str] = opt(None, doc="the model's _target_ (checked: static/qat cannot take recurrent nets)")

    @staticmethod
    def check(path: str, node: dict) -> None:
        model, mode = node.get("model") or "", node.get("mode", "dynamic")
        if mode != "dynamic" and model.startswith(RECURRENT_MODELS):
            raise ConfigError(f"{path}.mode", mode, f"cannot quantise {model.rsplit('.', 1)[-1]}: recurrent and "
                              "embedding layers have no static int8 kernels", "quantize=dynamic")


@schema("aa.task.distillation.KD")
class KD(NodeSchema):
    teacher: str = opt(doc="a checkpoint of an aa run, e.g. outputs/runs/<run>/checkpoints/best.ckpt")
    temperature: float = opt(4.0, gt=0, le=100, doc="T: softens both output distributions")
    alpha: float = opt(0.9, ge=0, le=1, doc="weight of the soft (teacher) term; 1 - alpha for the labels")

    @staticmethod
    def check(path: str, node: dict) -> None:
        teacher = node.get("teacher")
        if not isinstance(teacher, str) or not os.path.isfile(teacher):
            raise ConfigError(f"{path}.teacher", teacher, "does not exist or is not a file",
                              "a checkpoint of an aa run, e.g. outputs/runs/<run>/checkpoints/best.ckpt")


@schema("aa.task.distillation.Distillation")
class Distillation(NodeSchema):
    info = {"tasks": ("classification",), "metric": "acc"}
    kd: Any = opt(None, doc="the distill node (distill=kd)")
