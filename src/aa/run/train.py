"""The task function behind aa-train: seed, fit, test the best checkpoint, write what the run measured."""
from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

from omegaconf import DictConfig, OmegaConf

log = logging.getLogger("aa")


def train(cfg: DictConfig, run_dir: str, choices: dict[str, str] | None = None,
          ckpt_path: str | None = None) -> dict[str, Any]:
    """Train and test one configuration (continuing from ``ckpt_path`` if given); returns the metrics
    written to ``run_dir/metrics.json``."""
    start = time.perf_counter()
    import pytorch_lightning as pl

    from aa.run import build
    from aa.run.hparams import flat_hparams, write_hparams
    from aa.run.lr_find import maybe_find_lr
    from aa.run.summary import print_summary
    from aa.sweep.metric import default_metric

    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    os.makedirs(run_dir, exist_ok=True)
    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    trainer = build.build_trainer(cfg, run_dir, dm)
    if ckpt_path is None:
        task = maybe_find_lr(cfg, dm, task, trainer)
    trainer.fit(task, datamodule=dm, ckpt_path=ckpt_path)
    if ckpt_path and not any(k.startswith("val/") for k in trainer.callback_metrics):
        trainer.validate(task, datamodule=dm, verbose=False)  # resumed after its last epoch: measure it again
    fit_metrics = {k: float(v) for k, v in trainer.callback_metrics.items()}
    ckpt = trainer.checkpoint_callback
    best = ckpt.best_model_path if ckpt is not None and ckpt.best_model_path else None
    trainer.test(task, datamodule=dm, ckpt_path=best, verbose=False)
    test_metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("test/")}
    metrics = _collect(fit_metrics, test_metrics)
    for callback in trainer.callbacks:  # callbacks that measure the run (e.g. compression) add sections
        if callable(getattr(callback, "report", None)):
            metrics.update(callback.report())
    metrics.update({
        "task": task.objective.task,
        "epochs": trainer.current_epoch,
        "optimizer_steps": trainer.global_step,
        "best_checkpoint": best,
        "last_checkpoint": os.path.join(run_dir, "checkpoints", "last.ckpt") if best else None,
        "parameters": sum(p.numel() for p in task.model.parameters()),
        "wall_time_s": round(time.perf_counter() - start, 2),
        "resumed_from": ckpt_path,
    })
    name = default_metric(cfg.get("optimized_metric"), task.objective.metric)
    metrics["optimized_metric"] = {"name": name, "value": _lookup(metrics, name)}
    if not trainer.is_global_zero:  # DDP: the other ranks trained alongside; rank 0 writes the results
        return metrics
    with open(os.path.join(run_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    if trainer.logger is not None:
        tags = [f"{s}/{k}" for s in ("train", "val", "test") for k in metrics[s]]
        write_hparams(trainer.logger, flat_hparams(cfg, choices), tags)
        trainer.logger.finalize("success")
    print_summary(metrics, run_dir)
    return metrics


def _collect(fit: dict[str, float], test: dict[str, float]) -> dict[str, Any]:
    out: dict[str, Any] = {"train": {}, "val": {}, "test": {}}
    for key, value in {**fit, **test}.items():
        split, _, name = key.partition("/")
        if split in out and name:
            out[split][name] = value
    return out


def _lookup(metrics: dict[str, Any], name: str) -> float | None:
    split, _, key = name.partition("/")
    return metrics.get(split, {}).get(key)


def hydra_task(cfg: DictConfig) -> float | None:
    """Entry for Hydra: the run directory and group choices come from the Hydra runtime; in a sweep
    the job runs isolated (aa.sweep.failures) and may resume."""
    from hydra.core.hydra_config import HydraConfig

    from aa.config.callback import fail
    from aa.sweep.failures import run_job

    hydra = HydraConfig.get()
    runtime = hydra.runtime
    choices = {k: v for k, v in OmegaConf.to_container(runtime.choices).items() if not k.startswith("hydra")}
    try:
        return run_job(lambda ckpt: train(cfg, runtime.output_dir, choices, ckpt_path=ckpt), runtime.output_dir,
                       multirun=str(hydra.mode) == "RunMode.MULTIRUN", resume=bool(cfg.get("resume")),
                       threads_per_job=cfg.get("threads_per_job"), launcher=hydra.launcher)
    except Exception as e:  # found while building: missing data, a model that cannot take a choice
        problem = config_error(e)
        if problem is None:
            raise
        fail(str(problem), runtime.output_dir)


def config_error(e: BaseException | None) -> BaseException | None:
    """The ConfigError behind ``e``, also when Hydra's instantiate wrapped it in its own exception."""
    from aa.config.errors import ConfigError

    while e is not None and not isinstance(e, ConfigError):
        e = e.__cause__
    return e
