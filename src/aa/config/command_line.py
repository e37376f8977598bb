"""The command line of every aa tool: ``key=value`` overrides read by Hydra's own grammar, checked against
configs/ and composed once, every mistake said in one paragraph (a ConfigError) before torch loads."""
from __future__ import annotations

import difflib
from contextlib import contextmanager
import os
import re
from pathlib import Path
from typing import Any, Iterator

from aa.base.errors import ConfigError
from aa.config.paths import config_dir, config_groups, group_options


def parse(argv: list[str]) -> list[Any]:
    """Hydra's ``Override`` objects for ``argv``; a line its grammar cannot read is refused."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    parser = OverridesParser.create()
    parsed = []
    for arg in argv:  # one at a time, so the refusal names the argument Hydra could not read
        try:
            parsed += parser.parse_overrides([arg])
        except OverrideParseException as e:
            key, _, value = arg.partition("=")
            problem = str(e).splitlines()[0]
            raise ConfigError(key, value, f"cannot be read ({problem}); quote values with spaces or brackets, "
                              "e.g. 'model.hidden=[64,64]'", "see aa-train --help") from None
    return parsed


def top_level_keys() -> list[str]:
    """Keys of configs/train.yaml that are settings rather than groups (seed, resume, ...)."""
    from omegaconf import OmegaConf

    top = OmegaConf.load(config_dir() / "train.yaml")
    return [k for k in top if k not in ("defaults", "hydra")]


def check_names(overrides: list[Any]) -> None:
    """Keys that name neither a group nor a setting (``modle=cnn``), and ``group=option`` choices without
    a file; both read from configs/ alone, so the answer comes before Hydra composes anything."""
    groups, keys = config_groups(), top_level_keys()
    known = set(groups) | set(keys) | {"hydra"}
    for o in overrides:
        if o.is_add():
            continue
        key = o.key_or_group
        head = key.split(".", 1)[0].split("@", 1)[0]
        if head not in known:
            near = difflib.get_close_matches(head, sorted(known - {"hydra"}), n=3, cutoff=0.5)
            hint = f" (did you mean {' or '.join(near)}?)" if near else ""
            raise ConfigError(key, _shown(o), f"there is no config group or setting named {head!r}{hint}",
                              f"groups {', '.join(groups)}; settings {', '.join(keys)} (add a new key with +{key}=...)")
        if key in groups and not o.is_delete():
            valid = group_options(key)
            for choice in _choices(o):
                if choice not in valid:
                    raise ConfigError(key, choice, f"there is no {key} option named {choice!r} "
                                      f"(configs/{key}/{choice}.yaml does not exist)", ", ".join(valid))


def _choices(o: Any) -> list[str]:
    """The option names a group override chooses: one, a list (``[l2,dropout]``), or a sweep's values."""
    if o.is_sweep_override():
        values = list(o.sweep_string_iterator()) if not o.is_interval_sweep() else []
    else:
        value = o.value()
        values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        out += [str(x) for x in v] if isinstance(v, list) else [str(v).strip("[]")]
    return [v for v in out if v and v not in ("null", "None")]


def _shown(o: Any) -> str:
    return o.input_line.partition("=")[2]


def compose(argv: list[str], hydra: bool = False) -> Any:
    """The composed config (Hydra's compose API); what Hydra cannot compose is said in one paragraph."""
    from hydra import compose as hydra_compose, initialize_config_dir
    from hydra.errors import ConfigCompositionException

    from aa.config import resolvers

    resolvers.register()
    with _beside_running_app(), initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        try:
            return hydra_compose(config_name="train", overrides=argv, return_hydra_config=hydra)
        except ConfigCompositionException as e:
            problem = _composition_problem(argv, e)
            if problem is None:
                raise
            raise problem from None


@contextmanager
def _beside_running_app() -> Iterator[None]:
    """Inside a running aa-train (a teacher, a judge or a sweep's figure restoring another run) Hydra's global
    state belongs to that run: set it aside for this composition and put it back as it was."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.singleton import Singleton

    app = GlobalHydra.instance()
    if not app.is_initialized():
        yield
        return
    hydra, runtime = app.hydra, HydraConfig.instance().cfg
    app.clear()
    try:
        yield
    finally:
        Singleton._instances[GlobalHydra] = app
        app.hydra = hydra
        HydraConfig.instance().cfg = runtime


MOVED = {"model.beta": "objective.beta", "model.warmup": "objective.warmup", "model.d_steps": "objective.d_steps",
         "model.label_smoothing": "objective.label_smoothing"}
"""Keys that moved from a model to its objective (training settings); older runs' command lines still restore."""


def renamed(argv: list[str]) -> list[str]:
    """A stored command line with moved keys under their new names."""
    out = []
    for arg in argv:
        key, eq, value = arg.partition("=")
        out.append(f"{MOVED[key]}={value}" if eq and key in MOVED else arg)
    return out


def _composition_problem(argv: list[str], e: Exception) -> ConfigError | None:
    """Hydra could not set a key: name the option that lacks it and the keys it has, or the options that
    add a group no chosen option uses (``decode=beam`` with an MLP)."""
    from hydra import compose as hydra_compose
    from omegaconf import OmegaConf

    found = re.match(r"Could not override '([^']+)'", str(e))
    bad = next((o for o in parse(argv) if found and o.key_or_group == found.group(1)), None)
    if bad is None:
        return None
    full = getattr(e.__cause__, "full_key", None) or bad.key_or_group  # a group no defaults list holds: no cause
    rest = [a for a in argv if a != bad.input_line]
    cfg = hydra_compose(config_name="train", overrides=rest, return_hydra_config=True)
    group = bad.key_or_group.split(".", 1)[0]
    if cfg.get(group) is None and group in config_groups():
        users = [f"{g}={o}" for g in config_groups() for o in group_options(g) if group in _added_groups(g, o)]
        return ConfigError(bad.key_or_group, _shown(bad), f"no option chosen for this run uses the {group} group, "
                           "so it has nothing to set", f"choose an option that adds it: {', '.join(users) or '(none)'}")
    if bad.key_or_group in MOVED:
        new = MOVED[bad.key_or_group]
        return ConfigError(bad.key_or_group, _shown(bad), "is a training setting of the objective now, not of the model",
                           f"{new}={_shown(bad)}")
    parent_path, _, name = full.rpartition(".")
    parent = OmegaConf.select(cfg, parent_path) if parent_path else cfg
    keys = sorted(k for k in (parent.keys() if hasattr(parent, "keys") else []) if not k.startswith("_"))
    chosen = cfg.hydra.runtime.choices.get(group) if group in config_groups() else None
    owner = f"{group}={chosen}" if chosen else parent_path or "the top-level config"
    return ConfigError(bad.key_or_group, _shown(bad), f"{owner} has no key {name!r}",
                       f"{', '.join(keys) or '(none)'} (add a new key with +{bad.key_or_group}=...)")


def _added_groups(group: str, option: str) -> set[str]:
    """Groups an option's defaults list adds (``/decode@_global_.decode: greedy`` adds decode)."""
    from omegaconf import OmegaConf

    out = set()
    for item in OmegaConf.load(config_dir() / group / f"{option}.yaml").get("defaults", []) or []:
        for k in (item.keys() if hasattr(item, "keys") else []):
            if k.startswith("/"):
                out.add(k[1:].split("@", 1)[0].split("/", 1)[0])
    return out


def checked(argv: list[str]) -> Any:
    """Parse, check names, compose and validate a single run's command line: the one place it is validated."""
    from aa.config.validate import validate

    from omegaconf import OmegaConf

    from aa.config.download_check import check_downloadable

    check_names(parse(argv))
    cfg = compose(argv)
    validate(cfg)
    if cfg.get("dataset") is not None:  # files on this machine: checked for a run, not for a config alone
        check_downloadable("dataset", OmegaConf.to_container(cfg.dataset))
    return cfg


def newest_run(root: str = "outputs/runs") -> str | None:
    runs = [p for p in Path(root).glob("*") if (p / ".hydra" / "config.yaml").is_file()]
    return str(max(runs, key=lambda p: p.stat().st_mtime)) if runs else None


def resume_argv(argv: list[str]) -> tuple[list[str], str | None]:
    """``resume=RUN_DIR`` (or ``resume=last``): the run's own overrides, its directory and resume=true,
    then anything else the user typed. Returns (argv, problem)."""
    given = [a for a in argv if a.startswith("resume=")]
    value = given[-1].split("=", 1)[1] if given else ""
    if value.lower() in ("", "true", "false"):
        return argv, None
    run_dir = newest_run() if value == "last" else value
    if run_dir is None:
        return argv, ("Invalid config: resume='last': there is no run under outputs/runs to continue. "
                      "Valid choices: resume=RUN_DIR (a directory holding .hydra/config.yaml), or resume=true "
                      "inside a sweep's directory.")
    stored = Path(run_dir) / ".hydra" / "overrides.yaml"
    if not stored.is_file():
        return argv, (f"Invalid config: resume={value!r}: {display_path(run_dir)} is not a run directory "
                      "(it has no .hydra/overrides.yaml). Valid choices: a directory aa-train wrote, e.g. "
                      "outputs/runs/<time>, or resume=last.")
    from omegaconf import OmegaConf

    previous = [str(o) for o in OmegaConf.load(stored) if not str(o).startswith("resume=")]
    rest = [a for a in argv if not a.startswith("resume=")]
    if (Path(run_dir) / "metrics.json").is_file():
        changed = [a for a in rest if not a.lstrip("+~").startswith(FINISHED_RUN_KEYS)]
        if changed:
            return argv, (f"Invalid config: {changed[0]!r} with resume={value!r}: {display_path(run_dir)} "
                          "finished, and an override cannot change what it measured. Valid choices: "
                          "trainer.max_epochs=N (more than it ran) to train it further from last.ckpt, or a "
                          "new run with these overrides.")
    return [*previous, *rest, f"hydra.run.dir={quoted(os.path.realpath(run_dir))}", "resume=true"], None


def quoted(value: str) -> str:
    """``value`` as one quoted string of Hydra's override grammar, whatever it holds (=, commas, brackets,
    quotes, spaces): quotes escaped, and the backslashes that would escape them or the closing quote doubled."""
    return "'" + re.sub(r"(\\*)('|$)", lambda m: m.group(1) * 2 + ("\\'" if m.group(2) else ""), value) + "'"


FINISHED_RUN_KEYS = ("trainer.max_epochs=", "trainer.enable_progress_bar=", "threads_per_job=", "hydra.")
"""What ``resume=`` of a finished run may still set: more epochs, and what does not change the numbers."""


def display_path(path: str) -> str:
    """Relative to where the user stands when inside it, else absolute (never ../../..)."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full)
    return full if rel.startswith("..") else rel
