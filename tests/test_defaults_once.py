"""Each default is stated once: the YAML under configs/, the schema (SCHEMAS[target]) and the constructor's
signature must not disagree on a key they share, or ``--help`` and the docs describe a run that never happens.

Rule, per ``_target_`` (nested nodes included):
- schema vs constructor: always (aa and torch targets), for every registered schema;
- YAML vs constructor and schema: when one YAML file builds the target (aa targets only; a torch
  class's defaults are torch's, and the configs choose the course's values on purpose);
- several files building one aa target (vgg11..vgg19, quantize modes): each key they set must take
  the constructor's default in one of them, the base option (vgg16 is the constructor's depth); so a
  key they all set alike must equal it.
Interpolations (``${...}``) and required values (``???``) state no default and are skipped.
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections import defaultdict
from typing import Any, Iterator

import pytest
from omegaconf import OmegaConf

from aa.config import schemas  # noqa: F401  (registers every schema)
from aa.config.paths import config_dir
from aa.config.schema import SCHEMAS

OURS = ("aa.",)
CHECKED = ("aa.", "torch.")


def _nodes(node: Any, path: str = "") -> Iterator[tuple[str, dict]]:
    """(key path, node) of every mapping with a string ``_target_``, nested ones included."""
    if isinstance(node, dict):
        if isinstance(node.get("_target_"), str):
            yield path, node
        for key, value in node.items():
            if key != "defaults":
                yield from _nodes(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, f"{path}[{i}]")


def yaml_nodes() -> list[tuple[str, str, dict]]:
    """(file, key path, node) of every target node in configs/**/*.yaml."""
    root = config_dir()
    out = []
    for f in sorted(root.rglob("*.yaml")):
        data = OmegaConf.to_container(OmegaConf.load(f), resolve=False)
        out += [(str(f.relative_to(root)), path, node) for path, node in _nodes(data)]
    return out


def stated(node: dict) -> dict:
    """The keys a YAML node states a literal value for."""
    return {k: v for k, v in node.items()
            if not k.startswith("_") and v != "???" and not (isinstance(v, str) and "${" in v)}


def _resolve(target: str) -> Any:
    module, _, name = target.rpartition(".")
    return getattr(importlib.import_module(module), name)


def constructor_defaults(target: str) -> dict[str, Any]:
    """Defaults of the parameters a call to ``target`` accepts, following ``**kwargs`` to the base
    classes (a data set's val_fraction is its TensorDataModule's)."""
    obj = _resolve(target)
    owners = [c for c in obj.__mro__ if "__init__" in vars(c)] if inspect.isclass(obj) else [obj]
    out: dict[str, Any] = {}
    for owner in owners:
        params = inspect.signature(owner.__init__ if inspect.isclass(owner) else owner).parameters
        for name, p in params.items():
            if p.default is not inspect.Parameter.empty:
                out.setdefault(name, p.default)
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
            break
    return out


def schema_defaults(target: str) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(SCHEMAS[target]):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


def same(a: Any, b: Any) -> bool:
    """Lists and tuples alike, 1 == 1.0; mappings state the same keys with the same values."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b or a == b and type(a) is type(b)
    return a == b


def _importable(target: str) -> bool:
    try:
        _resolve(target)
    except (ImportError, AttributeError):
        return False
    return True


def schema_drift() -> list[str]:
    out = []
    for target in sorted(t for t in SCHEMAS if t.startswith(CHECKED)):
        if not _importable(target):  # a schema of a config part no call builds (aa.run.train.Run: the top level)
            continue
        ctor, sch = constructor_defaults(target), schema_defaults(target)
        out += [f"{target}.{k}: schema {sch[k]!r}, constructor {ctor[k]!r}"
                for k in sorted(ctor.keys() & sch.keys()) if not same(sch[k], ctor[k])]
    return out


def yaml_drift() -> list[str]:
    by_target: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for file, path, node in yaml_nodes():
        if node["_target_"].startswith(OURS):
            by_target[node["_target_"]].append((f"{file}:{path or '<root>'}", stated(node)))
    out = []
    for target, built in sorted(by_target.items()):
        ctor = constructor_defaults(target)
        sch = schema_defaults(target) if target in SCHEMAS else {}
        if len(built) == 1:
            where, values = built[0]
            for key, value in sorted(values.items()):
                for name, other in (("constructor", ctor), ("schema", sch)):
                    if key in other and not same(value, other[key]):
                        out.append(f"{where} {target}.{key}: YAML {value!r}, {name} {other[key]!r}")
            continue
        for key in sorted({k for _, values in built for k in values} & ctor.keys()):
            seen = [(where, values[key]) for where, values in built if key in values]
            if not any(same(v, ctor[key]) for _, v in seen):  # alike in all files: they all differ
                out.append(f"{target}.{key}: no file states the constructor's {ctor[key]!r}: {seen}")
    return out


def test_schema_defaults_are_the_constructors() -> None:
    assert schema_drift() == []


def test_yaml_states_the_constructors_defaults() -> None:
    assert yaml_drift() == []


def test_the_walk_sees_nested_and_shared_targets() -> None:
    """The rule above is only as good as the walk: nested nodes and multi-file targets are found."""
    found = {(f, p) for f, p, _ in yaml_nodes()}
    assert ("callbacks/default.yaml", "model_checkpoint") in found
    assert sum(node["_target_"] == "aa.models.vgg.VGG" for _, _, node in yaml_nodes()) == 4
    assert constructor_defaults("aa.data.sequence_tasks.AddingData")["val_fraction"] is not None


@pytest.mark.parametrize("a, b, equal", [([1, 2], (1, 2), True), (1, 1.0, True), ([1], [2], False),
                                         (True, 1, False), (None, 0, False), ({"c": 1, "k": 3}, {"c": 1}, False),
                                         ({"c": 1, "k": 3}, {"k": 3.0, "c": 1}, True)])
def test_same(a: Any, b: Any, equal: bool) -> None:
    assert same(a, b) is equal
