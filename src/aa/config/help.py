"""``aa-train --help GROUP``: a group's options and the values a run uses for the chosen one.

The values are the run's own: Hydra composes the command line given beside ``--help`` exactly as it
composes the run (a model's recipe sets trainer.max_epochs, debug=fast the batch limit), without torch.
What is shown is what the run instantiates; each key's schema doc follows its value."""
from __future__ import annotations

import dataclasses
from typing import Any

from omegaconf import OmegaConf

from aa.base.errors import ConfigError
from aa.config.paths import config_dir, config_groups, group_options


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


def _is_global(group: str, option: str) -> bool:
    text = (config_dir() / group / f"{option}.yaml").read_text(encoding="utf-8")
    return text.lstrip().startswith("# @package _global_")


def group_help(group: str, argv: list[str]) -> str:
    """The text of ``aa-train --help GROUP [group=option ...]``."""
    from aa.config.command_line import compose

    overrides = [a for a in argv if "=" in a and not a.startswith("-")]
    default = train_defaults().get(group)
    opts = [f"{o}*" if o == default else o for o in group_options(group)]
    marks = " (* marks the default)" if default else ""
    lines = [f"{group}: choose with {group}=OPTION{marks}: {', '.join(opts) or '(none)'}", ""]
    unknown = [a.split("=", 1)[1] for a in overrides if a.startswith(f"{group}=")
               and a.split("=", 1)[1] not in group_options(group)]
    if unknown:
        return "\n".join(lines + [f"There is no {group} option named {unknown[0]!r}."])
    try:
        cfg = compose(overrides, hydra=True)
    except ConfigError as e:
        return "\n".join(lines + [str(e)])
    option = cfg.hydra.runtime.choices.get(group)
    if option is None or option == "None":
        return "\n".join(lines + [f"No {group} option is chosen for this run; an option that uses the group "
                                  f"chooses one (aa-train --help {group}=OPTION shows one's values)."])
    if _is_global(group, option):
        return "\n".join(lines + preset_help(group, option, cfg))
    node = OmegaConf.to_container(cfg[group], resolve=False) if cfg.get(group) is not None else {}
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


def train_defaults() -> dict[str, str]:
    """group -> option of train.yaml's defaults list."""
    out: dict[str, str] = {}
    for item in OmegaConf.load(config_dir() / "train.yaml").get("defaults", []):
        if hasattr(item, "items"):
            out.update({str(k): str(v) for k, v in item.items() if "/" not in str(k) and v is not None})
    return out


def _flat(node: Any, prefix: str = "") -> list[str]:
    """Dotted keys of the leaves of a preset, as one would set them on the command line."""
    if not isinstance(node, dict) or not node or "_target_" in node:
        return [prefix]
    return [k for key, value in node.items() for k in _flat(value, f"{prefix}.{key}" if prefix else str(key))]


def preset_help(group: str, option: str, cfg: Any) -> list[str]:
    """A ``@package _global_`` option (debug, recipe, experiment) has no node of its own: the choices it
    makes and, for each value it sets, the value the composed run has."""
    own = OmegaConf.load(config_dir() / group / f"{option}.yaml")
    picks = []
    for item in own.get("defaults", []) or []:
        for key, value in (item.items() if hasattr(item, "items") else []):
            other = str(key).removeprefix("override ").strip().lstrip("/").split("@", 1)[0]
            if other in config_groups() and value is not None:
                picks.append(f"{other}={cfg.hydra.runtime.choices.get(other, value)}")
    keys = _flat(OmegaConf.to_container(OmegaConf.masked_copy(own, [k for k in own if k != "defaults"]),
                                        resolve=False))
    values = [(k, OmegaConf.select(cfg, k)) for k in keys if k]
    return ([f"{group}={option} chooses: {', '.join(picks)}"] if picks else []) + [f"{group}={option} sets:"] + \
        [f"  {k}: {show(OmegaConf.to_container(v, resolve=False) if OmegaConf.is_config(v) else v)}" for k, v in values]


def help_topic(argv: list[str]) -> str | None:
    """The group asked about: ``--help model`` or ``--help model=vae`` (a bare name wins)."""
    groups = set(config_groups())
    bare = [a for a in argv if a in groups]
    chosen = [a.split("=", 1)[0] for a in argv if a.split("=", 1)[0] in groups and "=" in a]
    return (bare or chosen or [None])[0]
