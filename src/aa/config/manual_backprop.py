"""Which configurations the manual BackProp can train, checked before torch loads.

The engine follows the lecture's equations, so it covers the networks the lecture derives them for:
perceptrons and MLPs (any depth, skip connections, dropout) with an activation that has g'.
"""
from __future__ import annotations

from omegaconf import OmegaConf

from aa.base.errors import ConfigError
from aa.config.paths import config_dir, group_options

MODELS = ("aa.models.perceptron.Perceptron", "aa.models.mlp.MLP")
NORMALIZATIONS = ("aa.nn.normalization.NoNorm",)
LOSSES = ("aa.task.losses.CrossEntropy", "aa.task.losses.SquaredError")
NO_DERIVATIVE = ("aa.nn.activations.Maxout",)


def options_with(group: str, accept) -> list[str]:
    """Options of a config group whose ``_target_`` passes ``accept``."""
    out = []
    for name in group_options(group):
        target = OmegaConf.load(config_dir() / group / f"{name}.yaml").get("_target_")
        if accept(target):
            out.append(name)
    return out


def _name(group: str, node: dict) -> str:
    """The option the user chose (its file name), or the class name for a node set by hand."""
    target = node.get("_target_")
    return next(iter(options_with(group, lambda t: t == target)), str(target).rsplit(".", 1)[-1])


def check_manual_backprop(data: dict) -> None:
    """Raise ConfigError for a model, activation, normalization or loss that backprop=manual cannot do."""
    if data.get("backprop") != "manual":
        return
    why = "has no hand-written BackProp (backprop=manual); keep backprop=autograd or choose another option"
    model = data["model"].get("_target_")
    if model not in MODELS:
        raise ConfigError("model", _name("model", data["model"]), why,
                          ", ".join(options_with("model", lambda t: t in MODELS)))
    loss = data["loss"].get("_target_")
    if loss not in LOSSES:
        raise ConfigError("loss", _name("loss", data["loss"]), why,
                          ", ".join(options_with("loss", lambda t: t in LOSSES)))
    check_trainer(data.get("trainer") or {})
    if model == MODELS[0]:
        return
    activation = (data.get("activation") or {}).get("_target_")
    if activation in NO_DERIVATIVE:
        raise ConfigError("activation", _name("activation", data["activation"]),
                          "has no element-wise derivative g' for the delta rule of backprop=manual; "
                          "keep backprop=autograd or choose another option",
                          ", ".join(options_with("activation", lambda t: t not in NO_DERIVATIVE)))
    norm = (data.get("normalization") or {}).get("_target_")
    if norm is not None and norm not in NORMALIZATIONS:
        raise ConfigError("normalization", _name("normalization", data["normalization"]), why,
                          ", ".join(options_with("normalization", lambda t: t in NORMALIZATIONS)))


def _count(value: object) -> int:
    if isinstance(value, (list, tuple)):
        return len(value)
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 1


def check_trainer(trainer: dict) -> None:
    """Gradients written by hand skip what autograd's backward triggers: DDP's all-reduce, fp16's loss scaling."""
    why = "splits the batch and averages gradients inside autograd's backward, which backprop=manual does not run"
    strategy = str(trainer.get("strategy", "auto"))
    if any(k in strategy for k in ("ddp", "fsdp", "deepspeed")):
        raise ConfigError("trainer.strategy", strategy, why, "auto with trainer.devices=1, or backprop=autograd")
    for key in ("devices", "num_nodes"):
        if _count(trainer.get(key, 1)) > 1:
            raise ConfigError(f"trainer.{key}", trainer[key], why, "1, or backprop=autograd")
    precision = str(trainer.get("precision", "32-true"))
    if precision in ("16-mixed", "16"):
        raise ConfigError("trainer.precision", precision, "scales the loss for autograd's backward (GradScaler), "
                          "which backprop=manual does not run", "32-true, 64-true, bf16-mixed, or backprop=autograd")
