"""Any COCO-format folder: images under ``root`` and a JSON of images, annotations (boxes with polygon or
RLE masks) and categories, so users train on their own labelled pictures. Category ids become labels
1..K in id order; crowd annotations are left out of training targets, as in torchvision's reference."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch.utils.data import Dataset

from aa.base.errors import ConfigError
from aa.config.coco_check import check_coco
from aa.data.detection_data import DetectionData

log = logging.getLogger("aa")

MAX_SIDE, DEFAULT_SIDE = 1333, 512  # torchvision's longest side; the size when the file states none


def rle_decode(segmentation: dict, height: int, width: int) -> np.ndarray:
    """A COCO RLE (compressed string or uncompressed counts) as a boolean mask, by the MAP backend's codec."""
    try:
        from faster_coco_eval.core import mask as codec
    except ImportError:  # the pycocotools backend
        from pycocotools import mask as codec
    rle = segmentation
    if isinstance(rle.get("counts"), list):
        rle = codec.frPyObjects(rle, height, width)
    return codec.decode(rle).astype(bool)


def segmentation_mask(segmentation: Any, box: list[float], height: int, width: int) -> np.ndarray:
    """Polygons are filled; RLE is decoded; an annotation without a mask gets its box filled."""
    if isinstance(segmentation, dict):
        return rle_decode(segmentation, height, width)
    img = Image.new("1", (width, height))
    pen = ImageDraw.Draw(img)
    polygons = [p for p in (segmentation or []) if len(p) >= 6]
    if not polygons:
        x, y, w, h = box
        pen.rectangle([x, y, x + w - 1, y + h - 1], fill=1)
    for p in polygons:
        pen.polygon(list(zip(p[0::2], p[1::2])), fill=1)
    return np.array(img, dtype=bool)


class CocoImages(Dataset):
    """The annotated images of one split: (uint8 image 3xHxW, target with boxes, labels, masks)."""

    def __init__(self, root: Path, images: list[dict], annotations: dict[int, list[dict]],
                 labels: dict[int, int]) -> None:
        self.root, self.images, self.annotations, self.labels = root, images, annotations, labels

    def __len__(self) -> int:
        return len(self.images)

    def annotation_count(self) -> int:
        """Annotations of these images that are used (crowd regions are left out)."""
        return sum(not a.get("iscrowd", 0) for info in self.images for a in self.annotations.get(info["id"], []))

    def __getitem__(self, i: int) -> tuple[torch.Tensor, dict[str, Any]]:
        info = self.images[i]
        image = Image.open(self.root / info["file_name"]).convert("RGB")
        w, h = image.size
        anns = [a for a in self.annotations.get(info["id"], []) if not a.get("iscrowd", 0)]
        boxes = [[x, y, x + bw, y + bh] for x, y, bw, bh in (a["bbox"] for a in anns)]
        masks = [segmentation_mask(a.get("segmentation"), a["bbox"], h, w) for a in anns]
        target = {"boxes": torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4).clamp_(min=0),
                  "labels": torch.tensor([self.labels[a["category_id"]] for a in anns], dtype=torch.int64),
                  "masks": torch.from_numpy(np.stack(masks).astype(np.uint8)) if masks
                  else torch.zeros((0, h, w), dtype=torch.uint8),
                  "image_id": int(info["id"])}
        target["boxes"][:, 0::2].clamp_(max=w)
        target["boxes"][:, 1::2].clamp_(max=h)
        return torch.from_numpy(np.array(image)).permute(2, 0, 1).contiguous(), target  # a writable copy


MIN_TEST_IMAGES = 10
"""A carved test split smaller than this is not measured: one detection more or less would swing its mAP."""


def held_out(fraction: float, total: int, keep: int) -> int:
    """Images a split holds: ``fraction`` of ``total``, at least one, leaving ``keep`` for the other splits."""
    return max(0, min(max(1, round(fraction * total)), total - keep))


class CocoData(DetectionData):
    """Train on ``annotations``; validate on ``val_annotations`` or a held-out share of its images; test on a
    share of the training file's images that neither training nor the choice of checkpoint ever sees."""

    def __init__(self, root: str, annotations: str, val_annotations: str | None = None,
                 image_size: int | None = None, val_fraction: float = 0.2, eval_batch_size: int = 4,
                 test_fraction: float = 0.2, boxes_only: bool = False, workers: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(eval_batch_size=eval_batch_size, workers=workers, **kwargs)
        self.root, self.annotation_files = Path(root).expanduser(), (annotations, val_annotations)
        self.image_size, self.val_fraction, self.boxes_only = image_size or 0, val_fraction, boxes_only
        self.test_fraction = test_fraction

    def make_splits(self) -> dict[str, Dataset]:
        train_file, val_file = self.annotation_files
        data = check_coco(str(self.root), train_file, "dataset.annotations", self.boxes_only)
        boxes = sum(not a.get("segmentation") for a in data["annotations"])
        if boxes:
            log.warning("dataset.boxes_only: %d of %d annotations in %s have no segmentation; their masks are their "
                        "boxes", boxes, len(data["annotations"]), train_file)
        categories = sorted(data["categories"], key=lambda c: c["id"])
        labels = {c["id"]: i + 1 for i, c in enumerate(categories)}
        self.class_names = ["background"] + [str(c.get("name", c["id"])) for c in categories]
        if not self.image_size:  # the detector's size: the largest side the annotation file states
            sides = [max(i.get("width") or 0, i.get("height") or 0) for i in data["images"]]
            self.image_size = min(max(sides, default=0), MAX_SIDE) or DEFAULT_SIDE

        def split(d: dict, images: list[dict]) -> CocoImages:
            by_image: dict[int, list[dict]] = {}
            for a in d["annotations"]:
                by_image.setdefault(a["image_id"], []).append(a)
            return CocoImages(self.root, images, by_image, labels)

        if len(data["images"]) < (2 if val_file else 3):
            raise ConfigError("dataset.annotations", train_file, f"names {len(data['images'])} images; at least "
                              f"{2 if val_file else 3} are needed to hold out {'a test' if val_file else 'val and test'} "
                              "images that training never sees")
        order = np.random.default_rng(self.seed).permutation(len(data["images"]))
        images = [data["images"][i] for i in order]
        n_test = held_out(self.test_fraction, len(images), keep=1)
        if n_test < MIN_TEST_IMAGES:  # a mean average precision over a handful of images is noise
            why = (f"not measured: dataset.test_fraction={self.test_fraction} of the {len(images)} images of "
                   f"{train_file} would hold out {n_test}, fewer than {MIN_TEST_IMAGES} (raise dataset.test_fraction "
                   "or add images for a test split)")
            n_test, self.test_split = 0, None
        if val_file:  # COCO's own val split; the test images are carved from the training file's, never val's
            val_data = check_coco(str(self.root), val_file, "dataset.val_annotations", self.boxes_only)
            splits = {"train": split(data, images[n_test:]), "val": split(val_data, val_data["images"]),
                      "test": split(data, images[:n_test])}
        else:
            n_val = held_out(self.val_fraction, len(images), keep=n_test + 1)
            splits = {"train": split(data, images[n_val + n_test:]), "val": split(data, images[:n_val]),
                      "test": split(data, images[n_val:n_val + n_test])}
        self.split_sources = {"train": f"{train_file} (the rest)", "val": val_file or
                              f"{train_file}: {len(splits['val'])} images held out (seed {self.seed})",
                              "test": f"{train_file}: {len(splits['test'])} images held out (seed {self.seed})"
                              if n_test else why}
        if not n_test:
            del splits["test"]
        self.ledger.unit = "images"
        for name, images_of in splits.items():
            self.ledger.used(name, len(images_of), annotations=images_of.annotation_count())
        if boxes:
            self.ledger.change("file", "imputed", boxes, f"annotations of {train_file} without segmentation: their "
                               "masks are their boxes (dataset.boxes_only=true)")
        return splits
