"""After testing a CTC run: the first test inputs (line images or spectrograms) with their true and decoded
strings, as one TensorBoard image (``test/transcriptions``) and ``transcriptions.png`` beside the run."""
from __future__ import annotations

import pytorch_lightning as pl
import torch

from aa.callbacks.figures import publish, pyplot
from aa.data.contract import InMemory


class Transcriptions(pl.Callback):
    """Added by the ctc objective's config."""

    def __init__(self, count: int = 6) -> None:
        self.count = count

    @torch.no_grad()
    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        dm, objective = trainer.datamodule, pl_module.objective
        if not isinstance(dm, InMemory) or not hasattr(objective, "transcribe") or len(dm.y_test) == 0:
            return
        x, y = dm.x_test[: self.count], dm.y_test[: self.count]
        was_training = pl_module.training
        pl_module.eval()
        read = objective.transcribe(pl_module(x.to(pl_module.device)).cpu())
        pl_module.train(was_training)
        true = ["".join(objective.alphabet[k - 1] for k in row if k > 0) for row in y.tolist()]
        fig, axes = pyplot().subplots(len(x), 1, figsize=(6, 1.3 * len(x)), squeeze=False)
        for ax, image, t, r in zip(axes[:, 0], x.cpu(), true, read):
            ax.imshow(image[0].numpy(), cmap="gray_r" if image.shape[1] < 20 else "magma", aspect="auto",
                      origin="upper" if image.shape[1] < 20 else "lower")
            ax.set_title(f"true {t}   read {r}" + ("" if t == r else "  ✗"), fontsize=9,
                         color="black" if t == r else "crimson")
            ax.axis("off")
        publish(trainer, "test/transcriptions", fig, trainer.current_epoch, "transcriptions.png")
