"""Penn-Fudan pedestrians, the data of torchvision's detection tutorial: 170 photos (PNGImages/) with one
mask image each (PedMasks/*_mask.png) whose pixel value i > 0 marks pedestrian i. Read from
``root/PennFudanPed``; fetched with ``download=true`` (its MD5 checked when ``md5`` is given)."""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset, Subset

from aa.base.errors import ConfigError
from aa.config.download_check import data_root
from aa.data.detection_data import DetectionData

URL = "https://www.cis.upenn.edu/~jshi/ped_html/PennFudanPed.zip"


def fetch(root: Path, md5: str | None) -> None:
    """Download and unpack the zip; a file whose MD5 differs from ``md5`` is removed and refused."""
    from torchvision.datasets.utils import calculate_md5, download_url

    root.mkdir(parents=True, exist_ok=True)
    download_url(URL, str(root), "PennFudanPed.zip")
    archive = root / "PennFudanPed.zip"
    if md5 and calculate_md5(str(archive)) != md5:
        archive.unlink()
        raise ConfigError("dataset.md5", md5, "does not match the downloaded PennFudanPed.zip (removed); "
                          "check the URL or the checksum")
    with zipfile.ZipFile(archive) as z:
        z.extractall(root)


def instances(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One boolean mask and one xyxy box per pixel value > 0 (value 0 is the background)."""
    ids = np.unique(mask)
    ids = ids[ids > 0]
    masks = mask[None] == ids[:, None, None]
    boxes = []
    for m in masks:
        ys, xs = np.nonzero(m)
        boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    return masks, np.array(boxes, dtype=np.float32).reshape(-1, 4)


class PennFudanImages(Dataset):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.names = sorted(p.name for p in (folder / "PNGImages").glob("*.png"))

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, dict[str, Any]]:
        name = self.names[i]
        image = np.asarray(Image.open(self.folder / "PNGImages" / name).convert("RGB"))
        mask = np.asarray(Image.open(self.folder / "PedMasks" / name.replace(".png", "_mask.png")))
        masks, boxes = instances(mask)
        target = {"boxes": torch.from_numpy(boxes), "labels": torch.ones(len(boxes), dtype=torch.int64),
                  "masks": torch.from_numpy(masks.astype(np.uint8)), "image_id": i}
        return torch.from_numpy(image.copy()).permute(2, 0, 1).contiguous(), target


class PennFudanData(DetectionData):
    """Pedestrians vs background; the images are split by the seed into train, val and test."""

    def __init__(self, root: str | None = None, download: bool = False, md5: str | None = None,
                 image_size: int = 512, val_fraction: float = 0.15, test_fraction: float = 0.15,
                 workers: int | None = None, eval_batch_size: int = 4, **kwargs: Any) -> None:
        super().__init__(workers=workers, eval_batch_size=eval_batch_size, **kwargs)
        self.root, self.download, self.md5 = data_root(root), download, md5
        self.image_size, self.fractions = image_size, (val_fraction, test_fraction)
        self.class_names = ["background", "person"]

    def make_splits(self) -> dict[str, Dataset]:
        folder = self.root / "PennFudanPed"
        if not (folder / "PNGImages").is_dir() and self.download:
            fetch(self.root, self.md5)
        if not (folder / "PNGImages").is_dir() or not (folder / "PedMasks").is_dir():
            raise ConfigError("dataset.root", str(self.root), "has no PennFudanPed/PNGImages and PedMasks; "
                              "set dataset.download=true or unpack PennFudanPed.zip there")
        data = PennFudanImages(folder)
        order = np.random.default_rng(self.seed).permutation(len(data)).tolist()
        n_val, n_test = (max(1, round(f * len(data))) for f in self.fractions)
        self.split_sources = {"train": "the other images", "val": f"{n_val} images held out (seed {self.seed})",
                              "test": f"{n_test} further images held out: never train, never choose the checkpoint"}
        return {"val": Subset(data, order[:n_val]), "test": Subset(data, order[n_val:n_val + n_test]),
                "train": Subset(data, order[n_val + n_test:])}
