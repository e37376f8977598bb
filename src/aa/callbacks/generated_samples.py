"""After testing a generation run: a few sampled texts per class as a TensorBoard text table."""
from __future__ import annotations

import os

import pytorch_lightning as pl
import torch

from aa.data.contract import Decodes
from aa.task.generation import Generation


class GeneratedSamples(pl.Callback):
    """Only for objectives that can ``sample``; ``count`` texts per class at the objective's temperature."""

    def __init__(self, count: int = 5, seed: int = 0) -> None:
        self.count, self.seed = count, seed

    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        dm, objective = trainer.datamodule, pl_module.objective
        if not isinstance(objective, Generation) or not isinstance(dm, Decodes):
            return
        names = dm.class_names
        label = torch.arange(len(names), device=pl_module.device).repeat_interleave(self.count)
        was_training = pl_module.training
        pl_module.eval()
        texts = objective.sample(pl_module.model, label, generator=torch.Generator().manual_seed(self.seed))
        pl_module.train(was_training)
        rows = {}
        for c, ids in zip(label.tolist(), texts.cpu()):
            rows.setdefault(names[c], []).append(dm.decode(ids))
        lines = [f"| class | samples (temperature {objective.temperature}) |", "| --- | --- |"]
        lines += [f"| {c} | {', '.join(s)} |" for c, s in rows.items()]
        table = "\n".join(lines)
        with open(os.path.join(trainer.default_root_dir, "generated_samples.md"), "w", encoding="utf-8") as f:
            f.write(table + "\n")
        for logger in trainer.loggers:
            if hasattr(logger.experiment, "add_text"):
                logger.experiment.add_text("test/generated_samples", table, global_step=trainer.current_epoch)
