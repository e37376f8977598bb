"""What a run leaves behind: directory layout, metrics.json and TensorBoard events read back."""
from __future__ import annotations

import glob
import json
import os

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def _events(run_dir: str) -> EventAccumulator:
    files = glob.glob(os.path.join(run_dir, "tb", "events.out.tfevents*"))
    assert files, f"no event file under {run_dir}/tb"
    ea = EventAccumulator(os.path.join(run_dir, "tb"), size_guidance={"images": 0, "scalars": 0})
    ea.Reload()
    return ea


def test_run_writes_metrics_checkpoints_and_dashboard(run, tmp_path) -> None:
    m = run(["dataset=playground", "dataset.name=xor", "trainer.max_epochs=12"], "xor")
    d = str(tmp_path / "xor")
    saved = json.load(open(os.path.join(d, "metrics.json")))
    assert saved["test"]["acc"] == m["test"]["acc"]
    assert set(saved["train"]) >= {"loss", "acc"} and set(saved["val"]) >= {"loss", "acc"}
    assert os.path.isfile(os.path.join(d, "checkpoints", "best.ckpt"))
    assert os.path.isfile(os.path.join(d, "checkpoints", "last.ckpt"))
    assert saved["best_checkpoint"].endswith("best.ckpt")
    assert saved["optimized_metric"] == {"name": "val/acc", "value": saved["val"]["acc"]}

    ea = _events(d)
    scalars = set(ea.Tags()["scalars"])
    assert {"train/loss", "train/acc", "val/loss", "val/acc", "test/acc"} <= scalars
    assert any(t.startswith("lr-") for t in scalars)
    assert len(ea.Scalars("val/loss")) == 12
    images = set(ea.Tags()["images"])
    assert "decision_boundary" in images and "test/confusion_matrix" in images
    assert len(ea.Images("decision_boundary")) >= 2
    hp = ea.PluginTagToContent("hparams")
    assert hp, "no hparams summary"
    from tensorboard.plugins.hparams import plugin_data_pb2

    infos = [plugin_data_pb2.HParamsPluginData.FromString(v) for v in hp.values()]
    session = next(i.session_start_info for i in infos if i.HasField("session_start_info"))
    assert session.hparams["dataset"].string_value == "playground" or "dataset/name" in session.hparams
    assert session.hparams["optim/lr"].number_value > 0
    experiment = next(i.experiment for i in infos if i.HasField("experiment"))
    assert "test/acc" in {mi.name.tag for mi in experiment.metric_infos}


def test_digits_run_has_no_decision_boundary_but_a_confusion_matrix(run, tmp_path) -> None:
    run(["trainer.max_epochs=2"], "digits")
    ea = _events(str(tmp_path / "digits"))
    assert "decision_boundary" not in ea.Tags()["images"]
    assert "test/confusion_matrix" in ea.Tags()["images"]
    assert os.path.isfile(tmp_path / "digits" / "confusion_matrix.png")
