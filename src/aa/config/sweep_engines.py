"""Checks of the sweep engines under hydra.* (launcher, sweeper) and of what they can run, before torch loads."""
from __future__ import annotations

from typing import Any

from omegaconf import DictConfig, OmegaConf

from aa.base.errors import ConfigError
from aa.config.schema import SCHEMAS
from aa.config.schemas.sweeps import OPTUNA, SLURM
from aa.config.optimized_metric import default_metric, direction

DDP_LAUNCHERS = {SLURM: "slurm_ddp"}


def check_launch(cfg: DictConfig, data: dict) -> None:
    """Validate hydra.launcher and hydra.sweeper against their schemas and refuse what cannot run."""
    from aa.config.validate import check_node

    hydra = cfg.hydra
    nodes = {name: OmegaConf.to_container(hydra[name], resolve=True)
             for name in ("launcher", "sweeper") if hydra.get(name) is not None}
    for name, node in nodes.items():
        _check_engine(f"hydra.{name}", node, check_node)
    launcher = nodes.get("launcher") or {}
    check_ddp(data, str(hydra.get("mode")) == "RunMode.MULTIRUN", launcher)
    sweeper = nodes.get("sweeper") or {}
    if sweeper.get("_target_") == OPTUNA:
        check_direction(data, sweeper.get("direction"))


def _check_engine(path: str, node: dict, check_node: Any) -> None:
    cls = SCHEMAS.get(node.get("_target_"))
    if cls is None:
        return
    check_node(path, node, cls)
    for key, sub_cls in cls.info.get("nested", {}).items():
        sub = node
        for part in key.split("."):
            sub = (sub or {}).get(part)
        if sub:
            check_node(f"{path}.{key}", sub, sub_cls)
    for key, value in node.items():
        if isinstance(value, dict) and "_target_" in value:
            _check_engine(f"{path}.{key}", value, check_node)


def check_ddp(data: dict, multirun: bool, launcher: dict) -> None:
    """Lightning's DDP re-launches the script per device, which a Hydra multirun cannot survive;
    only SLURM starts one task per device itself, so each must match trainer.devices."""
    trainer = data.get("trainer") or {}
    strategy = str(trainer.get("strategy", "auto"))
    if not strategy.startswith("ddp"):
        return
    target = launcher.get("_target_", "")
    if multirun and target not in DDP_LAUNCHERS:
        name = target.rsplit(".", 1)[-1] or "basic"
        raise ConfigError("trainer.strategy", strategy,
                          f"cannot run inside a multirun (-m) with the {name}: Lightning's DDP re-launches "
                          "the script for each device and a Hydra multirun does not support that",
                          "launcher=slurm_ddp (each SLURM job spans trainer.devices GPUs), or one DDP run "
                          "per configuration without -m")
    devices = trainer.get("devices")
    if target in DDP_LAUNCHERS and isinstance(devices, int) and launcher.get("tasks_per_node") != devices:
        raise ConfigError("hydra.launcher.tasks_per_node", launcher.get("tasks_per_node"),
                          f"must equal trainer.devices={devices} for DDP on SLURM: one task per GPU",
                          str(devices))


def check_direction(data: dict, chosen: Any) -> None:
    """The search must climb the metric the run returns: maximise accuracy, minimise a loss."""
    objective = SCHEMAS.get((data.get("objective") or {}).get("_target_"))
    metric = default_metric(data.get("optimized_metric"), getattr(objective, "info", {}).get("metric"))
    wanted = direction(metric)
    if str(chosen) != wanted:
        raise ConfigError("hydra.sweeper.direction", chosen,
                          f"the search optimises {metric}, where {'lower' if wanted == 'minimize' else 'higher'} "
                          "is better", wanted)
