"""The model's graph in TensorBoard's Graphs tab, traced once at the start of fit."""
from __future__ import annotations

import logging
import warnings

import pytorch_lightning as pl
import torch

from aa.data.contract import DataModule, ValInputs

log = logging.getLogger("aa")


def example_batch(dm: DataModule | None, device: torch.device) -> torch.Tensor | None:
    """Two validation samples as the model receives them, else zeros of the data's input shape."""
    if dm is None:
        return None
    if isinstance(dm, ValInputs) and len(dm.x_val):
        x = dm.x_val[:2].to(device)
        return dm.batch_transform(x) if dm.batch_transform is not None else x
    return torch.zeros(2, *dm.input_shape, device=device)


class ModelGraph(pl.Callback):
    """Traces the model in eval mode, where it has one output (no auxiliary heads)."""

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        writers = [lg.experiment for lg in trainer.loggers if hasattr(lg.experiment, "add_graph")]
        example = example_batch(trainer.datamodule, pl_module.device) if writers else None
        if example is None:
            return
        model = pl_module.model
        takes = _required_inputs(model)
        if takes > 1:  # e.g. an encoder-decoder's forward(src, tgt_in): one input tensor cannot trace it
            log.info("model graph not drawn: %s.forward takes %d inputs", type(model).__name__, takes)
            return
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
            reason = " ".join(str(e).split()).split("!")[0][:100]  # the first sentence, not the graph diff
            log.info("model graph not drawn in TensorBoard: %s does not trace (%s)", type(model).__name__, reason)
        finally:
            model.train(was_training)


def _required_inputs(model: torch.nn.Module) -> int:
    """How many positional arguments without a default the model's forward takes."""
    import inspect

    params = inspect.signature(model.forward).parameters.values()
    return sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
