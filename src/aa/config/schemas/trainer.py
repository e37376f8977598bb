"""Schemas of the trainer, logger and callbacks groups (Lightning classes, a subset of their arguments)."""
from __future__ import annotations

from typing import Any, Optional

from aa.config.schema import NodeSchema, opt, schema


@schema("pytorch_lightning.Trainer")
class Trainer(NodeSchema):
    max_epochs: int = opt(60, ge=1)
    accelerator: str = opt("auto", choices=("auto", "cpu", "gpu", "cuda", "mps"))
    devices: Any = opt(1)
    strategy: str = opt("auto")
    precision: Any = opt("32-true")
    deterministic: Any = opt(False)
    check_val_every_n_epoch: int = opt(1, ge=1)
    limit_val_batches: Optional[float] = opt(None, gt=0)
    limit_test_batches: Optional[float] = opt(None, gt=0)
    enable_progress_bar: bool = opt(True)
    enable_model_summary: bool = opt(False)
    enable_checkpointing: bool = opt(True)
    log_every_n_steps: int = opt(50, ge=1)
    num_nodes: int = opt(1, ge=1)
    max_time: Optional[str] = opt(None, doc="Lightning's time budget DD:HH:MM:SS (00:00:10:00 = ten minutes), "
                                            "honoured after the update under way; the best checkpoint is tested")

    @staticmethod
    def check(path: str, node: dict) -> None:
        from aa.base.errors import ConfigError

        budget = node.get("max_time")
        parts = str(budget).split(":") if budget is not None else []
        if budget is not None and not (len(parts) == 4 and all(p.isdigit() for p in parts)
                                       and any(int(p) for p in parts)):
            raise ConfigError(f"{path}.max_time", budget, "is not a time budget Lightning reads",
                              "DD:HH:MM:SS with two-digit fields, above zero, e.g. 00:00:10:00 for ten minutes, "
                              "or null for none")


@schema("pytorch_lightning.loggers.TensorBoardLogger")
class TensorBoard(NodeSchema):
    name: str = opt("tb")
    version: str = opt("")
    default_hp_metric: bool = opt(False)
    log_graph: bool = opt(False)


@schema("aa.callbacks.epoch_checkpoint.EpochCheckpoint", "pytorch_lightning.callbacks.ModelCheckpoint")
class Checkpoint(NodeSchema):
    monitor: str = opt("val/loss")
    mode: str = opt("min", choices=("min", "max"))
    save_last: bool = opt(True)
    save_top_k: int = opt(1, ge=-1)
    filename: str = opt("best")
    auto_insert_metric_name: bool = opt(False)
    save_on_train_epoch_end: Optional[bool] = opt(True, doc="true: after every epoch-end hook, so a resumed "
                                                  "run continues exactly where the saved one stood")
    last_every_s: float = opt(10.0, ge=0, doc="last.ckpt at least this often (and after an improving, the last "
                              "or a stopping epoch): a run killed without warning repeats at most this much")


@schema("aa.callbacks.learning_rates.LearningRates")
class LearningRates(NodeSchema):
    pass


@schema("aa.callbacks.figures.DecisionBoundary")
class DecisionBoundary(NodeSchema):
    every_n_epochs: int = opt(10, ge=1)
    resolution: int = opt(120, ge=10, le=1000)


@schema("aa.callbacks.figures.ConfusionMatrix")
class ConfusionMatrix(NodeSchema):
    pass
