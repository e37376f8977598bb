"""What every detection data set shares: images of any size as lists, one target dict per image
(boxes xyxy in pixels, labels with 0 = background, masks N x H x W), loaders for the batch modes, and
augmentation on the training split only."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from aa.data.batching import BatchMode, FullBatch, MiniBatch, Online
from aa.data.contract import DataModule
from aa.data.detection_transforms import build_transforms
from aa.data.image_folder import Limited
from aa.data.workers import loader_workers


class Transformed(Dataset):
    """A split whose (image, target) pairs pass through ``transform`` (the training augmentation)."""

    def __init__(self, data: Dataset, transform: Callable) -> None:
        self.data, self.transform = data, transform

    def __len__(self) -> int:
        return len(self.data)  # type: ignore[arg-type]

    def __getitem__(self, i: int) -> tuple[Tensor, dict]:
        return self.transform(*self.data[i])


def as_lists(items: list[tuple[Tensor, dict]]) -> tuple[list[Tensor], list[dict]]:
    """A batch as torchvision's detectors take it: a list of images and a list of targets."""
    return [x for x, _ in items], [t for _, t in items]


def as_chunk(items: list[tuple[Tensor, dict]]) -> list[tuple[list[Tensor], list[dict]]]:
    """A training batch as a chunk of one update (the shared loop iterates over a chunk's updates)."""
    return [as_lists(items)]


class DetectionData(DataModule):
    """Sub-classes set ``class_names`` (index 0: background) and return their splits in ``make_splits``."""

    task = "detection"
    kinds = ("detection",)

    def __init__(self, transforms: Sequence[str] = ("flip",), workers: int | None = 0, eval_batch_size: int = 16,
                 seed: int = 0, batch_mode: BatchMode | None = None, **_: object) -> None:
        super().__init__()
        self.transforms, self.workers, self.eval_batch_size = list(transforms), loader_workers(workers), eval_batch_size
        self.seed, self.batch_mode = seed, batch_mode or MiniBatch(4)
        self.class_names: list[str] = ["background"]
        self.splits: dict[str, Dataset] = {}
        self.image_size = 0

    def make_splits(self) -> dict[str, Dataset]:  # pragma: no cover - abstract
        raise NotImplementedError

    def setup(self, stage: str | None = None) -> None:
        if not self.splits:
            self.splits = self.make_splits()
            self.ledger.unit = "images"
            for split, data in self.splits.items():
                if "samples" not in self.ledger.counts.get(split, {}):
                    self.ledger.used(split, len(data))

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (3, self.image_size, self.image_size)

    @property
    def num_outputs(self) -> int:
        """Classes including the background, as torchvision's detectors count them."""
        self.setup()
        return len(self.class_names)

    def input_transform(self) -> None:
        """Detectors normalise their inputs themselves (GeneralizedRCNNTransform)."""
        return None

    def _loader(self, data: Dataset, size: int, shuffle: bool, collate: Callable) -> DataLoader:
        return DataLoader(data, batch_size=size, shuffle=shuffle, num_workers=self.workers, collate_fn=collate,
                          persistent_workers=self.workers > 0, generator=torch.Generator().manual_seed(self.seed))

    def train_dataloader(self) -> Limited:
        """The batch mode as a loader of one-update chunks: mini-batches of B, single images, or all N."""
        self.setup()
        data, mode = self.splits["train"], self.batch_mode
        augment = build_transforms(self.transforms, self.image_size)
        if augment is not None:
            data = Transformed(data, augment)
        if isinstance(mode, MiniBatch):
            size, shuffle = mode.size, mode.shuffle
        else:
            size, shuffle = (len(data), False) if isinstance(mode, FullBatch) else (1, not isinstance(mode, Online))
        return Limited(self._loader(data, size, shuffle, as_chunk), mode.limit)

    def val_dataloader(self) -> DataLoader:
        self.setup()
        return self._loader(self.splits["val"], self.eval_batch_size, False, as_lists)

    def test_dataloader(self) -> DataLoader:
        self.setup()
        return self._loader(self.splits["test"], self.eval_batch_size, False, as_lists)

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        """uint8 images become floats in [0, 1] on the device."""
        def floats(images: list[Tensor]) -> list[Tensor]:
            return [x.float().div_(255) if x.dtype == torch.uint8 else x for x in images]

        if isinstance(batch, list):
            return [(floats(x), t) for x, t in batch]
        return floats(batch[0]), batch[1]
