"""Penn-Fudan pedestrians as semantic segmentation: each photo of ``PennFudanPed/PNGImages`` with its
``PedMasks/*_mask.png``, whose pixel value i > 0 marks pedestrian i, read as two classes: background (0) and
person (every i > 0). The same files and download as the detection view (``aa.data.penn_fudan``); photos
and masks resized to ``image_size`` squares (bilinear, nearest), split by the seed."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from aa.base.errors import ConfigError
from aa.config.download_check import data_root, missing_data
from aa.config.files import shown
from aa.data.penn_fudan import fetch
from aa.data.segmentation_data import SegmentationTensors
from aa.data.segmentation_folder import read_pair
from aa.data.splits import seeded_split_sources

FOLDERS = ["PNGImages", "PedMasks"]


class PennFudanSegmentationData(SegmentationTensors):
    """170 photos in memory as (N, 3, image_size, image_size) with a person/background class per pixel."""

    def __init__(self, root: str | None = None, download: bool = False, md5: str | None = None,
                 image_size: int = 128, val_fraction: float = 0.15, test_fraction: float = 0.15, **kwargs) -> None:
        super().__init__(val_fraction=val_fraction, test_fraction=test_fraction, **kwargs)
        self.root, self.download, self.md5, self.image_size = data_root(root), download, md5, image_size
        self.class_names = ["background", "person"]

    def pairs(self) -> list[tuple[Path, Path]]:
        folder = self.root / "PennFudanPed"
        if not all((folder / f).is_dir() for f in FOLDERS) and self.download:
            try:
                fetch(self.root, self.md5)
            except (OSError, RuntimeError) as e:
                raise missing_data("Penn-Fudan", self.root, folder, FOLDERS, e) from None
        if not all((folder / f).is_dir() for f in FOLDERS):
            raise missing_data("Penn-Fudan", self.root, folder, FOLDERS, None)
        pairs = []
        for image in sorted((folder / "PNGImages").glob("*.png")):
            mask = folder / "PedMasks" / f"{image.stem}_mask.png"
            if not mask.is_file():
                raise ConfigError("dataset.root", str(self.root), f"photo {shown(str(image))} has no mask "
                                  f"{shown(str(mask))}", "each PNGImages/NAME.png with its PedMasks/NAME_mask.png")
            pairs.append((image, mask))
        if not pairs:
            raise ConfigError("dataset.root", str(self.root), f"{shown(str(folder / 'PNGImages'))} holds no PNG photos",
                              "the unpacked PennFudanPed.zip, or dataset.download=true")
        return pairs

    def load(self) -> tuple[Tensor, Tensor]:
        images, masks = zip(*(read_pair(image, mask, self.image_size, 3) for image, mask in self.pairs()))
        x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255
        return x.contiguous(), (torch.from_numpy(np.stack(masks)) > 0).long()

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        super().setup(stage)
        n = len(self.y_train) + len(self.y_val) + len(self.y_test)
        self.split_sources = seeded_split_sources(self.val_fraction, self.test_fraction, self.seed,
                                                  of=f"the {n} photos of {shown(str(self.root / 'PennFudanPed'))}")
        self.count_pixels()
