"""Keys that options add to another group's node through their defaults lists.

The classification objective adds ``callbacks.confusion_matrix`` with
``/callbacks/figures@_global_.callbacks.confusion_matrix: confusion_matrix``, and the seq2seq model adds the
keys of ``callbacks/seq2seq/decoded_examples.yaml`` with ``/callbacks/seq2seq@_global_.callbacks: ...``.
aa-train's cheap key check reads them here, so ``callbacks.confusion_matrix=null`` is a known key.
"""
from __future__ import annotations

from pathlib import Path

from aa.config.paths import config_dir


def added_keys(group: str, chosen: dict[str, str]) -> set[str]:
    """Top-level keys of ``group`` that the chosen options (group -> option) add through their defaults."""
    keys: set[str] = set()
    for option_group, options in chosen.items():
        for option in options.strip("[]").split(","):
            keys |= _keys_from(config_dir() / option_group / f"{option.strip()}.yaml", group)
    return keys


def _keys_from(path: Path, group: str) -> set[str]:
    from omegaconf import OmegaConf

    if not path.is_file():
        return set()
    keys: set[str] = set()
    for item in OmegaConf.load(path).get("defaults") or []:
        if isinstance(item, str):  # a parent option of the same group (table_regression extends table)
            keys |= _keys_from(path.parent / f"{item}.yaml", group) if item != "_self_" else set()
            continue
        for key, value in item.items():
            if key.startswith("override") or value is None:
                continue
            source, _, package = key.partition("@")
            if package.startswith(f"_global_.{group}."):
                keys.add(package.split(".")[2])
            elif package == f"_global_.{group}":
                node = OmegaConf.load(config_dir() / source.lstrip("/") / f"{value}.yaml")
                keys |= {k for k in node.keys() if k != "defaults"}
    return keys
