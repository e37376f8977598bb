"""Generated semantic-segmentation data: the embedded shapes (squares, circles, triangles on a random
background, aa/data/shapes.py) with a class per pixel, background included; no download, no files.

Where shapes overlap, the pixel belongs to the one drawn last (the one you see). Same seed, same images."""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from aa.data.segmentation_data import SegmentationTensors
from aa.data.shapes import CLASSES, make_image


def class_map(size: int, rng: np.random.Generator, max_shapes: int,
              scale: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """(image HxWx3 uint8, class index per pixel HxW) for one generated picture."""
    image, _, labels, masks = make_image(size, rng, max_shapes, min_pixels=1, scale=scale)
    target = np.zeros((size, size), dtype=np.int64)
    for label, mask in zip(labels, masks):  # visible parts only: the masks do not overlap
        target[mask.astype(bool)] = label
    return image, target


class ShapesSegmentationData(SegmentationTensors):
    """``n_samples`` generated images, split with the seed into train/val/test (a held-out test split)."""

    def __init__(self, image_size: int = 32, n_samples: int = 1200, max_shapes: int = 3,
                 min_scale: float = 0.25, max_scale: float = 0.55, **kwargs) -> None:
        super().__init__(**kwargs)
        self.image_size, self.n_samples, self.max_shapes = image_size, n_samples, max_shapes
        self.scale = (min_scale, max_scale)
        self.class_names = list(CLASSES)

    def load(self) -> tuple[Tensor, Tensor]:
        images, targets = [], []
        for i in range(self.n_samples):
            image, target = class_map(self.image_size, np.random.default_rng([self.seed, 7, i]), self.max_shapes,
                                      self.scale)
            images.append(image)
            targets.append(target)
        x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255
        return x.contiguous(), torch.from_numpy(np.stack(targets))

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        super().setup(stage)
        self.split_sources = {s: f"{text} ({self.n_samples} images generated from seed {self.seed})"
                              for s, text in self.split_sources.items()}
        self.count_pixels()
