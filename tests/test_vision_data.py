"""Image data sets through their real loaders, on tiny files written in the real on-disk formats
(MNIST IDX, CIFAR python pickles, an ImageFolder tree); nothing is downloaded."""
from __future__ import annotations


import pytest
import torch
from conftest import aa_train, make_cfg
from data_files import write_cifar, write_image_folder, write_mnist

from aa.base.errors import ConfigError

SMALL_CNN = ["model=cnn", "model.blocks=[{channels: 8},{channels: 16}]", "model.hidden=[32]", "batch.size=16"]


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
