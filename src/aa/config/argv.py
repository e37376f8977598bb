"""Cheap checks and rewrites of the command line, before Hydra or torch start."""
from __future__ import annotations

import difflib
import os
from pathlib import Path

from aa.config.paths import config_dir, config_groups


def top_level_keys() -> list[str]:
    """Keys of configs/train.yaml that are settings rather than groups (seed, resume, ...)."""
    from omegaconf import OmegaConf

    top = OmegaConf.load(config_dir() / "train.yaml")
    return [k for k in top if k not in ("defaults", "hydra")]


def check_unknown_keys(argv: list[str]) -> str | None:
    """A key that is neither a config group nor a top-level setting (``modle=cnn``), with the nearest names."""
    groups, keys = config_groups(), top_level_keys()
    known = set(groups) | set(keys) | {"hydra"}
    for arg in argv:
        if arg.startswith(("-", "+")) or "=" not in arg:
            continue
        key = arg.split("=", 1)[0].lstrip("~")
        head = key.split(".", 1)[0].split("@", 1)[0]
        if head in known:
            continue
        near = difflib.get_close_matches(head, sorted(known - {"hydra"}), n=3, cutoff=0.5)
        hint = f"Did you mean {' or '.join(near)}? " if near else ""
        return (f"Invalid config: {key}={arg.split('=', 1)[1]!r}: there is no config group or setting named "
                f"{head!r}. {hint}Valid choices: groups {', '.join(groups)}; settings {', '.join(keys)} "
                f"(add a new key with +{key}=...).")
    return None


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
    return [*previous, *rest, f"hydra.run.dir={os.path.abspath(run_dir)}", "resume=true"], None


FINISHED_RUN_KEYS = ("trainer.max_epochs=", "trainer.enable_progress_bar=", "threads_per_job=", "hydra.")
"""What ``resume=`` of a finished run may still set: more epochs, and what does not change the numbers."""


def display_path(path: str) -> str:
    """Relative to where the user stands when inside it, else absolute (never ../../..)."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full)
    return full if rel.startswith("..") else rel
