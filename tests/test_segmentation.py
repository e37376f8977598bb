"""Semantic segmentation: the pixel loss and IoU formulas, U-Net's shapes, U-Net learning the embedded
shapes, a user's folder (class-index and palette masks, carved or given splits) and its bad masks refused."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import Events, build, make_cfg, refused, runner
from data_files import write_segmentation_folder
from PIL import Image

from aa.config.validate import validate

pytestmark = pytest.mark.usefixtures("one_thread")


def test_pixel_cross_entropy_leaves_out_ignored_pixels_and_adds_dice() -> None:
    from aa.task.segmentation import PixelCrossEntropy, soft_dice

    torch.manual_seed(0)
    phi, y = torch.randn(2, 3, 4, 5), torch.randint(0, 3, (2, 4, 5))
    y[0, 0, :] = 255
    plain = PixelCrossEntropy()
    labelled = y != 255
    by_hand = -phi.log_softmax(1).gather(1, y.clamp(max=2)[:, None])[:, 0][labelled].mean()
    assert torch.allclose(plain(phi, y), by_hand)
    changed = phi.clone()
    changed[0, :, 0, :] = 100.0  # scores on unlabelled pixels change nothing
    assert torch.allclose(plain(changed, y), plain(phi, y))
    sure = torch.nn.functional.one_hot(y.clamp(max=2), 3).permute(0, 3, 1, 2).float() * 50
    assert soft_dice(sure, y, 255) == pytest.approx(1.0, abs=1e-4)
    assert PixelCrossEntropy(dice_weight=2.0)(phi, y) == pytest.approx(float(plain(phi, y) + 2 * (1 - soft_dice(phi, y, 255))))


def test_iou_per_class_mean_and_pixel_accuracy_are_the_formulas() -> None:
    from aa.task.segmentation import Segmentation

    obj = Segmentation(num_outputs=3)
    y = torch.tensor([[[0, 0, 1, 1], [2, 2, 255, 1]]])
    pred = torch.tensor([[[0, 1, 1, 1], [2, 0, 0, 1]]])
    phi = torch.nn.functional.one_hot(pred, 3).permute(0, 3, 1, 2).float()
    obj.evaluate(lambda x: x, (phi, y), "test")
    out = obj.compute("test")
    # class 0: TP 1, FP 1 (pixel 5; pixel 6 is unlabelled), FN 1 -> 1/3; class 1: TP 3, FP 1 -> 3/4; class 2: 1/2
    assert out["iou_0"] == pytest.approx(1 / 3) and out["iou_1"] == pytest.approx(3 / 4)
    assert out["iou_2"] == pytest.approx(1 / 2)
    assert out["miou"] == pytest.approx((1 / 3 + 3 / 4 + 1 / 2) / 3)
    assert out["pixel_acc"] == pytest.approx(5 / 7)
    assert list(out)[:3] == ["loss", "miou", "pixel_acc"]


@pytest.mark.parametrize("side", [32, 30, 17])
def test_unet_scores_every_pixel_at_any_size(side: int) -> None:
    from aa.models.unet import UNet

    net = UNet((3, side, side), 5, depth=3, width=4)
    assert net(torch.zeros(2, 3, side, side)).shape == (2, 5, side, side)
    skipless = sum(p.numel() for p in UNet((3, side, side), 5, depth=1, width=4).parameters())
    assert sum(p.numel() for p in net.parameters()) > skipless


@pytest.mark.parametrize("model", ["fcn", "deeplabv3"])
def test_torchvision_segmenters_keep_maps_on_small_images(model: str) -> None:
    cfg, dm, task = build([f"model={model}", "dataset.n_samples=20", "dataset.image_size=32"])
    x = dm.x_val[:2]
    assert task(x).shape == (2, 4, 32, 32)
    body = task.model[1].backbone
    assert body(torch.zeros(1, 3, 32, 32))["out"].shape[-1] == 8  # small stem + dilated last stage: 8x8 maps


def test_shapes_segmentation_classes_follow_the_pixels() -> None:
    _, dm, _ = build(["model=unet", "dataset.n_samples=40"])
    assert dm.class_names == ["background", "square", "circle", "triangle"]
    assert dm.x_train.shape[1:] == (3, 32, 32) and dm.y_train.shape[1:] == (32, 32)
    background = dm.y_train == 0
    for img, bg in zip(dm.x_train, background):  # the background is one colour, every shape pixel another
        colours = img.permute(1, 2, 0)[bg].unique(dim=0)
        assert len(colours) == 1
    assert dm.accounting()["test"]["samples"] == 8


@pytest.mark.slow
def test_unet_learns_the_shapes(tmp_path: Path) -> None:
    metrics = runner(tmp_path)(["model=unet", "dataset.n_samples=500", "dataset.image_size=24", "model.width=8",
                                "trainer.max_epochs=10", "batch.size=8", "callbacks.gradient_stats=null"])
    assert metrics["test"]["miou"] > 0.6, metrics["test"]
    assert metrics["test"]["pixel_acc"] > 0.9
    assert any(t.startswith("val/segmentation") for t in Events(tmp_path / "run").tags("images"))


@pytest.mark.slow
@pytest.mark.parametrize("palette", [False, True])
def test_segmentation_folder_given_splits_trains_and_tests(tmp_path: Path, palette: bool) -> None:
    root = write_segmentation_folder(tmp_path / "data", {"train": 10, "val": 4, "test": 4}, palette)
    metrics = runner(tmp_path)(["model=unet", "dataset=segmentation_folder", f"dataset.root={root}", "model.width=4",
                                "debug=fast"])
    assert "miou" in metrics["test"] and metrics["data"]["test"]["samples"] == 4
    assert metrics["data"]["train"]["unlabelled_pixels"] == 10 * 24
    assert "test/" in metrics["data"]["sources"]["test"]


def test_segmentation_folder_carves_splits_and_counts_classes(tmp_path: Path) -> None:
    root = write_segmentation_folder(tmp_path / "data", {"": 20})
    _, dm, _ = build(["model=unet", "dataset=segmentation_folder", f"dataset.root={root}"])
    assert (len(dm.y_train), len(dm.y_val), len(dm.y_test)) == (13, 3, 4)
    assert dm.class_names == ["background", "class_1", "class_2"] and dm.num_outputs == 3
    assert "held out" in dm.split_sources["test"]


def test_bad_masks_are_refused_naming_the_file(tmp_path: Path) -> None:
    root = write_segmentation_folder(tmp_path / "data", {"train": 4, "val": 2})
    Image.new("L", (20, 20)).save(root / "train" / "masks" / "3.png")
    args = ["model=unet", "dataset=segmentation_folder", f"dataset.root={root}"]
    refused(lambda: build(args), r"3\.png.*20x20 pixels.*24x24; a mask needs its image's size")
    Image.new("RGB", (24, 24)).save(root / "train" / "masks" / "3.png")
    refused(lambda: build(args), r"3\.png.*RGB mask")
    Image.fromarray(np.full((24, 24), 7, np.uint8)).save(root / "train" / "masks" / "3.png")
    refused(lambda: build([*args, "dataset.num_classes=3"]), r"3\.png holds class index 7, at or above the 3 classes")
    (root / "train" / "masks" / "3.png").unlink()
    refused(lambda: validate(make_cfg(args)), r"3\.png has no mask")


def test_classifiers_and_segmenters_do_not_cross() -> None:
    refused(lambda: validate(make_cfg(["model=resnet18", "dataset=shapes_segmentation"])), "segmentation")
    refused(lambda: validate(make_cfg(["model=unet", "dataset=digits"])), "segmentation")


@pytest.mark.slow
def test_predict_writes_a_class_index_mask_per_image_at_its_own_size(tmp_path: Path) -> None:
    from aa.entry.predict import main

    root = write_segmentation_folder(tmp_path / "data", {"train": 8, "val": 2, "test": 2})
    runner(tmp_path)(["model=unet", "dataset=segmentation_folder", f"dataset.root={root}", "model.width=4",
                      "debug=fast"])
    Image.new("RGB", (40, 30), (30, 30, 30)).save(tmp_path / "big.png")
    main([f"ckpt={tmp_path / 'run'}", f"input={root / 'test' / 'images'}", f"output={tmp_path / 'masks'}"])
    main([f"ckpt={tmp_path / 'run'}", f"input={tmp_path / 'big.png'}", f"output={tmp_path / 'masks'}"])
    written = sorted(p.name for p in (tmp_path / "masks").iterdir())
    assert written == ["0.png", "1.png", "big.png"]
    assert Image.open(tmp_path / "masks" / "big.png").size == (40, 30)
    mask = np.asarray(Image.open(tmp_path / "masks" / "0.png"))
    assert mask.shape == (24, 24) and mask.max() < 3
