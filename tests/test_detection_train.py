"""Mask R-CNN from scratch on a small shapes set through aa-train's path: the loss falls, val map_50 rises,
boxes are drawn in TensorBoard; then aa-detect annotates a folder of images with the trained checkpoint."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Events, make_cfg, runner
from omegaconf import OmegaConf

SMALL = ["experiment=shapes_maskrcnn", "dataset.n_val=16", "dataset.n_test=16", "dataset.eval_batch_size=16",
         "batch.size=4", "batch.limit=40", "trainer.max_epochs=3", "callbacks.timer=null", "optim.lr=0.002",
         "objective.warmup_updates=20"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        root = tmp_path_factory.mktemp("shapes")
        runner(root)(SMALL, name="run")
        (root / "run" / ".hydra").mkdir()
        OmegaConf.save(make_cfg(SMALL), root / "run" / ".hydra" / "config.yaml")  # as aa-train's Hydra writes it
    finally:
        torch.set_num_threads(threads)
    return root / "run"


@pytest.mark.slow
def test_mask_rcnn_learns_shapes_from_scratch(trained: Path) -> None:
    events = Events(trained)
    loss, map50 = events.scalars("train/loss"), events.scalars("val/map_50")
    assert len(loss) == 3 and len(map50) >= 3
    assert loss[-1] < 0.85 * loss[0], loss  # measured: 2.28 -> 1.82
    assert map50[-1] > map50[0] + 0.1 and map50[-1] > 0.15, map50  # measured: 0.04 -> 0.21 (untrained: ~0)
    assert {"train/loss_mask", "train/loss_classifier", "train/loss_objectness", "val/segm_map_50"} <= events.tags()
    assert "val/detections" in events.tags("images")
    metrics = json.loads((trained / "metrics.json").read_text())
    assert metrics["task"] == "detection" and metrics["test"]["map_50"] > 0.15


@pytest.mark.slow
def test_aa_detect_writes_annotated_pngs_and_coco_results(trained: Path, tmp_path: Path) -> None:
    import subprocess

    from PIL import Image

    from aa.data.shapes import ShapesSet

    data = ShapesSet(3, 64, 42, "test")
    (tmp_path / "in").mkdir()
    for i in range(3):
        Image.fromarray(data[i][0].permute(1, 2, 0).numpy()).save(tmp_path / "in" / f"shape{i}.png")
    p = subprocess.run(["aa-detect", f"ckpt={trained / 'checkpoints' / 'best.ckpt'}", f"input={tmp_path / 'in'}",
                        f"output={tmp_path / 'out'}", "threshold=0.1"], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    assert sorted(f.name for f in (tmp_path / "out").glob("*.png")) == ["shape0.png", "shape1.png", "shape2.png"]
    results = json.loads((tmp_path / "out" / "detections.json").read_text())
    assert results and {r["image_id"] for r in results} <= {1, 2, 3}
    first = results[0]
    assert set(first) == {"image_id", "category_id", "bbox", "score", "segmentation"}
    assert first["category_id"] in (1, 2, 3) and first["score"] >= 0.1 and len(first["bbox"]) == 4
    bad = subprocess.run(["aa-detect", f"ckpt={trained / 'checkpoints' / 'best.ckpt'}", f"input={tmp_path / 'none'}"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "is not an image or a folder of images" in bad.stderr


@pytest.mark.slow
def test_predict_reads_a_larger_image_in_tiles_of_the_training_size(trained: Path, tmp_path: Path, capsys) -> None:
    import csv

    import torch
    from PIL import Image

    from aa.data.shapes import ShapesSet
    from aa.entry.predict import main as predict

    data = ShapesSet(4, 64, 42, "test")
    mosaic = torch.cat([torch.cat([data[0][0], data[1][0]], 2), torch.cat([data[2][0], data[3][0]], 2)], 1)
    (tmp_path / "in").mkdir()
    Image.fromarray(mosaic.permute(1, 2, 0).numpy()).save(tmp_path / "in" / "mosaic.png")
    rows = {}
    for tile in ("auto", "false"):
        predict([f"ckpt={trained}", f"input={tmp_path / 'in'}", f"output={tmp_path / tile}.csv", "threshold=0.1",
                 f"tile={tile}"])
        rows[tile] = list(csv.DictReader(open(tmp_path / f"{tile}.csv")))
    out = capsys.readouterr().out
    assert "mosaic.png: 128x128 in 9 tiles of 64 px (the training size)" in out  # offsets 0, 48, 64 each way
    assert "mosaic.png: 128x128 whole, resized to 64 px on its longer side" in out
    for found in rows.values():
        assert all(0 <= float(r[k]) <= 128 for r in found for k in ("x0", "y0", "x1", "y1"))
        assert all(r["label"] in ("square", "circle", "triangle") and float(r["score"]) >= 0.1 for r in found)
    quadrants = {(float(r["x0"]) >= 64, float(r["y0"]) >= 64) for r in rows["auto"]}
    assert len(quadrants) >= 3, rows["auto"]  # tiles find the shapes of most quarters at their trained scale
