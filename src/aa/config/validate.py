"""Check a composed config against the registered schemas before anything heavy is imported."""
from __future__ import annotations

import dataclasses
import typing
from typing import Any

from omegaconf import DictConfig, OmegaConf

from aa.base.errors import ConfigError
from aa.config import schemas  # noqa: F401  (registers every schema)
from aa.config.compatibility import check_compatibility
from aa.config.paths import MULTI_SELECT, SINGLE_NODE, group_options, optional_groups  # noqa: F401 (re-exported)
from aa.config.schema import SCHEMAS
from aa.config.schemas.toolbox import check_toolbox
from aa.config.targets import check_targets

META_KEYS = {"_target_", "_partial_", "_recursive_", "_convert_", "_args_"}


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
