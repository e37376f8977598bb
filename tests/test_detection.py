"""Detectors sized for the data, the detection objective (loss terms, warm-up, COCO MAP) and bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch import nn

from aa.base.errors import ConfigError
from aa.models.detection import FasterRCNN, MaskRCNN
from aa.task.detection import Detection


def tiny_keys(mask: bool = True) -> dict:
    """Narrow heads and few samples: detectors that build and run in a fraction of a second."""
    keys = dict(fpn_channels=32, box_head_size=32, rpn_batch_size_per_image=32, box_batch_size_per_image=16,
                rpn_pre_nms_top_n_test=50, rpn_post_nms_top_n_test=20)
    return dict(keys, mask_head_channels=[16]) if mask else keys


def test_detector_keeps_the_image_size_and_scales_anchors_with_it() -> None:
    model = MaskRCNN((3, 64, 64), 4, norm="group", stages=3, **tiny_keys())
    assert model.transform.min_size == (64,) and model.transform.max_size == 64
    assert [s[0] for s in model.rpn.anchor_generator.sizes] == [8, 16, 32, 64]
    assert not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    assert any(isinstance(m, nn.GroupNorm) for m in model.backbone.modules())
    big = FasterRCNN((3, 128, 128), 3, norm="batch", **tiny_keys(mask=False))
    assert [s[0] for s in big.rpn.anchor_generator.sizes] == [8, 16, 32, 64, 128]  # matterport's shapes scales
    assert big.roi_heads.box_predictor.cls_score.out_features == 3 and not big.roi_heads.has_mask()


@pytest.mark.slow
def test_pretrained_weights_come_from_the_cache_or_a_file_never_a_download(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # torch.hub.set_dir would pin the hub dir for later tests
    with pytest.raises(ConfigError, match="no COCO detector weights in the torch hub cache"):
        MaskRCNN((3, 64, 64), 2, backbone="resnet50_fpn", norm="frozen", pretrained=True, **tiny_keys())
    source = MaskRCNN((3, 64, 64), 4, stages=3, **tiny_keys())
    torch.save(source.state_dict(), tmp_path / "w.pt")
    loaded = MaskRCNN((3, 64, 64), 2, stages=3, norm="group", weights_path=str(tmp_path / "w.pt"), **tiny_keys())
    assert loaded.loaded_weights
    same = source.backbone.body.layer1[0].conv1.weight
    assert torch.equal(loaded.backbone.body.layer1[0].conv1.weight, same)  # heads of 2 classes keep their init
    with pytest.raises(ConfigError, match="model.weights_path"):
        MaskRCNN((3, 64, 64), 2, weights_path=str(tmp_path / "none.pt"), **tiny_keys())


class Oracle(nn.Module):
    """Returns the targets it was given as detections (score 1): a perfect detector."""

    def __init__(self, targets: list[dict], masks: bool = True) -> None:
        super().__init__()
        self.targets, self.masks = targets, masks
        self.roi_heads = type("Heads", (), {"has_mask": lambda _: masks})()

    def forward(self, images, targets=None):
        if self.training:
            return {"loss_a": torch.tensor(0.5), "loss_b": torch.tensor(0.25)}
        return [{"boxes": t["boxes"], "labels": t["labels"], "scores": torch.ones(len(t["labels"])),
                 "masks": t["masks"][:, None].float()} for t in self.targets]


def test_a_perfect_detector_scores_map_one_and_a_shifted_one_less() -> None:
    from aa.data.shapes import ShapesSet

    items = [ShapesSet(4, 64, 0, "val")[i] for i in range(4)]
    images, targets = [x.float() / 255 for x, _ in items], [t for _, t in items]
    oracle = Oracle(targets).eval()  # as Lightning hands it over in validation
    objective = Detection(oracle)
    objective.evaluate(oracle, (images, targets), "val")
    out = objective.compute("val")
    assert set(out) == {"loss", "map", "map_50", "map_75", "segm_map", "segm_map_50", "segm_map_75"}
    assert out["map_50"] == pytest.approx(1.0) and out["segm_map"] == pytest.approx(1.0)
    assert out["loss"] == pytest.approx(0.75)  # the summed loss terms, measured in training mode
    shifted = [dict(t, boxes=t["boxes"] + torch.tensor([6.0, 0.0, 6.0, 0.0])) for t in targets]
    objective.evaluate(Oracle(shifted).eval(), (images, targets), "val")
    assert objective.compute("val")["map_75"] < 0.9


def test_warmup_rises_linearly_and_leaves_the_schedule_alone() -> None:
    objective = Detection(Oracle([], masks=False), warmup_updates=10, warmup_factor=0.001)
    assert objective.iou_types == ("bbox",)
    assert objective.warmup(0) == pytest.approx(0.001)
    assert objective.warmup(5) == pytest.approx(0.001 * 0.5 + 0.5)
    assert objective.warmup(10) == objective.warmup(500) == 1.0
    seen = []

    class Task:
        global_step = 0

        def descend(self, opt, closure):
            seen.append(opt.param_groups[0]["lr"])

    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    objective.update(Task(), None, [opt])
    assert seen == [pytest.approx(0.0001)] and opt.param_groups[0]["lr"] == pytest.approx(0.1)


BAD = [
    (["model=maskrcnn", "dataset=digits"], ["objective", "detection", "classification"]),
    (["model=maskrcnn", "model.backbone=vgg99"], ["model.backbone", "vgg99", "resnet18_fpn"]),
    (["model=fasterrcnn", "model.norm=frozen"], ["model.norm", "frozen", "group"]),
    (["dataset=shapes"], ["model", "maskrcnn"]),
]


@pytest.mark.slow
@pytest.mark.parametrize("args,words", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_detection_input_is_refused_before_training(tmp_path: Path, args: list[str], words: list[str]) -> None:
    from conftest import aa_train

    p = aa_train(*args, f"hydra.run.dir={tmp_path}/run")
    out = p.stdout + p.stderr
    assert p.returncode == 2 and "Traceback" not in out and "Invalid config" in out
    assert all(w in out for w in words), out
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_box_outside_its_image_is_refused_by_aa_train(tmp_path: Path) -> None:
    from conftest import aa_train
    from PIL import Image

    (tmp_path / "img").mkdir()
    Image.new("RGB", (32, 32)).save(tmp_path / "img" / "a.png")
    coco = {"images": [{"id": 1, "file_name": "a.png", "width": 32, "height": 32}], "categories": [{"id": 1}],
            "annotations": [{"id": 5, "image_id": 1, "category_id": 1, "bbox": [20, 20, 30, 5]}]}
    (tmp_path / "a.json").write_text(json.dumps(coco))
    p = aa_train("model=maskrcnn", "dataset=coco", f"dataset.root={tmp_path}/img", f"dataset.annotations={tmp_path}/a.json",
                 f"hydra.run.dir={tmp_path}/run")
    out = p.stdout + p.stderr
    assert p.returncode == 2 and "Traceback" not in out and "annotation 5" in out and "outside its image" in out
