"""Pascal VOC 2012 semantic segmentation through ``torchvision.datasets.VOCSegmentation``: 20 object classes
and background, masks as palette PNGs (palette index = class) whose 255 marks the unlabelled borders of
objects. VOC's ``train`` list (1,464 images) gives the training split and, carved with the seed, the
validation split; VOC's ``val`` list (1,449) is the test split (the test set's masks are not public).
Images and masks are resized to ``image_size`` squares (bilinear, nearest) and held in memory."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from aa.base.errors import ConfigError
from aa.config.download_check import data_root, missing_data
from aa.config.files import shown
from aa.data.segmentation_data import IGNORE_INDEX, SegmentationTensors
from aa.data.segmentation_folder import read_pair
from aa.data.splits import seeded_holdout

CLASSES = ["background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
           "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor"]
BASE = "VOCdevkit/VOC2012"
FILES = ["JPEGImages", "SegmentationClass", "ImageSets/Segmentation/train.txt", "ImageSets/Segmentation/val.txt"]


class VOCSegmentationData(SegmentationTensors):
    """VOC 2012 train (less a seeded validation share) / val (the test split), 21 classes + 255 unlabelled."""

    def __init__(self, root: str | None = None, download: bool = False, image_size: int = 128,
                 val_fraction: float = 0.15, **kwargs) -> None:
        super().__init__(val_fraction=val_fraction, **kwargs)
        self.root, self.download, self.image_size = data_root(root), download, image_size
        self.class_names = list(CLASSES)

    def lists(self) -> dict[str, list[tuple[Path, Path]]]:
        """(image, mask) paths of VOC's train and val lists, as torchvision's VOCSegmentation names them."""
        from torchvision.datasets import VOCSegmentation

        folder = self.root / BASE
        present = all((folder / f).exists() for f in FILES)
        try:
            sets = {s: VOCSegmentation(str(self.root), year="2012", image_set=s, download=self.download and not present)
                    for s in ("train", "val")}
        except (OSError, RuntimeError) as e:
            raise missing_data("Pascal VOC 2012", self.root, folder, FILES, e if self.download else None) from None
        out = {}
        for s, voc in sets.items():
            out[s] = [(Path(i), Path(m)) for i, m in zip(voc.images, voc.targets)]
            lost = next((f for pair in out[s] for f in pair if not f.is_file()), None)
            if lost is not None:
                raise ConfigError("dataset.root", str(self.root), f"ImageSets/Segmentation/{s}.txt names "
                                  f"{lost.stem} but {shown(str(lost))} does not exist",
                                  "the whole VOCtrainval_11-May-2012 archive unpacked, or dataset.download=true")
        return out

    def read(self, pairs: list[tuple[Path, Path]]) -> tuple[Tensor, Tensor]:
        images, masks = [], []
        for image_path, mask_path in pairs:
            image, mask = read_pair(image_path, mask_path, self.image_size, 3)
            bad = mask[(mask != IGNORE_INDEX) & (mask >= len(CLASSES))]
            if len(bad):
                raise ConfigError("dataset.root", str(self.root), f"mask {shown(str(mask_path))} holds class index "
                                  f"{int(bad.max())}; VOC's are 0 to {len(CLASSES) - 1} and 255 (unlabelled)",
                                  "VOC's own SegmentationClass palette PNGs")
            images.append(image), masks.append(mask)
        x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255
        return x.contiguous(), torch.from_numpy(np.stack(masks))

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        lists = self.lists()
        x, y = self.read(lists["train"])
        val, train = seeded_holdout(len(y), self.val_fraction, torch.Generator().manual_seed(self.seed))
        if len(train) == 0:
            raise ConfigError("dataset.val_fraction", self.val_fraction, f"leaves none of VOC's {len(y)} training "
                              "images to train on", "a smaller share")
        self.x_train, self.y_train, self.x_val, self.y_val = x[train], y[train], x[val], y[val]
        self.x_test, self.y_test = self.read(lists["val"])
        where = shown(str(self.root / BASE))
        self.split_sources = {
            "train": f"VOC 2012 train ({where}/ImageSets/Segmentation/train.txt) less the validation images",
            "val": f"{self.val_fraction:.0%} of VOC 2012 train, held out (seed {self.seed})",
            "test": f"VOC 2012 val ({where}/ImageSets/Segmentation/val.txt): never trained on, never used to "
                    "choose the checkpoint"}
        self._loaded = True
        self.count_pixels()
