"""Generated detection data: squares, circles and triangles on a random background, drawn from the seed.

Each image holds 1-4 shapes of random size, colour and position; later shapes cover earlier ones, so an
instance's mask is what is still visible of it and its box is that mask's extent (instances hidden below
``min_pixels`` are dropped, so no box is degenerate). Same seed, same images: no download, no files.
"""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch.utils.data import Dataset

from aa.data.detection_data import DetectionData

CLASSES = ("background", "square", "circle", "triangle")
SPLIT_OFFSET = {"train": 0, "val": 1, "test": 2}


def draw_shape(kind: int, size: int, rng: np.random.Generator,
               scale: tuple[float, float] = (0.15, 0.4)) -> np.ndarray:
    """One filled shape as a boolean mask of a size x size image; its side a ``scale`` share of the image's."""
    side = rng.uniform(*scale) * size
    cx, cy = rng.uniform(side / 2, size - side / 2, 2)
    r = side / 2
    img = Image.new("1", (size, size))
    pen = ImageDraw.Draw(img)
    if kind == 1:
        pen.rectangle([cx - r, cy - r, cx + r, cy + r], fill=1)
    elif kind == 2:
        pen.ellipse([cx - r, cy - r, cx + r, cy + r], fill=1)
    else:
        pen.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=1)
    return np.array(img, dtype=bool)


def make_image(size: int, rng: np.random.Generator, max_shapes: int = 4, min_pixels: int = 12,
               scale: tuple[float, float] = (0.15, 0.4)) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(image HxWx3 uint8, boxes Nx4 xyxy, labels N, masks NxHxW) for one generated picture."""
    background = rng.integers(0, 256, 3)
    image = np.broadcast_to(background, (size, size, 3)).astype(np.uint8).copy()
    kinds = rng.integers(1, len(CLASSES), rng.integers(1, max_shapes + 1))
    masks, labels = [], []
    for kind in kinds:
        mask = draw_shape(int(kind), size, rng, scale)
        colour = rng.integers(0, 256, 3)
        while np.abs(colour - background).sum() < 120:  # keep every shape visible against the background
            colour = rng.integers(0, 256, 3)
        image[mask] = colour
        masks = [m & ~mask for m in masks] + [mask]
        labels.append(int(kind))
    kept = [(m, k) for m, k in zip(masks, labels) if m.sum() >= min_pixels]
    boxes = []
    for m, _ in kept:
        ys, xs = np.nonzero(m)
        boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    return (image, np.array(boxes, dtype=np.float32).reshape(-1, 4), np.array([k for _, k in kept], dtype=np.int64),
            np.stack([m for m, _ in kept]).astype(np.uint8) if kept else np.zeros((0, size, size), np.uint8))


class ShapesSet(Dataset):
    """``n`` images of one split; image i is drawn from (seed, split, i), so it never changes."""

    def __init__(self, n: int, size: int, seed: int, split: str, max_shapes: int = 4) -> None:
        self.n, self.size, self.seed, self.split, self.max_shapes = n, size, seed, split, max_shapes

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        rng = np.random.default_rng([self.seed, SPLIT_OFFSET[self.split], i])
        image, boxes, labels, masks = make_image(self.size, rng, self.max_shapes)
        target = {"boxes": torch.from_numpy(boxes), "labels": torch.from_numpy(labels),
                  "masks": torch.from_numpy(masks), "image_id": i}
        return torch.from_numpy(image).permute(2, 0, 1).contiguous(), target


class ShapesData(DetectionData):
    """Squares, circles and triangles (the matterport Mask R-CNN "shapes" sample), generated in code."""

    def __init__(self, image_size: int = 128, n_train: int = 1000, n_val: int = 100, n_test: int = 200,
                 max_shapes: int = 4, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.image_size, self.max_shapes = image_size, max_shapes
        self.sizes = {"train": n_train, "val": n_val, "test": n_test}
        self.class_names = list(CLASSES)

    def make_splits(self) -> dict[str, Dataset]:
        self.split_sources = {s: f"{n} images generated for {s} (seed {self.seed}, drawn apart from the others)"
                              for s, n in self.sizes.items()}
        return {s: ShapesSet(n, self.image_size, self.seed, s, self.max_shapes) for s, n in self.sizes.items()}
