"""Only known code is instantiated: every ``_target_`` must come from aa or a library the configs use,
or from a module the user names in ``allow_targets``. Checked on the composed config, before torch loads."""
from __future__ import annotations

from typing import Any, Iterator

from aa.base.errors import ConfigError

KNOWN = ("aa", "torch", "torchvision", "torchmetrics", "pytorch_lightning", "lightning", "torch_geometric",
         "gensim", "sklearn")


def targets(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(key path, target) of every ``_target_`` in a plain config tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            full = f"{path}.{key}" if path else str(key)
            if key == "_target_":
                yield full, value
            else:
                yield from targets(value, full)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from targets(value, f"{path}[{i}]")


def allowed(target: str, extra: list[str] | tuple[str, ...] = ()) -> bool:
    return any(target == m or target.startswith(m + ".") for m in (*KNOWN, *extra))


def check_targets(data: dict) -> None:
    """Refuse a ``_target_`` outside the known libraries unless ``allow_targets`` names its module."""
    extra = [str(m) for m in data.get("allow_targets") or ()]
    for path, target in targets({k: v for k, v in data.items() if k != "hydra"}):
        if not isinstance(target, str) or not allowed(target, extra):
            module = str(target).rsplit(".", 1)[0]
            raise ConfigError(path, target, "is not code aa builds: only classes from "
                              f"{', '.join(KNOWN)} are instantiated. To build a class of your own module, "
                              f"name the module explicitly, e.g. allow_targets=[{module}]")
