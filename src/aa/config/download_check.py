"""Data sets that are downloaded (MNIST, Fashion-MNIST, CIFAR-10/100, Penn-Fudan, VOC), looked for before torch
loads: a missing set with `dataset.download=false`, or on a machine that cannot look up any of the set's
download hosts, is refused in under a second, instead of after torch, Lightning and a failed download."""
from __future__ import annotations

import concurrent.futures
import os
import socket
from pathlib import Path

from aa.base.errors import ConfigError

IDX = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
# target -> (name, folder under the root, files or folders, download hosts), as torchvision 0.29 lays them out
SETS: dict[str, tuple[str, str, list[str], tuple[str, ...]]] = {
    "aa.data.mnist.MNISTData": ("MNIST", "MNIST/raw", IDX, ("ossci-datasets.s3.amazonaws.com", "yann.lecun.com")),
    "aa.data.mnist.FashionMNISTData": ("FashionMNIST", "FashionMNIST/raw", IDX,
                                       ("fashion-mnist.s3-website.eu-central-1.amazonaws.com",)),
    "aa.data.cifar.CIFAR10Data": ("CIFAR10", "cifar-10-batches-py",
                                  [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch", "batches.meta"],
                                  ("www.cs.toronto.edu",)),
    "aa.data.cifar.CIFAR100Data": ("CIFAR100", "cifar-100-python", ["train", "test", "meta"], ("www.cs.toronto.edu",)),
    **dict.fromkeys(["aa.data.penn_fudan.PennFudanData", "aa.data.penn_fudan_segmentation.PennFudanSegmentationData"],
                    ("Penn-Fudan", "PennFudanPed", ["PNGImages", "PedMasks"], ("www.cis.upenn.edu",))),
    "aa.data.voc_segmentation.VOCSegmentationData": ("Pascal VOC 2012", "VOCdevkit/VOC2012",
                                                     ["JPEGImages", "SegmentationClass", "ImageSets/Segmentation/train.txt",
                                                      "ImageSets/Segmentation/val.txt"], ("thor.robots.ox.ac.uk",)),
}
LOOKUP_S = 3.0  # a lookup slower than this is not taken as a refusal: the download then decides


def data_root(root: str | None) -> Path:
    """dataset.root, else $AA_DATA, else a per-user cache."""
    return Path(root or os.environ.get("AA_DATA") or Path.home() / ".cache" / "aa" / "data").expanduser()


def missing_data(name: str, root: Path, folder: Path, files: list[str], cause: BaseException | str | None) -> ConfigError:
    """One paragraph: where the data was looked for and the ways to provide it."""
    why = cause if isinstance(cause, str) or cause is None else f"{type(cause).__name__}: {' '.join(str(cause).split())}"
    tried = f"; downloading failed ({why})" if why else ""
    return ConfigError("dataset.root", str(root), f"{name} was not found: looked for {', '.join(files)} in "
                       f"{folder}{tried}. Provide it by running once with network and dataset.download=true, "
                       "or by copying those files there, or by pointing dataset.root (or the AA_DATA "
                       "environment variable) to a folder that has them")


def looked_up(host: str) -> bool | None:
    """Whether the host name resolves (None: no answer within LOOKUP_S)."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(socket.getaddrinfo, host, 443)
    try:
        future.result(timeout=LOOKUP_S)
        return True
    except concurrent.futures.TimeoutError:
        return None
    except OSError:
        return False
    finally:
        pool.shutdown(wait=False)


def check_downloadable(path: str, node: dict) -> None:
    """The set's files are there, or may be downloaded from a host this machine can look up."""
    spec = SETS.get(str(node.get("_target_")))
    if spec is None:
        return
    name, sub, files, hosts = spec
    root = data_root(node.get("root"))
    folder = root / sub
    if all((folder / f).exists() or (folder / f"{f}.gz").is_file() for f in files):
        return
    if not node.get("download", True):
        raise missing_data(name, root, folder, files, None)
    if all(looked_up(h) is False for h in hosts):
        raise missing_data(name, root, folder, files, f"none of its download hosts ({', '.join(hosts)}) can be "
                           "looked up from this machine: no network")
