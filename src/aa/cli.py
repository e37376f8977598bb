"""aa-train: check the command line cheaply, then hand it to Hydra; torch loads only to train."""
from __future__ import annotations

import re
import sys

from aa.config.paths import config_dir, config_groups, group_options

_FUNCS = re.compile(r"^\w+\(")


def check_group_choices(argv: list[str]) -> str | None:
    """Reject ``group=option`` overrides naming a missing option before Hydra or torch start."""
    groups = set(config_groups())
    for arg in argv:
        if arg.startswith("-") or "=" not in arg:
            continue
        key, value = arg.split("=", 1)
        key = key.lstrip("+~")
        if key not in groups or _FUNCS.match(value):
            continue
        valid = group_options(key)
        for v in value.strip("[]").split(","):
            v = v.strip()
            if v and v != "null" and v not in valid:
                return (f"Invalid config: {key}={v!r}: there is no {key} option named {v!r} "
                        f"(configs/{key}/{v}.yaml does not exist). Valid choices: {', '.join(valid)}.")
    return None


def _defaults() -> dict[str, str]:
    from omegaconf import OmegaConf

    out = {}
    for item in OmegaConf.load(config_dir() / "train.yaml").get("defaults", []):
        if hasattr(item, "items"):
            for k, v in item.items():
                if "/" not in k and v is not None and not k.startswith("override"):
                    out[k] = str(v)
    return out


def _option_keys(group: str, option: str) -> set[str]:
    """Top-level keys of one group option, with the options it extends through its defaults list."""
    from omegaconf import OmegaConf

    node = OmegaConf.load(config_dir() / group / f"{option}.yaml")
    keys = {k for k in node.keys() if k != "defaults"}
    for parent in node.get("defaults", []):
        if isinstance(parent, str) and parent != "_self_":
            keys |= _option_keys(group, parent)
    return keys


def check_keys(argv: list[str]) -> str | None:
    """Reject ``group.key=value`` for a key the chosen option does not have, listing the keys it has.

    Skipped when an experiment or debug preset is chosen, since those may change the options."""
    pairs = [a.split("=", 1) for a in argv if "=" in a and not a.startswith("-")]
    if any(k.lstrip("+~") in ("experiment", "debug") for k, _ in pairs):
        return None
    groups, chosen = set(config_groups()), _defaults()
    chosen.update({k: v for k, v in pairs if k in groups})
    for key, value in pairs:
        if key.startswith(("+", "~")) or "." not in key:
            continue
        group, sub = key.split(".", 1)[0], key.split(".", 1)[1].split(".")[0]
        if group not in groups or group not in chosen or _FUNCS.match(chosen[group]):
            continue
        for option in chosen[group].strip("[]").split(","):
            option = option.strip()
            if option in group_options(group) and sub not in (keys := _option_keys(group, option)):
                return (f"Invalid config: {key}={value!r}: {group}={option} has no key {sub!r}. "
                        f"Valid choices: {', '.join(sorted(keys - {'_target_', '_partial_'}))} "
                        f"(add a new key with +{key}=...).")
    return None


def task(cfg):  # type: ignore[no-untyped-def]
    from aa.run.train import hydra_task

    return hydra_task(cfg)


def main() -> None:
    problem = check_group_choices(sys.argv[1:]) or check_keys(sys.argv[1:])
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(2)
    import hydra

    from aa.config import resolvers

    resolvers.register()
    hydra.main(config_path=str(config_dir()), config_name="train", version_base="1.3")(task)()


if __name__ == "__main__":
    main()
