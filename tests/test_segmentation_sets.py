"""Downloaded segmentation sets, read from tiny folders in their real layouts: Penn-Fudan's pedestrian masks
as person / background, Pascal VOC 2012 through torchvision's VOCSegmentation (21 classes, 255 kept as
unlabelled, VOC val as the test split); either set missing is refused before torch, naming where it looked."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import build, refused, runner
from data_files import voc_palette, write_penn_fudan, write_voc
from PIL import Image

from aa.config.command_line import checked

pytestmark = pytest.mark.usefixtures("one_thread")


def test_penn_fudan_masks_become_person_and_background(tmp_path: Path) -> None:
    root = write_penn_fudan(tmp_path / "penn", n=20)
    _, dm, _ = build(["model=unet", "dataset=penn_fudan_segmentation", f"dataset.root={root}", "dataset.image_size=60"])
    assert dm.class_names == ["background", "person"] and dm.num_outputs == 2
    assert (len(dm.y_train), len(dm.y_val), len(dm.y_test)) == (14, 3, 3)
    assert dm.x_train.shape[1:] == (3, 60, 60) and set(dm.y_train.unique().tolist()) == {0, 1}
    # pedestrians 1 (10x30 px) and 2 (20x25 px) of the 60x50 photo, both class 1, stretched to 60x60
    share = float(dm.y_train.float().mean())
    assert share == pytest.approx((10 * 30 + 20 * 25) / (60 * 50), abs=0.01)
    data = dm.accounting()
    assert data["test"]["samples"] == 3 and data["test"]["pixels"] == 3 * 60 * 60
    assert "of the 20 photos of" in data["sources"]["test"] and "never used to choose" in data["sources"]["test"]


@pytest.mark.slow
def test_unet_learns_the_pedestrians_of_a_penn_fudan_folder(tmp_path: Path) -> None:
    root = write_penn_fudan(tmp_path / "penn", n=40, seed=1)
    metrics = runner(tmp_path)(["model=unet", "dataset=penn_fudan_segmentation", f"dataset.root={root}",
                                "dataset.image_size=32", "model.width=8", "model.depth=2", "trainer.max_epochs=15",
                                "batch.size=8", "callbacks.gradient_stats=null"])
    assert metrics["test"]["iou_person"] >= 0.8 and metrics["test"]["miou"] >= 0.85, metrics["test"]


def test_a_penn_fudan_photo_without_its_mask_is_refused(tmp_path: Path) -> None:
    root = write_penn_fudan(tmp_path / "penn", n=4)
    (root / "PennFudanPed" / "PedMasks" / "FudanPed00002_mask.png").unlink()
    refused(lambda: build(["model=unet", "dataset=penn_fudan_segmentation", f"dataset.root={root}"]),
            r"photo .*FudanPed00002.png has no mask .*FudanPed00002_mask.png")


@pytest.mark.parametrize("dataset, name, folder", [
    ("penn_fudan_segmentation", "Penn-Fudan", "PennFudanPed"),
    ("penn_fudan", "Penn-Fudan", "PennFudanPed"),
    ("voc_segmentation", "Pascal VOC 2012", "VOCdevkit/VOC2012"),
])
def test_a_missing_set_is_refused_before_torch_and_when_built(tmp_path: Path, dataset: str, name: str,
                                                              folder: str) -> None:
    model = "maskrcnn" if dataset == "penn_fudan" else "unet"
    args = [f"model={model}", f"dataset={dataset}", f"dataset.root={tmp_path}", "dataset.download=false"]
    pattern = rf"{name} was not found: looked for .* in {tmp_path / folder}.*dataset.download=true.*AA_DATA"
    refused(lambda: checked(args), pattern)
    if dataset != "penn_fudan":  # the detection view says it its own way once built
        refused(lambda: build(args), pattern)


def test_voc_train_gives_train_and_val_and_voc_val_is_the_test(tmp_path: Path) -> None:
    root = write_voc(tmp_path / "voc", n_train=20, n_val=6)
    checked(["model=unet", "dataset=voc_segmentation", f"dataset.root={root}"])  # present: nothing to refuse
    _, dm, _ = build(["model=unet", "dataset=voc_segmentation", f"dataset.root={root}", "dataset.image_size=24"])
    assert len(dm.class_names) == 21 and dm.class_names[15] == "person" and dm.num_outputs == 21
    assert (len(dm.y_train), len(dm.y_val), len(dm.y_test)) == (17, 3, 6)
    assert dm.x_test.shape[1:] == (3, 24, 24)
    assert set(torch.cat([dm.y_train, dm.y_test]).unique().tolist()) == {0, 1, 15, 255}  # palette indices, border kept
    data = dm.accounting()
    assert data["test"]["unlabelled_pixels"] == int((dm.y_test == 255).sum()) > 0
    assert data["sources"]["test"].startswith("VOC 2012 val") and "VOC 2012 train" in data["sources"]["train"]
    first = torch.cat([dm.y_train, dm.y_val])  # the masks read back: the first training image's square
    assert (first == 15).any() and (first == 1).any()


def test_voc_trains_a_few_batches_and_reports_its_classes(tmp_path: Path) -> None:
    root = write_voc(tmp_path / "voc", n_train=10, n_val=4)
    metrics = runner(tmp_path)(["model=unet", "dataset=voc_segmentation", f"dataset.root={root}",
                                "dataset.image_size=24", "model.width=4", "debug=fast"])
    assert {"miou", "pixel_acc", "iou_person", "iou_aeroplane"} <= set(metrics["test"])
    assert metrics["data"]["test"]["samples"] == 4


def test_bad_voc_files_are_refused_naming_the_file(tmp_path: Path) -> None:
    root = write_voc(tmp_path / "voc", n_train=6, n_val=2)
    base = root / "VOCdevkit" / "VOC2012"
    args = ["model=unet", "dataset=voc_segmentation", f"dataset.root={root}"]
    mask = base / "SegmentationClass" / "2012_train0003.png"
    png = Image.fromarray(np.full((40, 48), 30, np.uint8), mode="P")  # image 3 is 48x40
    png.putpalette(voc_palette())
    png.save(mask)
    refused(lambda: build(args), r"mask .*2012_train0003.png holds class index 30; VOC's are 0 to 20 and 255")
    mask.unlink()
    refused(lambda: build(args), r"train.txt names 2012_train0003 but .*2012_train0003.png does not exist")
