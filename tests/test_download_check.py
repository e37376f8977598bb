"""Torchvision's data sets are looked for before torch loads: missing files with downloads off, or on a
machine that cannot look up any download host, are refused at once; a set on disk is never looked up."""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
from data_files import write_cifar, write_mnist

from aa.base.errors import ConfigError
from aa.config import download_check
from aa.config.download_check import check_downloadable

MNIST = "aa.data.mnist.MNISTData"


def no_lookup(monkeypatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("looked up a host")

    monkeypatch.setattr(download_check, "looked_up", refuse)


def test_a_set_on_disk_is_never_looked_up(tmp_path: Path, monkeypatch) -> None:
    no_lookup(monkeypatch)
    check_downloadable("dataset", {"_target_": MNIST, "root": str(write_mnist(tmp_path / "m")), "download": True})
    check_downloadable("dataset", {"_target_": "aa.data.cifar.CIFAR10Data", "root": str(write_cifar(tmp_path / "c")),
                                   "download": True})


def test_missing_files_with_downloads_off_are_refused_naming_the_folder(tmp_path: Path, monkeypatch) -> None:
    no_lookup(monkeypatch)
    with pytest.raises(ConfigError, match=r"MNIST was not found: looked for train-images-idx3-ubyte.*MNIST/raw"):
        check_downloadable("dataset", {"_target_": MNIST, "root": str(tmp_path), "download": False})


def test_no_host_to_download_from_is_refused_naming_the_hosts(tmp_path: Path, monkeypatch) -> None:
    def unknown(*_: object) -> None:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    with pytest.raises(ConfigError, match=r"none of its download hosts \(www.cs.toronto.edu\) can be looked up"):
        check_downloadable("dataset", {"_target_": "aa.data.cifar.CIFAR100Data", "root": str(tmp_path),
                                       "download": True})


def test_a_host_that_resolves_or_answers_late_leaves_the_download_to_decide(tmp_path: Path, monkeypatch) -> None:
    for answer in (True, None):
        monkeypatch.setattr(download_check, "looked_up", lambda host, a=answer: a)
        check_downloadable("dataset", {"_target_": MNIST, "root": str(tmp_path), "download": True})


@pytest.mark.slow
def test_aa_train_refuses_a_missing_set_before_torch_without_a_run_folder(tmp_path: Path) -> None:
    start = time.perf_counter()
    p = subprocess.run(["aa-train", "dataset=fashion_mnist", f"dataset.root={tmp_path / 'none'}",
                        "dataset.download=false", f"hydra.run.dir={tmp_path / 'run'}"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "FashionMNIST was not found" in p.stderr
    assert time.perf_counter() - start < 5 and not (tmp_path / "run").exists()
