"""What the semantic-segmentation data sets share: images (N, C, H, W) in [0, 1] with a class index per
pixel (N, H, W), held in memory and served as sliced batches like the other small image sets.

``ignore_index`` marks unlabelled pixels (VOC's 255 on object borders): they count in no loss and no metric."""
from __future__ import annotations

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
