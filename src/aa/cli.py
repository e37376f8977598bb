"""aa-train: check the command line cheaply, then hand it to Hydra; torch loads only to train."""
from __future__ import annotations

import re
import sys

from aa.config.added_keys import added_keys
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


def _group_defaults(group: str, option: str) -> list[tuple[str, str, bool]]:
    """(group, choice, override?) for each group entry of an option's defaults list:
    ``override /loss@_global_.loss: mse`` chooses for a run's group, ``/decode@_global_.decode: greedy`` adds one."""
    from omegaconf import OmegaConf

    out = []
    for item in OmegaConf.load(config_dir() / group / f"{option}.yaml").get("defaults", []) or []:
        for k, v in (item.items() if hasattr(item, "items") else []):
            key = k.removeprefix("override ")
            if key.startswith("/"):
                out.append((key[1:].split("@", 1)[0], str(v), key != k))
    return out


def _implied(group: str, option: str) -> dict[str, str]:
    """Choices an option makes for other groups (``override /loss@_global_.loss: mse``)."""
    return {g: v for g, v, override in _group_defaults(group, option) if override}


def check_keys(argv: list[str]) -> str | None:
    """Reject ``group.key=value`` for a key the chosen option does not have, listing the keys it has.

    Skipped when an experiment or debug preset is chosen, since those may change the options."""
    pairs = [a.split("=", 1) for a in argv if "=" in a and not a.startswith("-")]
    if any(k.lstrip("+~") in ("experiment", "debug") for k, _ in pairs):
        return None
    groups, chosen = set(config_groups()), _defaults()
    given = {k: v for k, v in pairs if k in groups}
    chosen.update(given)
    before = None
    while before != chosen:  # an option may choose another that chooses a third (resnet18 -> recipe -> scheduler)
        before = dict(chosen)
        for group, option in before.items():
            if option in group_options(group):
                chosen.update({g: o for g, o in _implied(group, option).items() if g not in given})
    for key, value in pairs:
        if key.startswith(("+", "~")) or "." not in key:
            continue
        group, sub = key.split(".", 1)[0], key.split(".", 1)[1].split(".")[0]
        if group not in groups or group not in chosen or _FUNCS.match(chosen[group]):
            continue
        for option in chosen[group].strip("[]").split(","):
            option = option.strip()
            if option in group_options(group) and sub not in (keys := _option_keys(group, option)
                                                              | added_keys(group, chosen)):
                return (f"Invalid config: {key}={value!r}: {group}={option} has no key {sub!r}. "
                        f"Valid choices: {', '.join(sorted(keys - {'_target_', '_partial_'})) or '(none)'} "
                        f"(add a new key with +{key}=...).")
    return None


_NOT_OVERRIDDEN = re.compile(r"Could not override '([\w.]+)'")


def unused_group(argv: list[str], hydra_error: str) -> str | None:
    """Hydra cannot set ``group=option`` or ``group.key=value`` for a group that only some options add
    to a run (``decode=beam`` with an MLP): name the options that add it."""
    found = _NOT_OVERRIDDEN.search(hydra_error)
    group = found.group(1).split(".", 1)[0] if found else ""
    if group not in config_groups() or group in _defaults():
        return None
    arg = next((a for a in argv if a.lstrip("+~").split("=", 1)[0] == found.group(1)), f"{found.group(1)}=")
    users = [f"{g}={o}" for g in config_groups() for o in group_options(g) if group in _added_groups(g, o)]
    return (f"Invalid config: {found.group(1)}={arg.split('=', 1)[1]!r}: no option chosen for this run uses "
            f"the {group} group, so it has nothing to set. Valid choices: choose an option that adds it: "
            f"{', '.join(users) or '(none)'}.")


def _added_groups(group: str, option: str) -> set[str]:
    """Groups an option's defaults list adds (``/decode@_global_.decode: greedy`` adds decode)."""
    return {g.split("/", 1)[0] for g, _, override in _group_defaults(group, option) if not override}


def check_composed(argv: list[str]) -> str | None:
    """For a single run, compose and validate once here: Hydra itself composes twice before its
    callbacks can refuse a value, which would double the wait for an error. Sweeps are validated
    as a whole by aa.sweep.precheck before their first job."""
    if any(a.startswith("-") for a in argv):
        return None
    from hydra import compose, initialize_config_dir

    from aa.base.errors import ConfigError
    from aa.config.validate import validate

    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            cfg = compose(config_name="train", overrides=argv)
    except Exception as e:  # else Hydra's own message for what it cannot compose comes next
        return unused_group(argv, str(e))
    try:
        validate(cfg)
    except ConfigError as e:
        return str(e)
    return None


def task(cfg):  # type: ignore[no-untyped-def]
    from aa.run.train import hydra_task

    return hydra_task(cfg)


HELP_EXAMPLES = """Examples:
  aa-train                                        MLP on the bundled digits, then test
  aa-train model=mlp model.hidden=[128,64] optim=adam optim.lr=0.003
  aa-train model=resnet18 optim=adam
  aa-train -m optim=sgd,adam optim.lr=0.01,0.1    sweep: one job per combination
  aa-train -m experiment=activations_spiral       a lecture experiment
  aa-train --cfg job                              print the composed config
  aa-train --hydra-help                           Hydra's own options
Dashboard: tensorboard --logdir outputs"""


def print_help() -> None:
    """Groups and options read straight from configs/, so --help needs neither Hydra nor torch."""
    from omegaconf import OmegaConf

    defaults = _defaults()
    lines = ["aa-train: train and test a network from composed configs; -m sweeps.", "",
             "Config groups (choose with group=option; * marks the default):"]
    for group in config_groups():
        opts = [f"{o}*" if o == defaults.get(group) else o for o in group_options(group)]
        lines.append(f"  {group}: {', '.join(opts)}")
    top = OmegaConf.load(config_dir() / "train.yaml")
    keys = [f"{k}={OmegaConf.to_yaml(top[k]).strip() if OmegaConf.is_config(top[k]) else top[k]}"
            for k in top if k not in ("defaults", "hydra") and not OmegaConf.is_config(top[k])]
    lines += ["", "Top-level settings: " + "  ".join(keys),
              "Any key of a chosen option can be set: optim.lr=0.01, model.hidden=[64,64], dataset.name=xor.",
              "", HELP_EXAMPLES]
    print("\n".join(lines))


def main() -> None:
    argv = sys.argv[1:]
    if any(a in ("--help", "-h") for a in argv):
        print_help()
        return
    from aa.config.argv import check_unknown_keys, resume_argv

    argv, problem = resume_argv(argv)
    problem = problem or check_unknown_keys(argv) or check_group_choices(argv) or check_keys(argv)
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(2)
    from aa.config import resolvers

    resolvers.register()
    if any(a in ("-m", "--multirun") for a in argv):
        from aa.sweep.precheck import check_sweep

        problem = check_sweep(argv)
    else:
        problem = check_composed(argv)
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(2)
    import hydra

    sys.argv = [sys.argv[0], *argv]
    hydra.main(config_path=str(config_dir()), config_name="train", version_base="1.3")(task)()


if __name__ == "__main__":
    main()
