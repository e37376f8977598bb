"""MNIST (LeCun: 60,000 + 10,000 handwritten digits) and Fashion-MNIST (Zalando: clothes, same format):
28x28 grey images in IDX files, read and downloaded by torchvision."""
from __future__ import annotations

import gzip
import shutil

from torch import Tensor

from aa.config.download_check import missing_data
from aa.data.vision import VisionData


class MNISTData(VisionData):
    torchvision_name = "MNIST"

    def load_splits(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        from torchvision import datasets

        source = getattr(datasets, self.torchvision_name)
        raw = self.root / self.torchvision_name / "raw"
        files = [r[0].removesuffix(".gz") for r in source.resources]
        for name in files:  # the .gz files as distributed: unpack them where torchvision reads
            packed = raw / f"{name}.gz"
            if packed.is_file() and not (raw / name).is_file():
                with gzip.open(packed) as src, open(raw / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        try:
            train = source(str(self.root), train=True, download=self.download)
            test = source(str(self.root), train=False, download=False)
        except (RuntimeError, OSError) as e:
            raise missing_data(self.torchvision_name, self.root, raw, files, e if self.download else None) from None
        self.class_names = list(train.classes)
        return train.data.unsqueeze(1), train.targets, test.data.unsqueeze(1), test.targets


class FashionMNISTData(MNISTData):
    torchvision_name = "FashionMNIST"
