"""A few test texts with their true and predicted class, as a TensorBoard text table."""
from __future__ import annotations

import os

import pytorch_lightning as pl
import torch

from aa.data.contract import Decodes, InMemory, TestTexts


class SamplePredictions(pl.Callback):
    """Added by the classifying objectives' configs. For text data sets (those whose data module
    can ``decode``), after testing: the first ``count`` test samples; other data sets are left alone."""

    def __init__(self, count: int = 10) -> None:
        self.count = count

    @torch.no_grad()
    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        dm = trainer.datamodule
        if not isinstance(dm, Decodes) or not isinstance(dm, InMemory):
            return
        if pl_module.loss is None:  # objectives that do not predict a class (generation)
            return
        x, y = dm.x_test[: self.count], dm.y_test[: self.count]
        if len(y) == 0:
            return
        was_training = pl_module.training
        pl_module.eval()
        pred = pl_module.loss.predict(pl_module(x.to(pl_module.device))).cpu()
        pl_module.train(was_training)
        texts = (dm.test_texts if isinstance(dm, TestTexts) else None) or [dm.decode(row) for row in x.cpu()]
        names = dm.class_names
        lines = ["| text | true | predicted |", "| --- | --- | --- |"]
        for text, t, p in zip(texts, y.tolist(), pred.tolist()):
            mark = "" if t == p else " ✗"
            lines.append(f"| {_cell(text)} | {names[t]} | {names[p]}{mark} |")
        table = "\n".join(lines)
        with open(os.path.join(trainer.default_root_dir, "sample_predictions.md"), "w", encoding="utf-8") as f:
            f.write(table + "\n")
        for logger in trainer.loggers:
            if hasattr(logger.experiment, "add_text"):
                logger.experiment.add_text("test/sample_predictions", table, global_step=trainer.current_epoch)


def _cell(text: str, limit: int = 160) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
