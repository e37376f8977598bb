"""What a data module provides: the written contract objectives, callbacks and tools rely on.

Every data module inherits ``DataModule``: its class attributes are the explicit defaults (a data set
without class names has none, one without a separate test split tests on "test"), so readers use
``dm.class_names`` and ``dm.task`` instead of probing with ``getattr(dm, ..., default)``. What only
some data modules can do is a narrower protocol below, checked with ``isinstance``: in-memory splits,
decoding token ids to text, reading files to predict, moving to the device, drawing a probe's epoch,
and the true density or target function of a generated data set. Data modules know nothing of models.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence, runtime_checkable

import pytorch_lightning as pl
import torch
from torch import Tensor

from aa.data.batching import BatchMode

if TYPE_CHECKING:
    from aa.data.accounting import Ledger
    from aa.nn.input import Standardize


class DataModule(pl.LightningDataModule):
    """The facts every data module states; sub-classes override what differs from these defaults."""

    task: str = "classification"
    """The kind of targets: classification, regression, seq2seq, embedding, detection, mixture, recognition
    (a transcript per input, CTC), language_model (running text), tagging (a label per token), segmentation
    (a class per pixel) or restoration (a picture)."""

    kinds: tuple[str, ...] = ("vector",)
    """The input kinds it can serve (vector, image, sequence, graph, ...), its usual one first."""

    @property
    def input_kind(self) -> str:
        """The kind it serves in this run (the model chooses among ``kinds``; else the usual one)."""
        return self.__dict__.get("_input_kind") or self.kinds[0]

    @input_kind.setter
    def input_kind(self, kind: str) -> None:
        self._input_kind = kind

    class_names: Sequence[str] = ()
    """One name per class index; empty for data without classes (regression, running text)."""

    test_split: str | None = "test"
    """The split the test metrics are measured on; None when the data holds too little for a test split
    worth reporting (then ``split_sources["test"]`` says why, and the run reports no test metrics)."""

    split_sources: dict[str, str] | None = None
    """Where each split came from, for data modules that carve splits out of a file (written to metrics.json)."""

    batch_transform: Callable[[Tensor], Tensor] | None = None
    """Applied to every batch on the device (e.g. uint8 images to float); None keeps batches as stored."""

    batch_mode: BatchMode | None = None
    """How training updates are drawn (the batch group); None where the data batches itself (running text)."""

    @property
    def input_shape(self) -> tuple[int, ...]:  # pragma: no cover - abstract
        """One sample's shape as the model receives it (without the batch dimension)."""
        raise NotImplementedError

    @property
    def num_outputs(self) -> int:  # pragma: no cover - abstract
        """What the model's output layer needs: classes, target columns or vocabulary size."""
        raise NotImplementedError

    @property
    def ledger(self) -> "Ledger":
        """What this run used of each split and what loading changed (dropped, truncated, imputed, unknown)."""
        if "_ledger" not in self.__dict__:
            from aa.data.accounting import Ledger

            self._ledger = Ledger()
        return self._ledger

    def accounting(self) -> dict[str, Any]:
        """The ledger once set up, with the split sizes of in-memory data filled in (metrics.json "data")."""
        if isinstance(self, InMemory):
            for split in ("train", "val", "test"):
                if "samples" not in self.ledger.counts[split]:
                    self.ledger.used(split, len(getattr(self, f"y_{split}")))
        return self.ledger.report(self.split_sources)

    def train_size(self) -> int | None:
        """Training samples once set up, where they are counted one label each; else None."""
        return None

    def input_transform(self) -> "Standardize | None":
        """The input standardisation fitted on the training split, or None (the model's first layer)."""
        return None

    def model_args(self) -> dict[str, Any]:
        """Facts of the data that some models take besides input_shape and num_outputs (by name)."""
        return {}


@runtime_checkable
class ValInputs(Protocol):
    """Validation inputs held as one tensor (the model graph traces two of them)."""

    x_val: Tensor


@runtime_checkable
class InMemory(ValInputs, Protocol):
    """Every split held as tensors once set up (figures draw from them without a loader)."""

    x_train: Tensor
    y_train: Tensor
    y_val: Tensor
    x_test: Tensor
    y_test: Tensor


@runtime_checkable
class Decodes(Protocol):
    """Token-id inputs that can be written back as text (text tables of predictions and samples)."""

    def decode(self, ids: Tensor) -> str: ...


@runtime_checkable
class TestTexts(Protocol):
    """The test split's original texts, shown instead of decoding the (truncated) token ids."""

    test_texts: list[str]


@runtime_checkable
class ReadsInputs(Protocol):
    """Reads files to predict (aa-predict): their names and the inputs as the model receives them."""

    def read_inputs(self, path: str) -> tuple[list[str], Tensor]: ...


@runtime_checkable
class FlagsInputs(Protocol):
    """Names, per row of a file to predict, what was imputed or unseen in training ("" where nothing)."""

    def input_flags(self, path: str) -> list[str]: ...


@runtime_checkable
class OnDevice(Protocol):
    """Held in memory and moved to the training device once, so each update only slices tensors."""

    def to(self, device: torch.device | str) -> Any: ...


@runtime_checkable
class EpochUpdates(Protocol):
    """One epoch of (x, y) updates planned with a caller's own generator (probes, curricula)."""

    def epoch_updates(self, generator: torch.Generator) -> Any: ...


@runtime_checkable
class KnownDensity(Protocol):
    """A generated mixture of Gaussians: its true modes and spread (mode coverage, sample clouds)."""

    centers: Tensor
    std: float


@runtime_checkable
class KnownTarget(Protocol):
    """A generated regression set: the target function without noise (drawn beside the fit)."""

    target: Callable[[Tensor], Tensor]


@runtime_checkable
class TargetUnits(Protocol):
    """Targets standardised for training: ``target_units`` maps them back to the data's own units."""

    def target_units(self, y: Tensor) -> Tensor: ...
