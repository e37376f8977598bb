"""The model's graph in TensorBoard's Graphs tab, traced once at the start of fit."""
from __future__ import annotations

import logging
import warnings

import pytorch_lightning as pl
import torch

log = logging.getLogger("aa")


def example_batch(dm: pl.LightningDataModule, device: torch.device) -> torch.Tensor | None:
    """Two validation samples as the model receives them, else zeros of the data's input shape."""
    x = getattr(dm, "x_val", None)
    if x is not None and len(x):
        transform = getattr(dm, "batch_transform", None)
        x = x[:2].to(device)
        return transform(x) if transform is not None else x
    shape = getattr(dm, "input_shape", None)
    return None if shape is None else torch.zeros(2, *shape, device=device)


class ModelGraph(pl.Callback):
    """Traces the model in eval mode, where it has one output (no auxiliary heads)."""

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        writers = [lg.experiment for lg in trainer.loggers if hasattr(lg.experiment, "add_graph")]
        example = example_batch(trainer.datamodule, pl_module.device) if writers else None
        if example is None:
            return
        model = pl_module.model
        was_training = model.training
        model.eval()
        try:
            with warnings.catch_warnings():  # TensorBoard's graph writer traces with torch.jit, now deprecated
                warnings.simplefilter("ignore", FutureWarning)
                # the graph is traced for one example; data-dependent shapes (sequence lengths) are meant
                warnings.simplefilter("ignore", torch.jit.TracerWarning)
                for writer in writers:
                    writer.add_graph(model, example)
        except (RuntimeError, TypeError, ValueError, torch.jit.TracingCheckError) as e:  # last: two traces differ
            log.warning("model graph not drawn in TensorBoard: %s", " ".join(str(e).split())[:200])
        finally:
            model.train(was_training)
