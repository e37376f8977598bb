"""Small data sets held as tensors on the training device and served as sliced batches.

A per-sample Dataset + collate DataLoader costs more than a small MLP's whole step; here every
update is one index into tensors that already sit on the device, and one Lightning "batch" is a
chunk of updates (a whole epoch by default), so Lightning's per-batch cost is paid once per chunk.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

import torch
from torch import Tensor

from aa.data.batching import BatchMode, MiniBatch
from aa.data.splits import seeded_split_sources
from aa.data.contract import DataModule
from aa.nn.input import Standardize


class Chunk:
    """Some consecutive updates of an epoch; iterating yields (x, y) for each update and, once the
    update is done, calls ``on_update`` (the progress bar counts updates this way)."""

    def __init__(self, x: Tensor, y: Tensor, plan: list[Tensor], augment: Callable | None,
                 transform: Callable | None = None) -> None:
        self.x, self.y, self.plan, self.augment, self.transform = x, y, plan, augment, transform
        self.on_update: Callable[[], None] | None = None

    def __len__(self) -> int:
        return len(self.plan)

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        for idx in self.plan:
            x = self.x[idx]
            if self.transform is not None:
                x = self.transform(x)
            yield (self.augment(x) if self.augment else x), self.y[idx]
            if self.on_update is not None:
                self.on_update()


class TrainChunks:
    """The training "loader": a new plan every epoch from a seeded generator, cut into chunks."""

    def __init__(self, dm: "TensorDataModule") -> None:
        self.dm = dm

    def _chunk(self) -> int:
        n = self.dm.batch_mode.updates_per_epoch(len(self.dm.y_train))
        return self.dm.chunk_updates or n

    def __len__(self) -> int:
        return -(-self.updates() // self._chunk())

    def updates(self) -> int:
        """Optimiser updates per epoch (the progress bar's total)."""
        return self.dm.batch_mode.updates_per_epoch(len(self.dm.y_train))

    def __iter__(self) -> Iterator[Chunk]:
        dm = self.dm
        epoch = dm.trainer.current_epoch if dm.trainer is not None else 0
        plan = dm.plan(dm.generator, dm.curriculum.pool(epoch) if dm.curriculum is not None else None)
        trainer = dm.trainer
        if trainer is not None and trainer.world_size > 1:
            # DDP: every rank draws the same plan (same seed) and takes its share of each update;
            # averaging the ranks' gradients then gives the whole batch's gradient.
            w = trainer.world_size
            plan = [idx[trainer.global_rank::w] if len(idx) >= w else idx for idx in plan]
        step = self._chunk()
        for start in range(0, len(plan), step):
            yield Chunk(dm.x_train, dm.y_train, plan[start:start + step], dm.augment, dm.batch_transform)


class EvalBatches:
    """Evaluation batches in order (a plain list would look like several loaders to Lightning)."""

    def __init__(self, x: Tensor, y: Tensor, batch_size: int, transform: Callable | None = None) -> None:
        self.x, self.y, self.batch_size, self.transform = x, y, batch_size, transform

    def __len__(self) -> int:
        return -(-len(self.y) // self.batch_size)

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        b = self.batch_size
        for i in range(0, len(self.y), b):
            x = self.x[i:i + b]
            yield (self.transform(x) if self.transform is not None else x), self.y[i:i + b]


class TensorDataModule(DataModule):
    """Loads (X, Y) once, splits it with the seed, standardises with training statistics only."""

    task = "classification"
    kinds: tuple[str, ...] = ("vector",)

    def __init__(self, val_fraction: float = 0.15, test_fraction: float = 0.2, standardize: bool = True,
                 seed: int = 0, batch_mode: BatchMode | None = None, input_kind: str | None = None,
                 augment: Callable | None = None, eval_batch_size: int = 4096,
                 chunk_updates: int | None = None) -> None:
        super().__init__()
        self.val_fraction, self.test_fraction = val_fraction, test_fraction
        self.standardize, self.seed = standardize, seed
        self.batch_mode = batch_mode or MiniBatch()
        self.input_kind = input_kind or self.kinds[0]
        self.augment, self.eval_batch_size, self.chunk_updates = augment, eval_batch_size, chunk_updates
        self.class_names: list[str] = []
        self.generator = torch.Generator().manual_seed(seed)
        self._loaded = False

    def state_dict(self) -> dict[str, Any]:
        """The data-order generator, saved in checkpoints so a resumed run draws the same batches."""
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if "generator" in state:
            self.generator.set_state(state["generator"])

    def load(self) -> tuple[Tensor, Tensor]:  # pragma: no cover - abstract
        """All samples as (X float, Y long class index or float target)."""
        raise NotImplementedError

    def prepare_input(self, x: Tensor) -> Tensor:
        """Reshape samples for the model's input kind (overridden by data sets that serve images)."""
        return x

    curriculum: Any = None
    """Set by aa.data.curriculum.Curriculum at fit start; its ``pool(epoch)`` limits each epoch's samples."""

    def plan(self, generator: torch.Generator, pool: Tensor | None = None) -> list[Tensor]:
        """One epoch's index tensors on the data's device, over ``pool`` (sample indices) if given."""
        idx = self.batch_mode.plan(len(self.y_train) if pool is None else len(pool), generator)
        return [(i if pool is None else pool[i]).to(self.x_train.device) for i in idx]

    def epoch_updates(self, generator: torch.Generator) -> Chunk:
        """One epoch of (x, y) updates over all samples, planned with a probe's own generator."""
        return Chunk(self.x_train, self.y_train, self.plan(generator), self.augment, self.batch_transform)

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        x, y = self.load()
        x = self.prepare_input(x)
        n = len(y)
        order = torch.randperm(n, generator=torch.Generator().manual_seed(self.seed))
        n_test, n_val = round(n * self.test_fraction), round(n * self.val_fraction)
        test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
        self.x_train, self.y_train = x[train], y[train]
        self.x_val, self.y_val = x[val], y[val]
        self.x_test, self.y_test = x[test], y[test]
        self.split_sources = seeded_split_sources(self.val_fraction, self.test_fraction, self.seed)
        self._loaded = True

    def train_size(self) -> int:
        self.setup()
        return len(self.y_train)

    def input_transform(self) -> Standardize | None:
        if not self.standardize:
            return None
        self.setup()
        dims = (0,) if self.x_train.dim() == 2 else (0, 2, 3)
        return Standardize.fit(self.x_train, dims=dims)

    @property
    def input_shape(self) -> tuple[int, ...]:
        self.setup()
        return tuple(self.x_train.shape[1:])

    @property
    def num_outputs(self) -> int:
        self.setup()
        if self.task == "classification":
            return len(self.class_names)
        return 1 if self.y_train.dim() == 1 else self.y_train.shape[1]

    def to(self, device: torch.device | str) -> "TensorDataModule":
        """Move every split to the training device once, before the first epoch."""
        self.setup()
        for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
            setattr(self, name, getattr(self, name).to(device))
        return self

    def train_dataloader(self) -> TrainChunks:
        return TrainChunks(self)

    def val_dataloader(self) -> EvalBatches:
        return EvalBatches(self.x_val, self.y_val, self.eval_batch_size, self.batch_transform)

    def test_dataloader(self) -> EvalBatches:
        return EvalBatches(self.x_test, self.y_test, self.eval_batch_size, self.batch_transform)
