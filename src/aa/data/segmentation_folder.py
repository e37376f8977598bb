"""A user's segmentation folder: ``images/`` and ``masks/`` with the same file stems, masks as class-index
PNGs (grey value = class) or palette PNGs (palette index = class, as Pascal VOC's), 255 marking unlabelled
pixels. Either one such pair of folders, carved into train/val/test with the seed, or ``train/``, ``val/``
(and optionally ``test/``) each holding both; without ``test/`` a seeded share of ``train/`` is held out.

A mask whose size differs from its image's, an RGB mask, or a class index at or above ``num_classes`` is
refused before training, naming the file."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from aa.base.errors import ConfigError
from aa.config.files import require_segmentation_tree, shown
from aa.data.segmentation_data import IGNORE_INDEX, SegmentationTensors
from aa.data.splits import seeded_holdout

MASK_MODES = ("L", "P", "I", "I;16", "1")


def read_pair(image_path: Path, mask_path: Path, size: int | None, channels: int) -> tuple[np.ndarray, np.ndarray]:
    """(image HxWxC uint8, class index per pixel HxW int64), resized to size x size if ``size`` is set."""
    image = Image.open(image_path)
    mask = Image.open(mask_path)
    if mask.mode not in MASK_MODES:
        raise ConfigError("dataset.root", shown(str(mask_path)), f"is a {mask.mode} mask; a mask holds one class index "
                          "per pixel: a grey (L) PNG whose values are the classes, or a palette (P) PNG whose indices are",
                          "convert it, e.g. Image.fromarray(class_array.astype('uint8')).save('mask.png')")
    if mask.size != image.size:
        raise ConfigError("dataset.root", shown(str(mask_path)), f"this mask is {mask.size[0]}x{mask.size[1]} pixels "
                          f"but its image {shown(str(image_path))} is {image.size[0]}x{image.size[1]}; a mask needs "
                          "its image's size", "a mask of the image's size")
    image = image.convert("L" if channels == 1 else "RGB")
    if size is not None:
        image = image.resize((size, size), Image.BILINEAR)
        mask = mask.resize((size, size), Image.NEAREST)
    array = np.asarray(image)
    return (array[..., None] if array.ndim == 2 else array), np.asarray(mask).astype(np.int64)


class SegmentationFolderData(SegmentationTensors):
    """Every pair read once into memory; splits as the folder gives them or carved with the seed."""

    def __init__(self, root: str = "???", image_size: int | None = None, num_classes: int | None = None,
                 classes: list[str] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.root, self.image_size, self.num_classes, self.classes = root, image_size, num_classes, classes

    def read(self, pairs: list[tuple[Path, Path]], channels: int) -> tuple[torch.Tensor, torch.Tensor]:
        images, masks, first = [], [], None
        for image_path, mask_path in pairs:
            image, mask = read_pair(image_path, mask_path, self.image_size, channels)
            if first is None:
                first = (image_path, image.shape)
            elif image.shape != first[1]:
                raise ConfigError("dataset.image_size", None, f"{shown(str(image_path))} is {image.shape[1]}x"
                                  f"{image.shape[0]} but {shown(str(first[0]))} is {first[1][1]}x{first[1][0]}; "
                                  "images of different sizes need a common size", "dataset.image_size=N (e.g. 128)")
            bad = mask[(mask != IGNORE_INDEX) & (mask >= (self.num_classes or IGNORE_INDEX))]
            if len(bad):
                raise ConfigError("dataset.num_classes", self.num_classes, f"mask {shown(str(mask_path))} holds class "
                                  f"index {int(bad.max())}, at or above the {self.num_classes} classes",
                                  f"dataset.num_classes={int(bad.max()) + 1} or more, or 255 for unlabelled pixels")
            images.append(image)
            masks.append(mask)
        x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255
        return x.contiguous(), torch.from_numpy(np.stack(masks))

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        tree = require_segmentation_tree("dataset.root", self.root)
        first = next(iter(tree.values()))[0][0]
        channels = 1 if Image.open(first).mode in ("L", "1", "I", "I;16") else 3
        read = {name: self.read(pairs, channels) for name, pairs in tree.items()}
        g = torch.Generator().manual_seed(self.seed)
        if "all" in read:
            x, y = read["all"]
            order = torch.randperm(len(y), generator=g)
            n_test, n_val = max(1, round(len(y) * self.test_fraction)), max(1, round(len(y) * self.val_fraction))
            parts = {"test": order[:n_test], "val": order[n_test:n_test + n_val], "train": order[n_test + n_val:]}
            splits = {s: (x[i], y[i]) for s, i in parts.items()}
            where = shown(str(Path(self.root)))
            self.split_sources = {"train": f"the rest of {where}/images",
                                  "val": f"{self.val_fraction:.0%} of {where}/images (seed {self.seed})",
                                  "test": f"{self.test_fraction:.0%} of {where}/images, held out (seed {self.seed}; "
                                          "never used to choose the checkpoint)"}
        else:
            splits = dict(read)
            where = shown(str(Path(self.root)))
            self.split_sources = {s: f"{where}/{s}/" for s in splits}
            if "test" not in splits:
                x, y = splits["train"]
                test, train = seeded_holdout(len(y), self.test_fraction, g)
                splits["test"], splits["train"] = (x[test], y[test]), (x[train], y[train])
                self.split_sources["test"] = (f"{self.test_fraction:.0%} of {where}/train/, held out (seed {self.seed}; "
                                              "never used to choose the checkpoint)")
                self.split_sources["train"] = f"the rest of {where}/train/"
        for split, (x, y) in splits.items():
            if len(y) == 0:
                raise ConfigError("dataset.root", self.root, f"leaves no images for the {split} split",
                                  "more images, or smaller dataset.val_fraction / dataset.test_fraction")
            setattr(self, f"x_{split}", x)
            setattr(self, f"y_{split}", y)
        labels = torch.cat([self.y_train, self.y_val, self.y_test])
        n = self.num_classes or int(labels[labels != IGNORE_INDEX].max()) + 1
        n = max(n, 2)
        self.class_names = list(self.classes) if self.classes else ["background"] + [f"class_{i}" for i in range(1, n)]
        if len(self.class_names) != n:
            raise ConfigError("dataset.classes", self.classes, f"names {len(self.class_names)} classes but the masks "
                              f"hold {n}", f"{n} names, background first")
        self._loaded = True
        self.count_pixels()
