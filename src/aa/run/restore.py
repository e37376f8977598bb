"""Rebuild a finished run from its directory: the composed config beside the checkpoint, the data module
and model it describes, and the checkpoint's weights (loaded with weights_only=True)."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from aa.base.errors import ConfigError


def parse_args(argv: list[str], own: dict[str, str | None], tool: str) -> tuple[dict[str, str], list[str]]:
    """``key=value`` arguments: the tool's own keys (``own``: name -> default, None when required), and
    config overrides for the run's config (checked like aa-train's)."""
    from aa.cli import check_group_choices, check_keys
    from aa.config.argv import check_unknown_keys

    values: dict[str, str] = {}
    overrides = []
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq:
            fail(f"Invalid argument: {arg!r}: {tool} takes key=value arguments. Valid choices: "
                 f"{', '.join(f'{k}=...' for k in own)}, or config overrides such as dataset=digits.")
        if key in own:
            values[key] = value
        else:
            overrides.append(arg)
    for key, default in own.items():
        if key not in values:
            if default is None:
                fail(f"Invalid argument: {key} is required, e.g. {tool} {key}=outputs/runs/<time>.")
            values[key] = default
    problem = check_unknown_keys(overrides) or check_group_choices(overrides) or check_keys(overrides)
    if problem:
        fail(problem)
    return values, overrides


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    raise SystemExit(2)


def locate(ckpt: str) -> tuple[Path, Path]:
    """(checkpoint file, run directory) for a run directory or a .ckpt, inside one or moved out of it."""
    p = Path(ckpt).expanduser()
    if p.is_dir():
        run = p
        found = [run / "checkpoints" / n for n in ("best.ckpt", "last.ckpt") if (run / "checkpoints" / n).is_file()]
        if not found:
            raise ConfigError("ckpt", ckpt, "is a folder without checkpoints/best.ckpt or checkpoints/last.ckpt; "
                              "give a run directory aa-train wrote, or a .ckpt file in one")
        return found[0], run
    if p.is_file():
        return p, p.parent.parent if p.parent.name == "checkpoints" else p.parent
    raise ConfigError("ckpt", ckpt, "does not exist; give a run directory (outputs/runs/<time>) or a .ckpt file")


def run_overrides(run: Path, checkpoint: dict[str, Any], ckpt: str) -> list[str]:
    """The run's command line: from its .hydra/ beside the checkpoint, else the one inside the checkpoint."""
    stored = run / ".hydra" / "overrides.yaml"
    if stored.is_file():
        from omegaconf import OmegaConf

        return [str(o) for o in OmegaConf.load(stored)]
    inside = checkpoint.get("aa_overrides")
    if isinstance(inside, list):
        return [str(o) for o in inside]
    raise ConfigError("ckpt", ckpt, f"has no run config beside it ({run / '.hydra'} is missing) nor inside it; "
                      "give a checkpoint in the run directory aa-train wrote, or one it wrote since configs "
                      "travel inside checkpoints")


def load_checkpoint(file: Path) -> dict[str, Any]:
    """The checkpoint as a dict of plain values (weights_only=True); anything else is refused in one paragraph."""
    import torch

    try:
        checkpoint = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - unpickling foreign bytes fails in many ways, each meaning the same
        first = str(e).splitlines()[0][:160] if str(e) else ""
        detail = type(e).__name__ + (f": {first}" if first and not first.startswith("Weights only") else "")
        raise ConfigError("ckpt", str(file), f"is not a checkpoint aa-train wrote, or it is damaged ({detail})") from None
    if not isinstance(checkpoint, dict) or not isinstance(checkpoint.get("state_dict"), dict):
        raise ConfigError("ckpt", str(file), "is not a checkpoint aa-train wrote (no state_dict in it)")
    return checkpoint


def compose_run(stored: list[str], overrides: list[str]) -> Any:
    """The run's own command-line overrides, then the new ones, composed and validated as aa-train does."""
    from hydra import compose, initialize_config_dir

    from aa.config import resolvers
    from aa.config.paths import config_dir
    from aa.config.validate import validate

    resolvers.register()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = compose(config_name="train", overrides=[*stored, *overrides])
    validate(cfg)
    return cfg


def build_from_checkpoint(cfg: Any, state: dict[str, Any], overrides: list[str]) -> tuple[Any, Any]:
    """Data module and task module of the run, the task carrying the checkpoint's weights ``state``;
    overrides that build a model the weights do not fit are refused in one paragraph."""
    import pytorch_lightning as pl

    from aa.run import build

    pl.seed_everything(cfg.seed, verbose=False)
    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    ours = task.state_dict()
    missing, unexpected = sorted(set(ours) - set(state)), sorted(set(state) - set(ours))
    reshaped = sorted(k for k in set(ours) & set(state) if getattr(ours[k], "shape", None) != getattr(state[k], "shape", None))
    if missing or unexpected or reshaped:
        detail = "; ".join(f"{what}: {', '.join(keys[:3])}{' ...' if len(keys) > 3 else ''}" for what, keys in
                           (("missing", missing), ("unexpected", unexpected), ("other shape", reshaped)) if keys)
        raise ConfigError("overrides", " ".join(overrides), "build a model the checkpoint's weights do not fit "
                          f"({detail}); overrides of model.*, the inputs' shape or preprocessing "
                          "(e.g. dataset.standardize) cannot apply to saved weights", "overrides that keep the model as "
                          "it was trained: other data of the same shape, split=, decoding options")
    task.load_state_dict(state)
    return dm, task


def restore_run(ckpt: str, overrides: list[str]) -> tuple[Path, Path, Any, Any, Any]:
    """(checkpoint file, run directory, config, data module, task module) of the run behind ``ckpt``, rebuilt from its own config plus
    ``overrides`` with the checkpoint's weights; bad input ends the command with one paragraph (exit 2)."""
    try:
        file, run = locate(ckpt)
        checkpoint = load_checkpoint(file)
        cfg = compose_run(run_overrides(run, checkpoint, ckpt), overrides)
    except ConfigError as e:
        fail(str(e))
    quiet()
    try:
        dm, task = build_from_checkpoint(cfg, checkpoint["state_dict"], overrides)
    except ConfigError as e:
        fail(str(e))
    return file, run, cfg, dm, task


def quiet() -> None:
    """Lightning's info lines and warnings off the console, as in aa-train."""
    import logging
    import warnings

    import pytorch_lightning  # noqa: F401  (it sets its loggers' levels on import; quiet them afterwards)

    warnings.filterwarnings("ignore")
    for name in ("pytorch_lightning", "lightning", "lightning.pytorch", "lightning_fabric"):
        logging.getLogger(name).setLevel(logging.ERROR)


def relative(path: str | os.PathLike) -> str:
    from aa.config.files import shown

    return shown(str(path))
