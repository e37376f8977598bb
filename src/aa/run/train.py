"""The task function behind aa-train: seed, fit, test the best checkpoint, write what the run measured."""
from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

if TYPE_CHECKING:
    from aa.data.contract import DataModule

log = logging.getLogger("aa")


def train(cfg: DictConfig, run_dir: str, choices: dict[str, str] | None = None,
          ckpt_path: str | None = None, overrides: list[str] | None = None) -> dict[str, Any]:
    """Train and test one configuration (continuing from ``ckpt_path`` if given); returns the metrics
    written to ``run_dir/metrics.json``. ``overrides`` (the command line) travel in every checkpoint."""
    start = time.perf_counter()
    import pytorch_lightning as pl

    from aa.run import build
    from aa.run.cuda_check import runtime_cuda_check
    from aa.run.hparams import write_hparams
    from aa.run.lr_find import maybe_find_lr
    from aa.run.summary import print_summary
    from aa.config.optimized_metric import default_metric

    for name in ("pytorch_lightning", "lightning_fabric"):  # the layer table reaches train.log, whatever an
        logging.getLogger(name).setLevel(logging.INFO)       # earlier in-process aa-eval set
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    os.makedirs(run_dir, exist_ok=True)
    dm = build.build_data(cfg)
    note_full_batch(dm)
    task = build.build_task(cfg, dm)
    task.run_overrides = overrides
    trainer = build.build_trainer(cfg, run_dir, dm)
    with runtime_cuda_check(trainer):
        if ckpt_path is None:
            task = maybe_find_lr(cfg, dm, task, trainer)
        fit_until_stopped(trainer, task, dm, ckpt_path, run_dir)
        stopped = stopped_early(trainer)  # before the test restores the callbacks' state from the best epoch
        train_metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("train/")}
        ckpt = trainer.checkpoint_callback
        best = ckpt.best_model_path if ckpt is not None and ckpt.best_model_path else None
        chosen = best if cfg.get("report", "best") == "best" else None
        val_metrics = best_val_metrics(trainer, task, dm, chosen)
        if dm.test_split is not None:
            trainer.test(task, datamodule=dm, ckpt_path=chosen, verbose=False)
    test_metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("test/")}
    metrics = _collect({**train_metrics, **val_metrics}, test_metrics)
    for callback in trainer.callbacks:  # callbacks that measure the run (e.g. compression) add sections
        if callable(getattr(callback, "report", None)):
            metrics.update(callback.report())
    metrics.update({
        "task": task.objective.task,
        "epochs": trainer.current_epoch,
        "max_epochs": trainer.max_epochs,
        "optimizer_steps": trainer.global_step,
        "reported_from": "best checkpoint" if chosen else "last epoch",
        "test_split": dm.test_split,
        "split_sources": dm.split_sources,
        "data": dm.accounting(),
        "best_checkpoint": best,
        "last_checkpoint": os.path.join(run_dir, "checkpoints", "last.ckpt") if best else None,
        "parameters": sum(p.numel() for p in task.model.parameters()),
        "wall_time_s": round(time.perf_counter() - start, 2),
        "resumed_from": ckpt_path,
        "stopped": stopped,
    })
    metrics.update(baseline_verdict(metrics))
    name = default_metric(cfg.get("optimized_metric"), task.objective.metric)
    metrics["optimized_metric"] = {"name": name, "value": _lookup(metrics, name)}
    if not trainer.is_global_zero:  # DDP: the other ranks trained alongside; rank 0 writes the results
        return metrics
    with open(os.path.join(run_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    if trainer.logger is not None:
        from aa.run.summary import data_lines

        trainer.logger.experiment.add_text("data", "\n\n".join(data_lines(metrics["data"])), trainer.global_step)
        write_hparams(trainer.logger, cfg, choices, overrides, metrics)
        trainer.logger.finalize("success")
    print_summary(metrics, run_dir)
    return metrics


def fit_until_stopped(trainer: Any, task: Any, dm: "DataModule", ckpt_path: str | None, run_dir: str) -> None:
    """Fit; a SIGINT or SIGTERM ends it after the current update with last.ckpt written, then raises
    ``Interrupted`` (nothing is tested: the run did not finish)."""
    from pytorch_lightning.utilities.exceptions import SIGTERMException

    from aa.run.stop import Interrupted, StopOnSignals

    with StopOnSignals(task) as stop:
        try:
            trainer.fit(task, datamodule=dm, ckpt_path=ckpt_path)
        except SIGTERMException:  # Lightning's own SIGTERM check, at the end of the epoch we cut short
            pass
    if stop.signum is None:
        return
    last = os.path.join(run_dir, "checkpoints", "last.ckpt")
    if not os.path.isfile(last):
        trainer.save_checkpoint(last)
    raise Interrupted(stop.signum, stop.epoch, trainer.global_step)


def stopped_early(trainer: Any) -> str | None:
    """Why fit ended before trainer.max_epochs, in words (None when it ran them all): the time budget
    (trainer.max_time) or early stopping on a validation metric."""
    from pytorch_lightning.callbacks import EarlyStopping, Timer

    from aa.task.lightning_state import time_budget

    where = f"in epoch {trainer.current_epoch} of {trainer.max_epochs}, after {trainer.global_step:,} updates"
    for callback in trainer.callbacks:
        if isinstance(callback, Timer) and callback.time_remaining() is not None and callback.time_remaining() <= 0:
            return f"the time budget trainer.max_time ({time_budget(callback):.0f} s) ran out {where}"
        if isinstance(callback, EarlyStopping) and callback.stopped_epoch > 0:
            return (f"early stopping: {callback.monitor} did not improve for {callback.patience} validations; "
                    f"stopped {where}")
    return None


def best_val_metrics(trainer: Any, task: Any, dm: "DataModule", chosen: str | None) -> dict[str, float]:
    """One source of truth: val metrics of the weights that are tested (the best checkpoint's epoch,
    or the last epoch), read from the epochs' records; measured again only when the records lack them."""
    import torch

    if chosen is None:
        return {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("val/")}
    epoch = torch.load(chosen, map_location="cpu", weights_only=True).get("epoch")
    record = task.val_history.get(epoch)
    if record is None:  # e.g. the best epoch ran before a resume
        trainer.validate(task, datamodule=dm, ckpt_path=chosen, verbose=False)
        return {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("val/")}
    return {f"val/{k}": v for k, v in record.items()}


def baseline_verdict(metrics: dict[str, Any]) -> dict[str, Any]:
    """Regression: does the model beat predicting the training mean on the test split? (None elsewhere.)"""
    test = metrics.get("test", {})
    if "baseline_mse" not in test or "mse" not in test:
        return {}
    beats = test["mse"] < test["baseline_mse"]
    return {"baseline": {"predicts": "the training mean for every sample", "test_mse": test["baseline_mse"],
                         "test_rmse": test.get("baseline_rmse"), "model_test_mse": test["mse"],
                         "beats_baseline": beats}}


def note_full_batch(dm: "DataModule") -> None:
    """Say so when batch.size covers the whole training set: every update is then a full batch."""
    mode, n = dm.batch_mode, dm.train_size()
    size = getattr(mode, "size", None)
    if size is not None and n is not None and size >= n:
        log.warning("batch.size=%d is at least the %d training samples: every update is one full batch of all "
                    "of them, %d update(s) per epoch (batch=full says so)", size, n, mode.updates_per_epoch(n))


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
    the job runs isolated (aa.run.job) and may resume."""
    from hydra.core.hydra_config import HydraConfig

    from aa.config.callback import fail
    from aa.run.console import quiet_console
    from aa.task.divergence import Diverged
    from aa.run.job import run_job
    from aa.run.stop import Interrupted

    quiet_console()
    hydra = HydraConfig.get()
    runtime = hydra.runtime
    choices = {k: v for k, v in OmegaConf.to_container(runtime.choices).items() if not k.startswith("hydra")}
    try:
        overrides = [str(o) for o in hydra.overrides.task if not str(o).startswith("resume=")]
        return run_job(lambda ckpt: train(cfg, runtime.output_dir, choices, ckpt_path=ckpt, overrides=overrides),
                       runtime.output_dir,
                       multirun=str(hydra.mode) == "RunMode.MULTIRUN", resume=bool(cfg.get("resume")),
                       threads_per_job=cfg.get("threads_per_job"), launcher=hydra.launcher,
                       max_epochs=cfg.trainer.get("max_epochs"))
    except Diverged as e:  # a single run: the sweep's jobs record it and go on (aa.run.job)
        from aa.run.resume import last_checkpoint

        print(e.paragraph(cfg, last_checkpoint(runtime.output_dir)), file=sys.stderr)
        raise SystemExit(3) from None
    except Interrupted as e:
        from aa.run.summary import resume_hint

        resume_hint(e, runtime.output_dir, hydra)
        raise SystemExit(e.exit_code) from None
    except Exception as e:  # found while building: missing data, a model that cannot take a choice
        problem = config_error(e)
        if problem is None:
            raise
        fail(str(problem), runtime.output_dir)


def config_error(e: BaseException | None) -> BaseException | None:
    """The ConfigError behind ``e``, also when Hydra's instantiate wrapped it in its own exception."""
    from aa.base.errors import ConfigError

    while e is not None and not isinstance(e, ConfigError):
        e = e.__cause__
    return e
