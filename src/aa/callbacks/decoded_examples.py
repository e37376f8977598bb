"""After testing a sequence-to-sequence run: decoded test examples as a TensorBoard text table, and the
attention weights of a few of them as heat maps (decoded tokens down, source tokens across)."""
from __future__ import annotations

import os

import pytorch_lightning as pl
import torch

from aa.callbacks.figures import publish, pyplot
from aa.callbacks.sample_predictions import _cell


class DecodedExamples(pl.Callback):
    """Added to the callbacks by the sequence-to-sequence model configs (callbacks/seq2seq/)."""

    def __init__(self, count: int = 10, maps: int = 4) -> None:
        self.count, self.maps = count, maps

    @torch.no_grad()
    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        dm = trainer.datamodule
        if dm is None or not len(dm.y_test):
            return
        n = max(self.count, self.maps)
        x, y = dm.x_test[:n].to(pl_module.device), dm.y_test[:n]
        was_training = pl_module.training
        pl_module.eval()
        out = pl_module.objective.decode(pl_module.model, x)
        pl_module.train(was_training)
        lines = ["| source | target | decoded |", "| --- | --- | --- |"]
        for src, tgt, pred in zip(x[: self.count].cpu(), y[: self.count], out.tokens.cpu()):
            t, p = dm.decode_target(tgt), dm.decode_target(pred)
            lines.append(f"| {_cell(dm.decode_source(src))} | {_cell(t)} | {_cell(p)}{'' if t == p else ' ✗'} |")
        table = "\n".join(lines)
        with open(os.path.join(trainer.default_root_dir, "decoded_examples.md"), "w", encoding="utf-8") as f:
            f.write(table + "\n")
        for logger in trainer.loggers:
            if hasattr(logger.experiment, "add_text"):
                logger.experiment.add_text("test/decoded_examples", table, global_step=trainer.current_epoch)
        if out.attention is not None:
            for i in range(min(self.maps, len(x))):
                self.heat_map(trainer, dm, x[i].cpu(), out.tokens[i].cpu(), out.attention[i].cpu(), i)

    def heat_map(self, trainer: pl.Trainer, dm, src, pred, weights, i: int) -> None:
        src_tokens = [dm.src_vocab.itos[t] for t in src.tolist() if t]
        out_tokens = [dm.tgt_vocab.itos[t] for t in pred.tolist() if t]
        w = weights[: len(out_tokens), : len(src_tokens)]
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(2.6 + 0.4 * len(src_tokens), 1.6 + 0.4 * len(out_tokens)), dpi=100)
        image = ax.imshow(w.numpy(), cmap="viridis", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(src_tokens)), src_tokens, rotation=90, fontsize=10)
        ax.set_yticks(range(len(out_tokens)), out_tokens, fontsize=10)
        ax.set_xlabel("source token"), ax.set_ylabel("decoded token")
        fig.colorbar(image, ax=ax, fraction=0.05, pad=0.03, label="attention weight")
        ax.set_title(f"attention, test sample {i}", fontsize=10)
        publish(trainer, f"attention/test_sample_{i}", fig, trainer.current_epoch, f"attention_{i}.png")
