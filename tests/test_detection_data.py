"""Detection data: generated shapes, COCO folders (polygons and RLE), Penn-Fudan files in their real
format, augmentation that moves boxes and masks with the pixels, and the checks of bad COCO folders."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from data_files import write_coco, write_penn_fudan

from aa.base.errors import ConfigError
from aa.data.coco import CocoData
from aa.config.coco_check import check_coco
from aa.data.detection_transforms import build_transforms
from aa.data.penn_fudan import PennFudanData
from aa.data.shapes import ShapesData, ShapesSet


def extent(mask: torch.Tensor) -> list[float]:
    ys, xs = torch.nonzero(mask, as_tuple=True)
    return [xs.min().item(), ys.min().item(), xs.max().item() + 1, ys.max().item() + 1]


def test_shapes_come_from_the_seed_with_tight_boxes_and_disjoint_masks() -> None:
    data, again, other = ShapesSet(40, 64, 7, "train"), ShapesSet(40, 64, 7, "train"), ShapesSet(40, 64, 8, "train")
    assert torch.equal(data[3][0], again[3][0]) and not torch.equal(data[3][0], other[3][0])
    counts = set()
    for i in range(len(data)):
        image, t = data[i]
        assert image.shape == (3, 64, 64) and image.dtype == torch.uint8
        assert 1 <= len(t["boxes"]) <= 4 and set(t["labels"].tolist()) <= {1, 2, 3}
        counts.add(len(t["boxes"]))
        assert t["masks"].sum(0).max() <= 1  # a pixel belongs to the shape on top only
        for box, mask in zip(t["boxes"], t["masks"]):
            assert box.tolist() == extent(mask)  # the box of what is visible
            assert (box[2:] - box[:2] >= 2).all()  # never degenerate
    assert counts == {1, 2, 3, 4}


def test_shapes_data_serves_one_update_chunks_and_eval_lists() -> None:
    from aa.data.batching import MiniBatch

    dm = ShapesData(image_size=48, n_train=10, n_val=3, n_test=3, batch_mode=MiniBatch(4, limit=2))
    assert dm.num_outputs == 4 and dm.input_shape == (3, 48, 48) and dm.task == "detection"
    chunks = list(dm.train_dataloader())
    assert len(chunks) == 2 and len(chunks[0]) == 1
    images, targets = chunks[0][0]
    assert len(images) == len(targets) == 4
    images, targets = next(iter(dm.val_dataloader()))
    assert len(images) == 3 and "masks" in targets[0]


@pytest.mark.slow
def test_flip_moves_boxes_and_masks_with_the_pixels() -> None:
    from torchvision.transforms import v2

    from aa.data.detection_transforms import Augment

    image, target = ShapesSet(5, 64, 3, "train")[0]
    x, t = Augment(v2.RandomHorizontalFlip(p=1.0))(image, target)
    assert torch.equal(x, image.flip(-1)) and torch.equal(t["masks"], target["masks"].flip(-1))
    assert torch.allclose(t["boxes"][:, [2, 0]], 64 - target["boxes"][:, [0, 2]])
    augment = build_transforms(["flip", "scale", "crop", "color"], 64)
    torch.manual_seed(0)
    for _ in range(10):
        x, t = augment(image, target)
        assert x.shape[0] == 3 and len(t["boxes"]) == len(t["masks"]) == len(t["labels"])
        assert type(t["boxes"]) is torch.Tensor and type(x) is torch.Tensor
        for box, mask in zip(t["boxes"], t["masks"]):
            if mask.any():  # resizing rounds the mask's edge to whole pixels
                assert np.allclose(box.tolist(), extent(mask), atol=2.5), (box, extent(mask))


def test_coco_folder_reads_polygons_and_both_kinds_of_rle(tmp_path: Path) -> None:
    from faster_coco_eval.core import mask as codec

    square = np.zeros((40, 40), np.uint8)
    square[5:15, 20:32] = 1
    compressed = codec.encode(np.asfortranarray(square))
    compressed["counts"] = compressed["counts"].decode()
    runs, flat, value, count = [], square.flatten(order="F"), 0, 0  # uncompressed RLE: column-major run lengths
    for v in flat:
        if v != value:
            runs.append(count)
            value, count = v, 0
        count += 1
    runs.append(count)
    anns = [{"id": 1, "image_id": 1, "category_id": 7, "bbox": [4, 6, 10, 8], "iscrowd": 0,
             "segmentation": [[4, 6, 13, 6, 13, 13, 4, 13]]},
            {"id": 2, "image_id": 2, "category_id": 3, "bbox": [20, 5, 12, 10], "iscrowd": 0,
             "segmentation": compressed},
            {"id": 3, "image_id": 3, "category_id": 3, "bbox": [20, 5, 12, 10], "iscrowd": 0,
             "segmentation": {"size": [40, 40], "counts": runs}}]
    path = write_coco(tmp_path, anns)
    dm = CocoData(root=str(tmp_path / "images"), annotations=str(path), val_fraction=0.34)
    dm.setup()
    assert dm.class_names == ["background", "dot", "box"]  # category ids 3, 7 in id order
    assert dm.input_shape == (3, 40, 40)  # the detector's size: the largest side the file states
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. torch's UserWarning on a read-only array: a run prints none
        items = {t["image_id"]: t for split in dm.splits.values() for _, t in split}
    assert set(items) == {1, 2, 3} and len(dm.splits["val"]) == 1 and dm.test_split is None  # 3 images: no test
    assert items[1]["labels"].tolist() == [2] and items[1]["boxes"].tolist() == [[4, 6, 14, 14]]
    assert items[1]["masks"][0, 6:14, 4:14].all() and items[1]["masks"][0].sum() == 80
    for i in (2, 3):
        assert torch.equal(items[i]["masks"][0], torch.from_numpy(square)), i
        assert items[i]["labels"].tolist() == [1]


@pytest.mark.parametrize("break_it,words", [
    (lambda p, r: p.unlink(), "is not a file"),
    (lambda p, r: p.write_text('{"images": [}'), "is not valid JSON"),
    (lambda p, r: p.write_text('{"images": []}'), "annotations, categories"),
    (lambda p, r: (r / "images" / "1.png").unlink(), "'1.png' (id 2), which is not under dataset.root"),
    (lambda p, r: p.write_text(p.read_text().replace('"bbox": [4, 6, 10, 8]', '"bbox": [30, 6, 20, 8]')),
     "outside its image"),
    (lambda p, r: p.write_text(p.read_text().replace('"image_id": 1', '"image_id": 9')), "image_id 9"),
    (lambda p, r: p.write_text(p.read_text().replace('"width": 40, ', '', 1)), "width None and height 40"),
    (lambda p, r: p.write_text(p.read_text().replace('"segmentation": [[4, 6, 14, 6, 14, 14, 4, 14]]', '"x": 0')),
     "annotation 1 has no segmentation"),
])
def test_bad_coco_folders_are_refused_by_name(tmp_path: Path, break_it, words: str) -> None:
    anns = [{"id": 1, "image_id": 1, "category_id": 7, "bbox": [4, 6, 10, 8], "iscrowd": 0,
             "segmentation": [[4, 6, 14, 6, 14, 14, 4, 14]]}]
    path = write_coco(tmp_path, anns)
    check_coco(str(tmp_path / "images"), str(path), "dataset.annotations")
    break_it(path, tmp_path)
    with pytest.raises(ConfigError, match=r"dataset\.annotations") as info:
        check_coco(str(tmp_path / "images"), str(path), "dataset.annotations")
    assert words in str(info.value)


@pytest.mark.parametrize("separate_val", [False, True])
def test_a_coco_folder_tests_on_images_that_neither_trained_nor_chose_the_checkpoint(tmp_path: Path,
                                                                                   separate_val: bool) -> None:
    anns = [{"id": i, "image_id": i, "category_id": 7, "bbox": [4, 6, 10, 8], "iscrowd": 0,
             "segmentation": [[4, 6, 14, 6, 14, 14, 4, 14]]} for i in range(1, 51)]
    path = write_coco(tmp_path, anns, images=50)
    val = write_coco(tmp_path / "v", anns[:2], images=2) if separate_val else None
    root = tmp_path / "images"
    if val is not None:
        for f in (tmp_path / "v" / "images").iterdir():
            f.rename(root / f"v{f.name}")
        val.write_text(val.read_text().replace('"file_name": "', '"file_name": "v'))
    dm = CocoData(root=str(root), annotations=str(path), val_annotations=str(val) if val else None,
                  val_fraction=0.2, test_fraction=0.2)
    dm.setup()
    ids = {s: {t["image_id"] for _, t in dm.splits[s]} for s in ("train", "val", "test")}
    assert len(ids["test"]) == 10 and not ids["test"] & ids["train"] and dm.test_split == "test"
    assert ids["val"] == ({1, 2} if separate_val else ids["val"]) and len(ids["val"]) == (2 if separate_val else 10)
    if not separate_val:  # one file: val and test are different held-out images
        assert not ids["test"] & ids["val"] and len(ids["train"]) == 30
    assert "10 images held out" in dm.split_sources["test"]
    ledger = dm.accounting()
    assert ledger["test"] == {"samples": 10, "annotations": 10} and ledger["unit"] == "images"


def test_a_coco_folder_too_small_for_a_test_split_reports_none_and_says_why(tmp_path: Path) -> None:
    anns = [{"id": i, "image_id": i, "category_id": 7, "bbox": [4, 6, 10, 8], "iscrowd": 0,
             "segmentation": [[4, 6, 14, 6, 14, 14, 4, 14]]} for i in range(1, 31)]
    dm = CocoData(root=str(tmp_path / "images"), annotations=str(write_coco(tmp_path, anns, images=30)),
                  val_fraction=0.2, test_fraction=0.2)
    dm.setup()
    assert dm.test_split is None and "test" not in dm.splits and len(dm.splits["train"]) == 24
    assert "would hold out 6, fewer than 10" in dm.split_sources["test"]


def test_boxes_only_takes_the_box_as_the_mask_and_counts_them(tmp_path: Path, caplog) -> None:
    anns = [{"id": 1, "image_id": 1, "category_id": 7, "bbox": [4, 6, 10, 8], "iscrowd": 0},
            {"id": 2, "image_id": 2, "category_id": 3, "bbox": [2, 2, 5, 5], "iscrowd": 0,
             "segmentation": [[2, 2, 7, 2, 7, 7, 2, 7]]}]
    path = write_coco(tmp_path, anns)
    with pytest.raises(ConfigError, match=r"dataset\.boxes_only=true"):
        check_coco(str(tmp_path / "images"), str(path), "dataset.annotations")
    dm = CocoData(root=str(tmp_path / "images"), annotations=str(path), boxes_only=True, val_fraction=0.34)
    with caplog.at_level("WARNING", logger="aa"):
        dm.setup()
    assert "1 of 2 annotations" in caplog.text and "their masks are their boxes" in caplog.text
    image, target = next((x, t) for split in dm.splits.values() for x, t in split if t["image_id"] == 1)
    assert extent(target["masks"][0]) == [4, 6, 14, 14]


def test_penn_fudan_reads_instances_from_mask_values(tmp_path: Path) -> None:
    write_penn_fudan(tmp_path)
    dm = PennFudanData(root=str(tmp_path), val_fraction=0.15, test_fraction=0.15)
    dm.setup()
    assert dm.class_names == ["background", "person"]
    assert [len(dm.splits[s]) for s in ("train", "val", "test")] == [5, 1, 1]
    image, t = dm.splits["train"][0]
    assert image.shape == (3, 50, 60)
    assert t["boxes"].tolist() == [[5, 10, 15, 40], [30, 20, 50, 45]] and t["labels"].tolist() == [1, 1]
    assert t["masks"].sum((1, 2)).tolist() == [300, 500]


def test_penn_fudan_without_files_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="dataset.download=true"):
        PennFudanData(root=str(tmp_path)).setup()
