"""Turn a validated config into data module, task module, callbacks, logger and Trainer."""
from __future__ import annotations

import inspect
from typing import Any

import pytorch_lightning as pl
from hydra.utils import get_class, instantiate
from omegaconf import DictConfig, OmegaConf
from torch import nn

from aa.base.checkpoint_io import AtomicCheckpointIO
from aa.callbacks.compression import compression_callbacks
from aa.callbacks.data_on_device import DataOnDevice
from aa.config.compatibility import input_kind
from aa.data.contract import DataModule
from aa.models.build import build_model
from aa.run import other_runs
from aa.task.module import TaskModule
from aa.task.objective import Objective

LOSS_REGULARIZERS = "pytorch_lightning.callbacks.EarlyStopping"


def build_data(cfg: DictConfig, chunk_updates: int | None = None) -> DataModule:
    data = OmegaConf.to_container(cfg, resolve=True)
    extra: dict[str, Any] = {"seed": cfg.seed, "batch_mode": instantiate(cfg.batch),
                             "input_kind": input_kind(data), "chunk_updates": chunk_updates}
    if cfg.get("augmentation"):
        from aa.data.augment import build_augmentation

        extra["augment"] = build_augmentation(cfg.augmentation)
    dm = instantiate(cfg.dataset, _convert_="all", **extra)
    dm.setup("fit")
    return dm


def regularizers(cfg: DictConfig, callbacks: bool = False) -> list:
    """The regularization group's per-update regularisers, or (callbacks=True) its Lightning callbacks
    such as early stopping; each is built only where it is used."""
    nodes = (cfg.get("regularization") or {}).values()
    return [instantiate(n) for n in nodes if (n._target_ == LOSS_REGULARIZERS) == callbacks]


def build_scheduler(cfg: DictConfig, dm: DataModule) -> Any:
    node = cfg.get("scheduler")
    if not node:
        return None, "val/loss"
    node = OmegaConf.to_container(node, resolve=True)
    name = node["_target_"].rsplit(".", 1)[-1]
    monitor = node.pop("monitor", "val/loss")
    if name == "CosineAnnealingLR" and not node.get("T_max"):
        node["T_max"] = cfg.trainer.max_epochs
    if name == "OneCycleLR":
        node["max_lr"] = node.get("max_lr") or 10 * cfg.optim.lr
        node["total_steps"] = cfg.trainer.max_epochs * dm.batch_mode.updates_per_epoch(len(dm.y_train))
    return instantiate(node), monitor


def build_task(cfg: DictConfig, dm: DataModule) -> TaskModule:
    model = build_model(cfg, dm.input_shape, dm.num_outputs, dm.input_transform(), dm.model_args())
    if cfg.get("init"):
        instantiate(cfg.init)(model)
    regs = regularizers(cfg)
    scheduler, monitor = build_scheduler(cfg, dm)
    objective = build_objective(cfg, dm, model)
    return TaskModule(model=model, objective=objective, optimizer=instantiate(cfg.optim, _convert_="all"),
                      scheduler=scheduler, scheduler_monitor=monitor, regularizers=regs)


def build_objective(cfg: DictConfig, dm: DataModule, model: nn.Module) -> Objective:
    """The configured objective, given those of the run's pieces its constructor takes: the loss, the
    number of outputs, the data module, the model, the whole config, the manual BackProp engine, and the
    other runs the config names, restored here (a distillation teacher, a classifier judging samples)."""
    params = inspect.signature(get_class(cfg.objective._target_)).parameters
    judge_path = cfg.objective.get("classifier")
    pieces: dict[str, Any] = {"num_outputs": lambda: dm.num_outputs, "data": lambda: dm,
                              "model": lambda: model, "cfg": lambda: cfg,
                              "loss": lambda: instantiate(cfg.loss) if cfg.get("loss") else None,
                              "teacher": lambda: other_runs.teacher(cfg.distill.teacher, cfg, dm)
                              if cfg.get("distill") else None,
                              "classifier": lambda: other_runs.judge(judge_path, dm) if judge_path else None}
    extra = {k: make() for k, make in pieces.items() if k in params}
    if "engine" in params and cfg.get("backprop", "autograd") == "manual":
        from aa.backprop.engine import ManualBackprop

        extra["engine"] = ManualBackprop(model, extra.get("loss") or instantiate(cfg.loss))
    return instantiate(cfg.objective, _convert_="all", _partial_=True)(**extra)  # the pieces are built already


def build_trainer(cfg: DictConfig, run_dir: str, dm: DataModule) -> pl.Trainer:
    callbacks = [DataOnDevice()]
    for name, node in (cfg.get("callbacks") or {}).items():
        if node is None:
            continue
        kwargs = {"dirpath": f"{run_dir}/checkpoints"} if name == "model_checkpoint" else {}
        callbacks.append(instantiate(node, **kwargs))
    callbacks += regularizers(cfg, callbacks=True)
    callbacks += compression_callbacks(cfg)
    if cfg.get("curriculum"):
        callbacks.append(instantiate(cfg.curriculum))
    if cfg.trainer.get("enable_progress_bar", True):
        from aa.callbacks.update_progress import UpdateProgressBar

        callbacks.append(UpdateProgressBar())
    logger = instantiate(cfg.logger, save_dir=run_dir) if cfg.get("logger") else False
    return instantiate(cfg.trainer, default_root_dir=run_dir, callbacks=callbacks, logger=logger,
                       num_sanity_val_steps=0, plugins=[AtomicCheckpointIO()])
