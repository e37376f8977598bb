"""Any tree of images by class, root/{train,val}[,test]/<class>/<image> (the lecture's ants vs bees),
decoded and resized by DataLoader workers; on the device batches become float and, in training only,
pass through the augmentation."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import logging

import torch
from torch import Tensor
from torch.utils.data import DataLoader, Subset

from aa.base.errors import ConfigError
from aa.data.batching import BatchMode, FullBatch, MiniBatch, Online
from aa.data.contract import DataModule
from aa.data.splits import stratified_holdout
from aa.data.workers import loader_workers
from aa.nn.input import Standardize

log = logging.getLogger("aa")
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


class Limited:
    """At most ``limit`` batches of a loader per epoch (batch.limit, for quick checks)."""

    def __init__(self, loader: DataLoader, limit: int | None) -> None:
        self.loader, self.limit = loader, limit

    def __len__(self) -> int:
        return min(len(self.loader), self.limit) if self.limit else len(self.loader)

    def __iter__(self) -> Iterator:
        for i, batch in enumerate(self.loader):
            if i == len(self):
                return
            yield batch


class ImageFolderData(DataModule):
    task = "classification"
    kinds = ("image",)

    def __init__(self, root: str, image_size: int | None = None, workers: int | None = None, standardize: bool = True,
                 seed: int = 0, batch_mode: BatchMode | None = None, augment: Callable | None = None,
                 eval_batch_size: int = 64, test_fraction: float = 0.2, **_: object) -> None:
        super().__init__()
        self.test_fraction = test_fraction
        self.root, self.image_size, self.workers = Path(root).expanduser(), image_size, loader_workers(workers)
        self.standardize, self.seed, self.augment = standardize, seed, augment
        self.batch_mode, self.eval_batch_size = batch_mode or MiniBatch(), eval_batch_size
        self.class_names: list[str] = []
        self.splits: dict[str, Any] = {}
        if self.image_size is None:
            self.image_size = own_size(self.root)

    def setup(self, stage: str | None = None) -> None:
        if self.splits:
            return
        from torchvision import transforms
        from torchvision.datasets import ImageFolder

        size = self.image_size
        prepare = transforms.Compose([transforms.Resize(size), transforms.CenterCrop(size)])
        found = {s: self.root / s for s in ("train", "val", "test") if (self.root / s).is_dir()}
        if "train" not in found or "val" not in found:
            raise ConfigError("dataset.root", str(self.root), "needs train/ and val/ subfolders, each with one "
                              "folder of images per class (e.g. hymenoptera_data/train/ants/*.jpg)")
        self.splits = {s: ImageFolder(str(p), transform=prepare, loader=decode_rgb) for s, p in found.items()}
        self.class_names = list(self.splits["train"].classes)
        for split, ds in self.splits.items():
            if ds.classes != self.class_names:
                raise ConfigError("dataset.root", str(self.root), f"{split}/ has classes {ds.classes} but "
                                  f"train/ has {self.class_names}")
        self.split_sources = {s: f"{s}/" for s in self.splits}
        targets = list(self.splits["train"].targets)
        if "test" not in self.splits:  # held out of train/, stratified and seeded: val/ still chooses the checkpoint
            test, train = stratified_holdout(targets, self.test_fraction, self.seed)
            full = self.splits["train"]
            self.splits["train"], self.splits["test"] = Subset(full, train), Subset(full, test)
            targets = [targets[i] for i in train]
            self.split_sources.update(train="train/ less the test images", test=f"{len(test)} images of train/ held "
                                      f"out ({self.test_fraction:.0%} of each class, seed {self.seed}): no test/ folder")
        self.y_train = torch.tensor(targets)
        self.ledger.unit = "images"
        for split, ds in self.splits.items():
            self.ledger.used(split, len(ds))

    def train_size(self) -> int:
        self.setup()
        return len(self.y_train)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (3, self.image_size, self.image_size)

    @property
    def num_outputs(self) -> int:
        self.setup()
        return len(self.class_names)

    def read_inputs(self, path: str) -> tuple[list[str], Tensor]:
        """Images to predict: one file, or every image in a folder (and its subfolders), by name."""
        from torchvision import transforms

        from aa.config.files import IMAGE_SUFFIXES

        p = Path(path).expanduser()
        files = [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES)
        size = self.image_size
        prepare = transforms.Compose([transforms.Resize(size), transforms.CenterCrop(size)])
        x = torch.stack([prepare(decode_rgb(str(f))) for f in files]).float().div_(255)
        return [str(f) for f in files], x

    def input_transform(self) -> Standardize | None:
        """ImageNet's channel statistics: what pretrained backbones expect, and close for most photos."""
        if not self.standardize:
            return None
        std = torch.tensor(IMAGENET_STD).view(3, 1, 1)
        return Standardize(torch.tensor(IMAGENET_MEAN).view(3, 1, 1), std * std, eps=0.0)

    def _loader(self, split: str, batch_size: int, shuffle: bool) -> DataLoader:
        return DataLoader(self.splits[split], batch_size=batch_size, shuffle=shuffle, num_workers=self.workers,
                          persistent_workers=self.workers > 0, pin_memory=torch.cuda.is_available(),
                          generator=torch.Generator().manual_seed(self.seed))

    def train_dataloader(self) -> Limited:
        """The batch mode as a loader: mini-batches of B, single samples (incremental, on-line) or all N."""
        mode, n = self.batch_mode, len(self.y_train)
        if isinstance(mode, MiniBatch):
            size, shuffle = mode.size, mode.shuffle
        else:
            size, shuffle = (n, False) if isinstance(mode, FullBatch) else (1, not isinstance(mode, Online))
        return Limited(self._loader("train", size, shuffle), mode.limit)

    def val_dataloader(self) -> DataLoader:
        return self._loader("val", self.eval_batch_size, False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", self.eval_batch_size, False)

    def on_after_batch_transfer(self, batch: tuple[Tensor, Tensor], dataloader_idx: int) -> Any:
        """uint8 to float on the device; a training batch is augmented and wrapped as a chunk of one update."""
        x, y = batch
        x = x.float().div_(255)
        if self.trainer is not None and self.trainer.training:
            return [(self.augment(x) if self.augment else x, y)]
        return x, y


DECODED_BY_TORCHVISION = (".jpg", ".jpeg", ".png", ".webp", ".gif")


def decode_rgb(path: str) -> Tensor:
    """An image file as a 3 x H x W uint8 tensor. torchvision.io decodes JPEG and PNG about twice as fast as
    PIL here (scripts/bench_input.py); PIL reads what it does not (BMP, TIFF) and any file it refuses."""
    from torchvision import io

    if path.lower().endswith(DECODED_BY_TORCHVISION):
        try:
            return io.decode_image(path, mode=io.ImageReadMode.RGB)
        except RuntimeError:
            pass
    from PIL import Image
    from torchvision.transforms.functional import pil_to_tensor

    with Image.open(path) as im:
        return pil_to_tensor(im.convert("RGB"))


def own_size(root: Path) -> int:
    """The side of the first training image (its shorter side, as Resize + CenterCrop keep it)."""
    from PIL import Image

    from aa.config.files import first_image

    first = first_image(root) if (root / "train").is_dir() else None
    if first is None:
        return 224
    with Image.open(first) as im:
        side = min(im.size)
    log.info("dataset.image_size: %d px, the size of the images (%s); set dataset.image_size to resize", side, first)
    return side
