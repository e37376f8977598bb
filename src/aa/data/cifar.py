"""CIFAR-10 and CIFAR-100 (Krizhevsky 2009): 50,000 + 10,000 32x32 colour images in python pickles.

torchvision's file layout and download; the pickles are read here because torchvision also checks each
file's MD5, which would refuse the small files in the same format that the tests write."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from aa.config.download_check import missing_data
from aa.data.vision import VisionData


def read_batches(folder: Path, names: list[str], label_key: str) -> tuple[Tensor, Tensor]:
    images, labels = [], []
    for name in names:
        with open(folder / name, "rb") as f:
            entry = pickle.load(f, encoding="latin1")
        images.append(np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
        labels.extend(entry[label_key])
    return torch.from_numpy(np.concatenate(images)), torch.tensor(labels, dtype=torch.long)


class CIFAR10Data(VisionData):
    torchvision_name = "CIFAR10"
    label_key = "labels"

    def load_splits(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        from torchvision import datasets
        from torchvision.datasets.utils import download_and_extract_archive

        source = getattr(datasets, self.torchvision_name)
        folder = self.root / source.base_folder
        train, test = [n for n, _ in source.train_list], [n for n, _ in source.test_list]
        files = train + test + [source.meta["filename"]]
        cause = None
        if self.download and not all((folder / n).is_file() for n in files):
            try:
                download_and_extract_archive(source.url, str(self.root), filename=source.filename, md5=source.tgz_md5)
            except (RuntimeError, OSError) as e:
                cause = e
        if not all((folder / n).is_file() for n in files):
            raise missing_data(self.torchvision_name, self.root, folder, files, cause)
        with open(folder / source.meta["filename"], "rb") as f:
            self.class_names = list(pickle.load(f, encoding="latin1")[source.meta["key"]])
        return (*read_batches(folder, train, self.label_key), *read_batches(folder, test, self.label_key))


class CIFAR100Data(CIFAR10Data):
    torchvision_name = "CIFAR100"
    label_key = "fine_labels"
