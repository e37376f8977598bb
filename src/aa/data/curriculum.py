"""Curriculum learning: train on the easiest samples first and widen the pool to all of them.

Difficulty is the per-sample loss of a copy of the initial model after ``score_epochs`` epochs of
the run's own loss, optimiser and batch mode (0 scores under the initial model itself). Each epoch
the batch mode plans its updates over the pool only: the ``fraction(epoch)`` easiest samples.
"""
from __future__ import annotations

import copy
import math
from typing import Callable

import pytorch_lightning as pl
import torch
from torch import Tensor, nn

from aa.data.contract import EpochUpdates

LossFn = Callable[[Tensor, Tensor], Tensor]

ORDERS = ("easy_first", "hard_first", "random")
PACINGS = ("linear", "root")


class Curriculum(pl.Callback):
    """Scores the training split at fit start and serves the data module each epoch's pool."""

    def __init__(self, order: str = "easy_first", start_fraction: float = 0.2, full_at_epoch: int = 10,
                 pacing: str = "linear", score_epochs: int = 2) -> None:
        if order not in ORDERS or pacing not in PACINGS:
            raise ValueError(f"order must be one of {ORDERS} and pacing one of {PACINGS}")
        self.order, self.pacing, self.score_epochs = order, pacing, score_epochs
        self.start_fraction, self.full_at_epoch = start_fraction, full_at_epoch
        self.scores: Tensor | None = None
        self.ranking: Tensor | None = None

    def fraction(self, epoch: int) -> float:
        """Share of the training set in the pool: linear, or root (competence-based, Platanios 2019)."""
        t = min(1.0, epoch / self.full_at_epoch)
        c0 = self.start_fraction
        if self.pacing == "root":
            return min(1.0, math.sqrt(c0 ** 2 + (1 - c0 ** 2) * t))
        return min(1.0, c0 + (1 - c0) * t)

    def pool_size(self, epoch: int, n: int) -> int:
        return max(1, min(n, math.ceil(round(self.fraction(epoch) * n, 6))))

    def pool(self, epoch: int) -> Tensor:
        """Indices of this epoch's pool, easiest first (the order non-shuffling batch modes keep)."""
        if self.ranking is None:
            raise RuntimeError("the curriculum has not ranked the training set yet (it does so at fit start)")
        return self.ranking[: self.pool_size(epoch, len(self.ranking))]

    def rank(self, scores: Tensor, seed: int = 0) -> Tensor:
        """Sample indices from easiest (lowest score) to hardest, or at random for the control run."""
        if self.order == "random":
            return torch.randperm(len(scores), generator=torch.Generator().manual_seed(seed))
        return torch.argsort(scores, descending=self.order == "hard_first", stable=True)

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        dm = trainer.datamodule
        if not isinstance(dm, EpochUpdates):
            raise TypeError(f"curriculum needs an in-memory data set (TensorDataModule), not {type(dm).__name__}")
        if self.ranking is None:  # a resumed run restores the ranking it started with
            if self.order != "random":
                self.scores = difficulty(pl_module, dm, self.score_epochs).cpu()
            self.ranking = self.rank(self.scores if self.scores is not None else dm.y_train.cpu(), dm.seed)
        dm.curriculum = self

    def state_dict(self) -> dict:
        return {"ranking": self.ranking, "scores": self.scores}

    def load_state_dict(self, state: dict) -> None:
        self.ranking, self.scores = state["ranking"], state["scores"]

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        pl_module.publish({"train/pool_fraction": self.fraction(trainer.current_epoch)})


def difficulty(task: pl.LightningModule, dm: pl.LightningDataModule, epochs: int) -> Tensor:
    """Per-sample loss of the training split under a copy of ``task.model`` trained ``epochs`` epochs."""
    probe = copy.deepcopy(task.model).train()
    opt = task.optimizer_factory(params=probe.parameters())
    generator = torch.Generator().manual_seed(dm.seed)
    for _ in range(epochs):
        for x, y in dm.epoch_updates(generator):
            opt.zero_grad(set_to_none=True)
            out = probe(x)
            task.loss(out[0] if isinstance(out, tuple) else out, y).backward()
            opt.step()
    return per_sample_loss(probe.eval(), task.loss, dm.x_train, dm.y_train, dm.batch_transform)


@torch.no_grad()
def per_sample_loss(model: nn.Module, loss: LossFn, x: Tensor, y: Tensor,
                    transform: Callable | None = None, batch: int = 4096) -> Tensor:
    """loss(phi_n, t_n) for every sample n, the loss applied to one-sample batches in parallel."""
    one = torch.vmap(lambda p, t: loss(p.unsqueeze(0), t.unsqueeze(0)))
    out = []
    for i in range(0, len(y), batch):
        xb = x[i:i + batch]
        out.append(one(model(transform(xb) if transform is not None else xb), y[i:i + batch]))
    return torch.cat(out)
