"""Typed schemas for config nodes: a dataclass per ``_target_``, with ranges and choices.

Pure Python (no torch), so a bad value is rejected in a fraction of a second. Each area of
the code registers the schemas of the classes its configs build in ``aa.config.schemas``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

SCHEMAS: dict[str, type] = {}


def schema(*targets: str) -> Callable[[type], type]:
    """Register a dataclass as the schema of the config nodes that build ``targets``."""

    def deco(cls: type) -> type:
        for base in reversed(cls.__mro__[:-1]):
            if "__dataclass_fields__" not in base.__dict__:
                dataclass(base)
        for t in targets:
            SCHEMAS[t] = cls
        return cls

    return deco


def opt(default: Any = dataclasses.MISSING, *, gt: float | None = None, ge: float | None = None,
        lt: float | None = None, le: float | None = None, choices: tuple | None = None,
        nonempty: bool = False, doc: str = "") -> Any:
    """A schema field with an optional numeric range (for a list: of each item), a fixed set of
    choices, or (nonempty) a list that needs at least one item."""
    meta = {"gt": gt, "ge": ge, "lt": lt, "le": le, "choices": choices, "nonempty": nonempty, "doc": doc}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda d=default: type(d)(d), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class NodeSchema:
    """Base for node schemas; ``info`` class attributes carry facts used by compatibility checks."""

    info: ClassVar[dict] = {}
