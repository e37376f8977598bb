"""``aa-train --help GROUP``: a group's options and the values a run uses for the chosen one.

The values are composed the way Hydra composes a run's group node: the chosen option (after the
same-group options its defaults list extends), with the ``@package _global_`` presets the run chooses
merged in defaults-list order (a model's recipe sets trainer.max_epochs, debug=fast the batch limit).
OmegaConf alone reads them, so --help stays fast: no Hydra, no torch. What is shown is what the run
instantiates, not a schema's or a signature's default; each key's schema doc follows its value.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from omegaconf import DictConfig, OmegaConf

from aa.config.paths import config_dir, config_groups, group_options


def _load(group: str, option: str) -> DictConfig:
    return OmegaConf.load(config_dir() / group / f"{option}.yaml")


def _entries(group: str, option: str) -> list[tuple[str | None, str]]:
    """(other group, option) of an option's defaults list; the group is None for a same-group
    option it extends and for ``_self_``."""
    out: list[tuple[str | None, str]] = []
    for item in _load(group, option).get("defaults", []) or []:
        if isinstance(item, str):
            out.append((None, item))
            continue
        for key, value in item.items():
            key = key.removeprefix("override ").strip()
            if key.startswith("/") and value is not None:
                out.append((key[1:].split("@", 1)[0], str(value)))
    return out


def _choices(group: str, option: str) -> list[tuple[str, str]]:
    """(group, option) choices an option makes, those of the same-group options it extends included."""
    out = []
    for other, name in _entries(group, option):
        if other is None and name != "_self_":
            out += _choices(group, name)
        elif other is not None:
            out.append((other, name))
    return out


def _is_global(group: str, option: str) -> bool:
    text = (config_dir() / group / f"{option}.yaml").read_text(encoding="utf-8")
    return text.lstrip().startswith("# @package _global_")


def option_node(group: str, option: str) -> DictConfig:
    """An option's own values: the same-group options it extends, merged around ``_self_``."""
    own = _load(group, option)
    own = OmegaConf.masked_copy(own, [k for k in own if k != "defaults"])
    parts: list[DictConfig] = []
    for other, name in _entries(group, option):
        if other is None:
            parts.append(own if name == "_self_" else option_node(group, name))
    if not any(p is own for p in parts):
        parts.append(own)
    return OmegaConf.merge(*parts)


def run_defaults() -> dict[str, str | None]:
    """group -> option of train.yaml's defaults list, in its order."""
    out: dict[str, str | None] = {}
    for item in OmegaConf.load(config_dir() / "train.yaml").get("defaults", []):
        if hasattr(item, "items"):
            out.update({str(k): None if v is None else str(v) for k, v in item.items() if "/" not in str(k)})
    return out


def chosen_options(argv: list[str]) -> dict[str, str]:
    """The option of each group for a run with these ``group=option`` arguments: the command line's
    choices win over those the chosen options make (model=gan chooses objective=gan and adds optim_d),
    which win over train.yaml's. Repeated until stable: resnet18 chooses a recipe that chooses a schedule."""
    groups = set(config_groups())
    given = {}
    for arg in argv:
        key, _, value = arg.lstrip("+").partition("=")
        if key in groups and value in group_options(key):
            given[key] = value
    base = {g: o for g, o in run_defaults().items() if o is not None}
    current = {**base, **given}
    for _ in range(len(groups)):  # each round follows one more link of a chain of choices
        implied = {o: n for g, opt in current.items() if opt in group_options(g) for o, n in _choices(g, opt)}
        after = {**base, **implied, **given}
        if after == current:
            break
        current = after
    return current


def _order(chosen: dict[str, str]) -> list[str]:
    """Groups in the order Hydra merges them: train.yaml's, each added group after the one adding it."""
    out: list[str] = []
    for group in run_defaults():
        out.append(group)
        if group in chosen and chosen[group] in group_options(group):
            out += [g for g, _ in _choices(group, chosen[group]) if g not in run_defaults() and g not in out]
    return out + [g for g in chosen if g not in out]


def group_node(group: str, chosen: dict[str, str]) -> Any:
    """The run's node for ``group`` as plain containers (interpolations left as written)."""
    node: Any = OmegaConf.create()
    for other in _order(chosen):
        name = chosen.get(other)
        if not name or name not in group_options(other):
            continue
        if other == group and not _is_global(other, name):
            node = OmegaConf.merge(node, option_node(other, name))
        elif other != group and _is_global(other, name):
            preset = option_node(other, name)
            if group in preset:
                node = OmegaConf.merge(node, preset[group])
    return OmegaConf.to_container(node, resolve=False)


def _docs(target: Any) -> dict[str, str]:
    """Each key's doc from the schema registered for the target (pure Python, no torch)."""
    from aa.config import schemas  # noqa: F401  (registers every schema)
    from aa.config.schema import SCHEMAS

    cls = SCHEMAS.get(str(target))
    return {f.name: f.metadata.get("doc", "") for f in dataclasses.fields(cls)} if cls else {}


def show(value: Any) -> str:
    """A value as it is written on the command line: [64, 32], true, null, {channels: 16}."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return str(value)


def group_help(group: str, argv: list[str]) -> str:
    """The text of ``aa-train --help GROUP [group=option ...]``."""
    chosen = chosen_options(argv)
    option, default = chosen.get(group), run_defaults().get(group)
    opts = [f"{o}*" if o == default else o for o in group_options(group)]
    marks = " (* marks the default)" if default else ""
    lines = [f"{group}: choose with {group}=OPTION{marks}: {', '.join(opts) or '(none)'}", ""]
    unknown = [a.split("=", 1)[1] for a in argv if a.startswith(f"{group}=") and a.split("=", 1)[1] not in group_options(group)]
    if unknown:
        return "\n".join(lines + [f"There is no {group} option named {unknown[0]!r}."])
    if option is None:
        return "\n".join(lines + [f"No {group} option is chosen for this run; an option that uses the group "
                                  f"chooses one (aa-train --help {group}=OPTION shows one's values)."])
    if _is_global(group, option):
        return "\n".join(lines + preset_help(group, option))
    node = group_node(group, chosen)
    lines.append(f"{group}={option}: the values a run uses (set one with {group}.KEY=VALUE):")
    docs = _docs(node.get("_target_")) if isinstance(node, dict) else {}
    for key, value in (node.items() if isinstance(node, dict) else []):
        text = f"  {key}: {show(value)}"
        lines.append(f"{text:<36} {docs[key]}" if docs.get(key) else text)
    if not node:
        lines.append("  (no keys)")
    lines += ["", f"Another option's values: aa-train --help {group}=OPTION. Other choices can change them "
                  "(a model's recipe sets the trainer's epochs): add them, e.g. aa-train --help trainer model=resnet18."]
    return "\n".join(lines)


def _flat(node: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, value) of the leaves of a preset, as one would set them on the command line."""
    if not isinstance(node, dict) or not node or "_target_" in node:
        return [(prefix, node)]
    return [kv for key, value in node.items() for kv in _flat(value, f"{prefix}.{key}" if prefix else str(key))]


def preset_help(group: str, option: str) -> list[str]:
    """A ``@package _global_`` option (debug, recipe, experiment) has no node of its own: the choices
    it makes and the values it sets elsewhere in the run."""
    picks = ", ".join(f"{g}={o}" for g, o in _choices(group, option))
    values = _flat(OmegaConf.to_container(option_node(group, option), resolve=False))
    return ([f"{group}={option} chooses: {picks}"] if picks else []) + \
        [f"{group}={option} sets:"] + [f"  {key}: {show(value)}" for key, value in values if key]


def help_topic(argv: list[str]) -> str | None:
    """The group asked about: ``--help model`` or ``--help model=vae`` (a bare name wins)."""
    groups = set(config_groups())
    bare = [a for a in argv if a in groups]
    chosen = [a.split("=", 1)[0] for a in argv if a.split("=", 1)[0] in groups and "=" in a]
    return (bare or chosen or [None])[0]
