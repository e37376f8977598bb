"""Check a composed config against the registered schemas before anything heavy is imported."""
from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Any

from omegaconf import DictConfig, OmegaConf

from aa.config.manual_backprop import check_manual_backprop
from aa.config import schemas  # noqa: F401  (registers every schema)
from aa.base.errors import ConfigError
from aa.config.paths import config_dir, config_groups, group_options
from aa.config.schema import SCHEMAS
from aa.config.schemas.toolbox import check_toolbox
from aa.config.targets import check_targets

MULTI_SELECT = ("regularization", "augmentation", "callbacks")
SINGLE_NODE = ("objective", "dataset", "model", "activation", "normalization", "loss", "optim", "scheduler",
               "batch", "trainer", "logger", "init", "curriculum")
GLOBAL_GROUPS = ("experiment", "debug", "launcher", "hparams_search", "recipe")  # @package _global_: no node of their own
META_KEYS = {"_target_", "_partial_", "_recursive_", "_convert_", "_args_"}


def optional_groups() -> tuple[str, ...]:
    """Groups a family adds (decode, prune, ...): a node when chosen, absent or null otherwise."""
    known = set(SINGLE_NODE) | set(MULTI_SELECT) | set(GLOBAL_GROUPS)
    return tuple(g for g in config_groups() if g not in known)


def validate(cfg: DictConfig | dict) -> dict:
    """Return the resolved config as plain containers, or raise ConfigError naming the bad key."""
    if isinstance(cfg, dict):
        data = {k: v for k, v in cfg.items() if k != "hydra"}
    else:
        data = {k: _plain(cfg, k) for k in cfg if k != "hydra"}
    check_targets(data)
    optional = optional_groups()
    check_node("", data, SCHEMAS["aa.run.train.Run"], skip=set(SINGLE_NODE) | set(MULTI_SELECT) | set(optional))
    for group in optional:
        if data.get(group):
            _check_target(group, data[group])
    for group in SINGLE_NODE:
        node = data.get(group)
        if node is None:
            raise ConfigError(group, node, "is required", ", ".join(group_options(group)))
        if node:
            _check_target(group, node)
    for group in MULTI_SELECT:
        for name, node in (data.get(group) or {}).items():
            if node is None and group == "callbacks":
                continue  # callbacks.NAME=null switches a default callback off
            if not isinstance(node, dict) or "_target_" not in node:
                raise ConfigError(f"{group}.{name}", node, f"is not a {group} option",
                                  ", ".join(group_options(group)))
            _check_target(f"{group}.{name}", node)
    check_compatibility(data)
    check_toolbox(data)
    if isinstance(cfg, DictConfig) and "hydra" in cfg:
        from aa.config.sweep_engines import check_launch

        check_launch(cfg, data)
    return data


def _plain(cfg: DictConfig, key: str) -> Any:
    node = cfg._get_node(key)
    if OmegaConf.is_missing(cfg, key):
        return "???"
    if isinstance(node, (DictConfig,)) or OmegaConf.is_list(node):
        return OmegaConf.to_container(node, resolve=True, throw_on_missing=False)
    return cfg[key]


def _check_target(path: str, node: dict) -> None:
    target = node.get("_target_")
    cls = SCHEMAS.get(target)
    if cls is None:
        if str(target).startswith("aa."):
            raise ConfigError(f"{path}._target_", target, "has no schema registered in aa.config.schemas")
        return
    check_node(path, node, cls)


def check_node(path: str, node: dict, cls: type, skip: set[str] = frozenset()) -> None:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    for key, value in node.items():
        full = f"{path}.{key}" if path else key
        if key in META_KEYS or key in skip:
            continue
        if key not in fields:
            valid = ", ".join(sorted(k for k in fields if k not in skip)) or "(none)"
            raise ConfigError(full, value, f"is not a known key of {path or 'the top-level config'}",
                              valid)
        _check_value(full, value, hints[key], fields[key].metadata)
    for name, f in fields.items():
        if name in skip:
            continue
        missing = name not in node and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if missing or node.get(name) == "???":
            full = f"{path}.{name}" if path else name
            raise ConfigError(full, "???", "is required but has no value; set it on the command line, "
                              f"e.g. {full}=...")
    if hasattr(cls, "check"):
        cls.check(path, node)  # rules across fields, e.g. min_lr < max_lr


def _check_value(key: str, value: Any, hint: Any, meta: typing.Mapping) -> None:
    if value == "???":
        raise ConfigError(key, value, f"is required but has no value; set it on the command line, e.g. {key}=...")
    _check_type(key, value, hint)
    if value is None:
        return
    if isinstance(value, (list, tuple)):
        if meta.get("nonempty") and not value:
            raise ConfigError(key, value, "is empty: it needs at least one item")
        for i, item in enumerate(value):  # bounds on a list apply to each item (sizes > 0)
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                _check_value(f"{key}[{i}]", item, type(item), {**meta, "choices": None})
        return
    choices = meta.get("choices")
    if choices and value not in choices:
        raise ConfigError(key, value, "is not one of the choices", ", ".join(map(str, choices)))
    bounds = [("gt", lambda v, b: v > b, ">"), ("ge", lambda v, b: v >= b, ">="),
              ("lt", lambda v, b: v < b, "<"), ("le", lambda v, b: v <= b, "<=")]
    for name, ok, sym in bounds:
        bound = meta.get(name)
        if bound is not None and isinstance(value, (int, float)) and not ok(value, bound):
            rng = " and ".join(f"{s} {meta[n]}" for n, _, s in bounds if meta.get(n) is not None)
            raise ConfigError(key, value, f"is out of range: it must be {rng}")


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _check_type(key: str, value: Any, hint: Any) -> None:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        if value is None and type(None) in args:
            return
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return _check_type(key, value, a)
            except ConfigError as e:
                errors.append(e)
        raise ConfigError(key, value, f"has the wrong type: expected {' or '.join(_type_name(a) for a in args)}")
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(key, value, "has the wrong type: expected a list like [1,2]")
        inner = args[0] if args else Any
        for i, v in enumerate(value):
            _check_type(f"{key}[{i}]", v, inner)
        return
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(key, value, "has the wrong type: expected a mapping")
        return check_node(key, value, hint)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(key, value, "has the wrong type: expected a mapping")
        return
    ok = {
        bool: lambda v: isinstance(v, bool),
        int: lambda v: isinstance(v, int) and not isinstance(v, bool),
        float: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        str: lambda v: isinstance(v, str),
    }.get(hint, lambda v: True)
    if not ok(value):
        raise ConfigError(key, value, f"has the wrong type: expected {_type_name(hint)}")


def check_compatibility(data: dict) -> None:
    """Refuse combinations that cannot train, using facts the schemas declare in ``info``."""
    ds = SCHEMAS.get(data["dataset"].get("_target_"))
    model = SCHEMAS.get(data["model"].get("_target_"))
    loss = SCHEMAS.get(data["loss"].get("_target_"))
    dinfo = getattr(ds, "info", {}) if ds else {}
    task, kinds = dataset_task(data["dataset"], dinfo), tuple(dinfo.get("inputs", ()))
    check_objective(data, task)
    for group in optional_groups():
        if data.get(group):
            check_group_task(group, data, task)
    if model and kinds and not set(kinds) & set(model.info.get("inputs", kinds)):
        name, reads = option_name("model", data["model"]), tuple(model.info["inputs"])
        raise ConfigError("model", name, f"cannot read the {'/'.join(kinds)} inputs of this dataset "
                          f"(dataset={option_name('dataset', data['dataset'])} gives {'/'.join(kinds)}; "
                          f"model={name} needs {'/'.join(reads)})",
                          "models for this dataset: " + ", ".join(models_for(kinds))
                          + f"; datasets for model={name}: " + ", ".join(datasets_for(reads)))
    objective = SCHEMAS.get(data["objective"].get("_target_"))
    uses_loss = getattr(objective, "info", {}).get("uses_loss", True)  # objectives with their own loss
    if loss and task and uses_loss and task not in loss.info.get("tasks", (task,)):
        raise ConfigError("loss", data["loss"]["_target_"].rsplit(".", 1)[-1],
                          f"does not fit a {task} dataset", "for " + task + ": " + ", ".join(
                              n for n in group_options("loss") if task in option_facts("loss", n, "tasks")))
    served = input_kind(data)
    for name, node in (data.get("augmentation") or {}).items():
        aug = SCHEMAS.get(node.get("_target_"))
        accepts = getattr(aug, "info", {}).get("inputs", ()) if aug else ()
        if served and accepts and served not in accepts:
            fitting = [o for o in group_options("augmentation") if served in option_facts("augmentation", o, "inputs")]
            raise ConfigError("augmentation", name, f"transforms {'/'.join(accepts)} data, but this run "
                              f"feeds {served} data", f"for {served} data: {', '.join(fitting) or 'none'}")
    check_manual_backprop(data)


def dataset_task(node: dict, info: dict) -> str | None:
    """The task a dataset serves: its schema's ``info["task"]``, or for a dataset whose config chooses it
    (``info["task_key"]``, a table's ``task``) that key's value when it names one rather than ``auto``."""
    chosen = node.get(info.get("task_key", ""), "auto")
    return info.get("task") if chosen == "auto" else chosen


def check_group_task(group: str, data: dict, task: str | None) -> None:
    """An added group that serves some tasks only (``info["tasks"]``, e.g. decode) must fit the dataset's ``task``."""
    node = data[group] if isinstance(data[group], dict) else {}
    tasks = getattr(SCHEMAS.get(node.get("_target_")), "info", {}).get("tasks", ())
    if tasks and task and task not in tasks:
        raise ConfigError(group, option_name(group, node), f"serves {'/'.join(tasks)} data, but this dataset "
                          f"is a {task} dataset", f"drop {group}, or choose a {'/'.join(tasks)} model and dataset")


def check_objective(data: dict, task: str | None) -> None:
    """The objective must train on the dataset's kind of task (a GAN cannot use a regression table)."""
    objective = SCHEMAS.get(data["objective"].get("_target_"))
    tasks = getattr(objective, "info", {}).get("tasks", ()) if objective else ()
    if not task or not tasks or task in tasks:
        return
    name = next(iter(n for n in group_options("objective")
                     if option_node("objective", n).get("_target_")
                     == data["objective"]["_target_"]), data["objective"]["_target_"])
    fitting = [o for o in group_options("objective") if task in option_facts("objective", o, "tasks")]
    model, dataset = option_name("model", data["model"]), option_name("dataset", data["dataset"])
    reads = tuple(getattr(SCHEMAS.get(data["model"].get("_target_")), "info", {}).get("inputs", ()))
    raise ConfigError("objective", name, f"trains on {'/'.join(tasks)} data, but dataset={dataset} is a {task} "
                      f"dataset (model={model} or dataset={dataset} chose this objective)",
                      f"objectives for {task} data: {', '.join(fitting) or 'none'}; datasets for model={model} "
                      f"with objective={name}: {', '.join(datasets_for(reads, tasks)) or 'none'}")


@functools.lru_cache(maxsize=None)
def option_node(group: str, option: str) -> dict:
    """One option file as plain containers, read once per process: error messages list fitting options
    by reading every file of a group, which would otherwise cost a tenth of a second per refusal."""
    return OmegaConf.to_container(OmegaConf.load(config_dir() / group / f"{option}.yaml")) or {}


def option_name(group: str, node: dict) -> str:
    """The option the user chose (``lenet5``), found by the node it composed to, not the class name."""
    best, score = node.get("_target_", "").rsplit(".", 1)[-1], -1
    for option in group_options(group):
        loaded = option_node(group, option)
        if loaded.get("_target_") != node.get("_target_"):
            continue
        same = sum(1 for k, v in loaded.items() if k != "defaults" and node.get(k) == v)
        if same > score:
            best, score = option, same
    return best


def input_kind(data: dict) -> str | None:
    """The input form the model reads, among those the dataset can serve."""
    ds = SCHEMAS.get(data["dataset"].get("_target_"))
    model = SCHEMAS.get(data["model"].get("_target_"))
    kinds = tuple(getattr(ds, "info", {}).get("inputs", ()))
    wanted = tuple(getattr(model, "info", {}).get("inputs", kinds))
    return next((k for k in wanted if k in kinds), kinds[0] if kinds else None)


def option_facts(group: str, option: str, fact: str) -> tuple:
    """The ``info[fact]`` the schemas declare for one option file (merged over a multi-select file's
    children), so error messages can list the options that would fit."""
    node = option_node(group, option)
    nodes = [node] if "_target_" in node else [v for v in node.values() if isinstance(v, dict)]
    facts: tuple = ()
    for n in nodes:
        cls = SCHEMAS.get(n.get("_target_"))
        facts += tuple(getattr(cls, "info", {}).get(fact, ())) if cls else ()
    return facts


def models_for(kinds: tuple) -> list[str]:
    return [m for m in group_options("model")
            if not option_facts("model", m, "inputs") or set(kinds) & set(option_facts("model", m, "inputs"))]


def datasets_for(kinds: tuple, tasks: tuple = ()) -> list[str]:
    """The dataset options serving one of these input forms (any, when none are named), of one of these
    tasks (any, when none are named; a dataset whose config chooses its task fits every task)."""
    def fits(option: str) -> bool:
        node = option_node("dataset", option)
        info = getattr(SCHEMAS.get(node.get("_target_")), "info", {})
        task = dataset_task(node, info)
        inputs = set(info.get("inputs", ()))
        return (not kinds or bool(set(kinds) & inputs)) and (not tasks or task is None or task in tasks)

    return [d for d in group_options("dataset") if fits(d)]
