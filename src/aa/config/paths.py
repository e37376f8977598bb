"""Locate the config tree wherever aa is installed."""
from __future__ import annotations

from pathlib import Path


def config_dir() -> Path:
    """Configs travel inside the wheel as ``aa/configs``; a source checkout keeps them at the top."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "configs"
    if (packaged / "train.yaml").is_file():
        return packaged
    checkout = here.parent.parent / "configs"
    if (checkout / "train.yaml").is_file():
        return checkout
    raise FileNotFoundError(f"aa configs not found in {packaged} or {checkout}")


def group_options(group: str) -> list[str]:
    """Names of the YAML files of one config group, i.e. the valid choices."""
    d = config_dir() / group
    return sorted(p.stem for p in d.glob("*.yaml")) if d.is_dir() else []


def config_groups() -> list[str]:
    return sorted(p.name for p in config_dir().iterdir() if p.is_dir() and not p.name.startswith(("_", "hydra")))


MULTI_SELECT = ("regularization", "augmentation", "callbacks")
SINGLE_NODE = ("objective", "dataset", "model", "activation", "normalization", "loss", "optim", "scheduler",
               "batch", "trainer", "logger", "init", "curriculum")
GLOBAL_GROUPS = ("experiment", "debug", "launcher", "hparams_search", "recipe")  # @package _global_: no node of their own


def optional_groups() -> tuple[str, ...]:
    """Groups a family adds (decode, prune, ...): a node when chosen, absent or null otherwise."""
    known = set(SINGLE_NODE) | set(MULTI_SELECT) | set(GLOBAL_GROUPS)
    return tuple(g for g in config_groups() if g not in known)
