"""Image data sets through their real loaders, on tiny files written in the real on-disk formats
(MNIST IDX, CIFAR python pickles, an ImageFolder tree); nothing is downloaded."""
from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import aa_train, make_cfg

from aa.base.errors import ConfigError

SMALL_CNN = ["model=cnn", "model.blocks=[{channels: 8},{channels: 16}]", "model.hidden=[32]", "batch.size=16"]


def patterns(n: int, side: int, channels: int, classes: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images whose class is a bright square at one of ``classes`` places, on noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    x = rng.integers(0, 60, (n, channels, side, side), dtype=np.uint8)
    cell = side // 4
    for i, k in enumerate(y):
        r, c = divmod(int(k), 4)
        x[i, :, r * cell:(r + 1) * cell, c * cell:(c + 1) * cell] = 230
    return x, y.astype(np.uint8)


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> None:
    """LeCun's IDX format: magic (0, 0, type 0x08 = uint8, ndim), big-endian sizes, then the bytes."""
    data = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        with gzip.open(f"{path}.gz", "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


def write_mnist(root: Path, folder: str = "MNIST", n_train: int = 200, n_test: int = 60, compress: bool = False) -> Path:
    raw = root / folder / "raw"
    for prefix, n, seed in (("train", n_train, 0), ("t10k", n_test, 1)):
        x, y = patterns(n, 28, 1, seed=seed)
        write_idx(raw / f"{prefix}-images-idx3-ubyte", x[:, 0], compress)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", y, compress)
    return root


def write_cifar(root: Path, hundred: bool = False, per_batch: int = 40, n_test: int = 60) -> Path:
    """CIFAR's python pickles: dicts with 'data' (N, 3072) uint8 and a label list, plus the meta file."""
    folder = root / ("cifar-100-python" if hundred else "cifar-10-batches-py")
    folder.mkdir(parents=True)
    key = "fine_labels" if hundred else "labels"
    names = ["train"] if hundred else [f"data_batch_{i}" for i in range(1, 6)]
    for i, name in enumerate(names + ["test"] if hundred else names + ["test_batch"]):
        n = n_test if "test" in name else per_batch
        x, y = patterns(n, 32, 3, classes=100 if hundred else 10, seed=i)
        with open(folder / name, "wb") as f:
            pickle.dump({"data": x.reshape(n, -1), key: [int(v) for v in y]}, f)
    meta = {"fine_label_names": [f"c{i}" for i in range(100)]} if hundred else {"label_names": list("abcdefghij")}
    with open(folder / ("meta" if hundred else "batches.meta"), "wb") as f:
        pickle.dump(meta, f)
    return root


def write_image_folder(root: Path, per_class: dict[str, int] = {"train": 24, "val": 10}) -> Path:
    """root/{train,val}/{ants,bees}/*.png: 'ants' images are reddish, 'bees' bluish, sizes vary."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for split, n in per_class.items():
        for k, name in enumerate(("ants", "bees")):
            (root / split / name).mkdir(parents=True)
            for i in range(n):
                h, w = rng.integers(36, 60, 2)
                img = rng.integers(0, 90, (h, w, 3), dtype=np.uint8)
                img[..., 0 if k == 0 else 2] += 150
                Image.fromarray(img).save(root / split / name / f"{i}.png")
    return root


def data_module(overrides: list[str]):
    from aa.run.build import build_data

    return build_data(make_cfg(overrides))


def test_mnist_idx_files_load_as_uint8_with_official_test_split(tmp_path):
    dm = data_module(["dataset=mnist", f"dataset.root={write_mnist(tmp_path)}", "dataset.download=false",
                      "model=cnn"])
    assert dm.x_train.dtype == torch.uint8 and dm.x_train.shape[1:] == (1, 28, 28)
    assert (len(dm.y_train), len(dm.y_val), len(dm.y_test)) == (180, 20, 60)
    assert dm.class_names[0] == "0 - zero" and dm.num_outputs == 10
    x, _ = next(iter(dm.val_dataloader()))
    assert x.dtype == torch.float32 and torch.equal(x, dm.x_val.float() / 255)


def test_vector_models_get_flat_mnist_images(tmp_path):
    dm = data_module(["dataset=mnist", f"dataset.root={write_mnist(tmp_path)}", "dataset.download=false",
                      "model=mlp"])
    assert dm.input_shape == (784,) and dm.x_train.dtype == torch.uint8
    standardize = dm.input_transform()
    assert standardize.mean.shape == (784,)


@pytest.mark.slow
def test_cnn_learns_mnist_files_through_the_real_loader(run, tmp_path):
    metrics = run(["dataset=mnist", f"dataset.root={write_mnist(tmp_path)}", "dataset.download=false",
                   *SMALL_CNN, "trainer.max_epochs=6"])
    assert metrics["test"]["acc"] >= 0.9


def test_fashion_mnist_reads_the_distributed_gz_files(tmp_path):
    root = write_mnist(tmp_path, folder="FashionMNIST", compress=True)
    dm = data_module(["dataset=fashion_mnist", f"dataset.root={root}", "dataset.download=false", "model=cnn"])
    assert dm.class_names[0] == "T-shirt/top" and len(dm.y_test) == 60
    assert (root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").is_file()


@pytest.mark.slow
def test_cnn_learns_cifar10_pickles_through_the_real_loader(run, tmp_path):
    root = write_cifar(tmp_path)
    metrics = run(["dataset=cifar10", f"dataset.root={root}", "dataset.download=false", *SMALL_CNN,
                   "trainer.max_epochs=8"])
    assert metrics["test"]["acc"] >= 0.9


def test_cifar100_uses_fine_labels_and_their_names(tmp_path):
    dm = data_module(["dataset=cifar100", f"dataset.root={write_cifar(tmp_path, hundred=True)}",
                      "dataset.download=false", "model=cnn"])
    assert dm.num_outputs == 100 and dm.class_names[99] == "c99"
    assert dm.x_test.shape == (60, 3, 32, 32) and dm.x_test.dtype == torch.uint8
    assert int(dm.y_test.max()) == 59


@pytest.mark.slow
def test_image_folder_tree_trains_with_dataloader_workers(run, tmp_path):
    root = write_image_folder(tmp_path / "hymenoptera")
    metrics = run(["dataset=image_folder", f"dataset.root={root}", "dataset.image_size=32", "dataset.workers=1",
                   *SMALL_CNN, "batch.size=8", "trainer.max_epochs=4"])
    assert metrics["test"]["acc"] >= 0.9


def test_image_folder_without_val_split_names_what_it_needs(tmp_path):
    root = write_image_folder(tmp_path / "tree", {"train": 2})
    with pytest.raises(ConfigError, match="needs train/ and val/ subfolders"):
        data_module(["dataset=image_folder", f"dataset.root={root}", "model=cnn"])


@pytest.mark.parametrize("name, folder", [("mnist", "MNIST/raw"), ("cifar10", "cifar-10-batches-py")])
def test_missing_data_names_where_it_looked_and_how_to_provide_it(tmp_path, name, folder):
    with pytest.raises(ConfigError) as info:
        data_module([f"dataset={name}", f"dataset.root={tmp_path}", "dataset.download=false", "model=cnn"])
    message = str(info.value)
    assert str(tmp_path / folder) in message and "dataset.download=true" in message and "AA_DATA" in message


def test_root_defaults_to_the_aa_data_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("AA_DATA", str(write_mnist(tmp_path)))
    dm = data_module(["dataset=mnist", "dataset.download=false", "model=cnn"])
    assert len(dm.y_test) == 60


@pytest.mark.slow
def test_aa_train_without_mnist_exits_with_one_paragraph_and_no_traceback(tmp_path):
    p = aa_train("dataset=mnist", "dataset.download=false", "model=cnn", f"hydra.run.dir={tmp_path / 'run'}",
                 env={"AA_DATA": str(tmp_path / "empty")})
    assert p.returncode != 0 and "Traceback" not in p.stdout + p.stderr
    assert "MNIST was not found" in p.stderr and str(tmp_path / "empty") in p.stderr
