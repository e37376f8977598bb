"""load_run: a finished run back from a checkpoint or its run folder, the one way every tool restores one
(aa-eval, aa-predict, aa-sample, aa-detect, a distillation teacher, a generative reference classifier).
The run's own command line (beside the checkpoint in ``.hydra/``, else inside it) composes its config,
which builds its data module and task module; the weights are loaded with ``weights_only=True``."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aa.base.errors import ConfigError


@dataclass
class LoadedRun:
    """What a run folder holds, rebuilt: the checkpoint file, the folder, the config, data, task and model."""

    checkpoint: Path
    run_dir: Path
    cfg: Any
    data: Any
    task: Any

    @property
    def model(self) -> Any:
        return self.task.model


def locate(ckpt: str, key: str = "ckpt") -> tuple[Path, Path]:
    """(checkpoint file, run directory) for a run directory or a .ckpt, inside one or moved out of it."""
    p = Path(ckpt).expanduser()
    p = p.resolve() if p.exists() else p  # through symlinks: the run folder is where the checkpoint really lies
    if p.is_dir():
        found = [p / "checkpoints" / n for n in ("best.ckpt", "last.ckpt") if (p / "checkpoints" / n).is_file()]
        if not found:
            raise ConfigError(key, ckpt, "is a folder without checkpoints/best.ckpt or checkpoints/last.ckpt; "
                              "give a run directory aa-train wrote, or a .ckpt file in one")
        return found[0], p
    if p.is_file():
        return p, p.parent.parent if p.parent.name == "checkpoints" else p.parent
    raise ConfigError(key, ckpt, "does not exist; give a run directory (outputs/runs/<time>) or a .ckpt file")


def run_overrides(run: Path, checkpoint: dict[str, Any], ckpt: str, key: str = "ckpt") -> list[str]:
    """The run's command line: from its .hydra/ beside the checkpoint, else the one inside the checkpoint."""
    stored = run / ".hydra" / "overrides.yaml"
    if stored.is_file():
        from omegaconf import OmegaConf

        return [str(o) for o in OmegaConf.load(stored) if not str(o).startswith("resume=")]
    inside = checkpoint.get("aa_overrides")
    if isinstance(inside, list):
        return [str(o) for o in inside]
    raise ConfigError(key, ckpt, f"has no run config beside it ({run / '.hydra'} is missing) nor inside it; "
                      "give a checkpoint in the run directory aa-train wrote, or one it wrote since configs "
                      "travel inside checkpoints")


def load_checkpoint(file: Path, key: str = "ckpt") -> dict[str, Any]:
    """The checkpoint as a dict of plain values (weights_only=True); anything else is refused in one paragraph."""
    import torch

    try:
        checkpoint = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - unpickling foreign bytes fails in many ways, each meaning the same
        first = str(e).splitlines()[0][:160] if str(e) else ""
        detail = type(e).__name__ + (f": {first}" if first and not first.startswith("Weights only") else "")
        raise ConfigError(key, str(file), f"is not a checkpoint aa-train wrote, or it is damaged ({detail})") from None
    if not isinstance(checkpoint, dict) or not isinstance(checkpoint.get("state_dict"), dict):
        raise ConfigError(key, str(file), "is not a checkpoint aa-train wrote (no state_dict in it)")
    return checkpoint


def build_from_checkpoint(cfg: Any, state: dict[str, Any], overrides: list[str]) -> tuple[Any, Any]:
    """Data module and task module of the run, the task carrying the checkpoint's weights ``state``;
    overrides that build a model the weights do not fit are refused in one paragraph."""
    import pytorch_lightning as pl

    from aa.base.rng import restore_rng, rng_state
    from aa.run import build

    caller = rng_state()  # a teacher or judge restored inside a run leaves that run's random streams as they were
    pl.seed_everything(cfg.seed, verbose=False)
    try:
        dm = build.build_data(cfg)
        task = build.build_task(cfg, dm)
    finally:
        restore_rng(caller)
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


def read_run(ckpt: str, overrides: list[str] | None = None, key: str = "ckpt") -> tuple[Path, Path, dict, Any]:
    """The cheap half of load_run, no model built: (checkpoint file, run folder, checkpoint, validated config)."""
    from aa.config.command_line import check_names, compose, parse, renamed
    from aa.config.validate import validate

    check_names(parse(list(overrides or [])))
    file, run = locate(ckpt, key)
    checkpoint = load_checkpoint(file, key)
    cfg = compose([*renamed(run_overrides(run, checkpoint, ckpt, key)), *(overrides or [])])
    validate(cfg)
    return file, run, checkpoint, cfg


def load_run(ckpt: str, overrides: list[str] | None = None, key: str = "ckpt",
             read: tuple[Path, Path, dict, Any] | None = None) -> LoadedRun:
    """The run behind ``ckpt`` (a run folder or a .ckpt), rebuilt from its own command line plus ``overrides``
    with the checkpoint's weights, in evaluation mode (``read``: read_run's answer, when already at hand).
    Bad input raises one ConfigError naming ``key``."""
    file, run, checkpoint, cfg = read or read_run(ckpt, overrides, key)
    dm, task = build_from_checkpoint(cfg, checkpoint["state_dict"], list(overrides or []))
    task.eval()
    return LoadedRun(file, run, cfg, dm, task)
