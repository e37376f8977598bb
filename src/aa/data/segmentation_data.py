"""What the semantic-segmentation data sets share: images (N, C, H, W) in [0, 1] with a class index per
pixel (N, H, W), held in memory and served as sliced batches like the other small image sets.

``ignore_index`` marks unlabelled pixels (VOC's 255 on object borders): they count in no loss and no metric."""
from __future__ import annotations

from pathlib import Path

from torch import Tensor

from aa.data.tensor_data import TensorDataModule

IGNORE_INDEX = 255


class SegmentationTensors(TensorDataModule):
    """Dense per-pixel classes; ``num_outputs`` is the number of classes, background included."""

    task = "segmentation"
    kinds = ("segmentation",)
    ignore_index = IGNORE_INDEX

    @property
    def num_outputs(self) -> int:
        self.setup()
        return len(self.class_names)

    def count_pixels(self) -> None:
        """Each split's images, labelled pixels and unlabelled (ignored) pixels, into the ledger."""
        for split in ("train", "val", "test"):
            y: Tensor = getattr(self, f"y_{split}")
            ignored = int((y == self.ignore_index).sum())
            self.ledger.used(split, len(y), pixels=y.numel() - ignored, unlabelled_pixels=ignored)

    def read_images(self, path: str) -> tuple[list[Path], list[tuple[int, int]], Tensor]:
        """aa-predict's inputs: an image file or every image of a folder, as (files, each image's own
        (height, width), images resized to the training size in [0, 1])."""
        import numpy as np
        import torch
        from PIL import Image

        from aa.base.errors import ConfigError
        from aa.config.files import IMAGE_SUFFIXES, shown

        root = Path(path).expanduser()
        files = [root] if root.is_file() else sorted(f for f in root.glob("*") if f.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise ConfigError("input", path, f"is no image and no folder of images (looked in {shown(str(root))})",
                              "an image file or a folder of them")
        channels, height, width = self.input_shape
        sizes, images = [], []
        for f in files:
            image = Image.open(f).convert("L" if channels == 1 else "RGB")
            sizes.append((image.height, image.width))
            array = np.asarray(image.resize((width, height), Image.BILINEAR))
            images.append(array[..., None] if array.ndim == 2 else array)
        x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255
        return files, sizes, x.contiguous()
