"""What a run leaves behind: directory layout and naming, metrics.json, train.log, the printout at the
end, and TensorBoard events read back."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import Events, aa_train


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """One ``aa-train debug=fast model.hidden=[16]`` from a fresh folder, as a user types it."""
    cwd = tmp_path_factory.mktemp("user")
    p = aa_train("debug=fast", "model.hidden=[16]", cwd=cwd, env={"COLUMNS": "250"})
    assert p.returncode == 0, p.stderr[-2000:]
    (run_dir,) = (cwd / "outputs" / "runs").iterdir()
    return p, run_dir, json.loads((run_dir / "metrics.json").read_text())


def printed_path(out: str, label: str, cwd: Path) -> Path:
    """A path the printout shows after ``label``, resolved as the user's shell would from ``cwd``."""
    found = re.search(rf"^{label}\s+(\S+)$", out, re.MULTILINE)
    assert found, out[-1500:]
    return (cwd / found.group(1)).resolve()


@pytest.mark.slow
def test_a_run_is_named_by_its_start_time_and_overrides(cli_run) -> None:
    _, run_dir, _ = cli_run
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d-\d{6}_debug=fast,model\.hidden=-16", run_dir.name)
    assert {"train.log", "metrics.json", ".hydra", "checkpoints", "tb"} <= set(os.listdir(run_dir))
    assert "model.hidden=[16]" in (run_dir / ".hydra" / "overrides.yaml").read_text()


def test_debug_fast_is_one_epoch_of_three_updates(cli_run) -> None:
    _, _, metrics = cli_run
    assert (metrics["epochs"], metrics["optimizer_steps"]) == (1, 3)


def test_the_end_of_run_printout_shows_the_metrics_and_where_to_look(cli_run) -> None:
    p, run_dir, m = cli_run
    out = p.stdout
    assert "aa-train: final metrics" in out
    for name in ("acc", "loss"):
        row = re.search(rf"│ {name}\s+│\s+([0-9.]+) │\s+([0-9.]+) │\s+([0-9.]+) │", out)
        assert row, out[-1500:]
        assert [float(v) for v in row.groups()] == [round(m[s][name], 4) for s in ("train", "val", "test")]
    cwd = run_dir.parents[2]
    assert printed_path(out, "run dir:", cwd) == run_dir.resolve()
    assert printed_path(out, "dashboard: +tensorboard --logdir", cwd) == run_dir.resolve()
    assert printed_path(out, "best checkpoint:", cwd) == (cwd / m["best_checkpoint"]).resolve()
    assert m["best_checkpoint"].endswith("best.ckpt")
    assert f"epochs: 1  parameters: {64 * 16 + 16 + 16 * 10 + 10:,}" in out and m["parameters"] == 1210


def test_the_hparams_tab_names_the_group_choices_of_a_command_line_run(cli_run) -> None:
    _, run_dir, _ = cli_run
    hparams, metrics = Events(run_dir).hparams()
    assert (hparams["model"], hparams["dataset"], hparams["optim"]) == ("mlp", "digits", "adam")
    assert hparams["model/hidden"] == "[16]" and "val/acc" in metrics


def test_train_log_keeps_the_run_log(cli_run) -> None:
    p, run_dir, m = cli_run
    log = (run_dir / "train.log").read_text()
    assert "`Trainer.fit` stopped: `max_epochs=1` reached." in log
    assert f"Restoring states from the checkpoint path at {m['best_checkpoint']}" in log


@pytest.mark.slow
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

    events = Events(d)
    assert {"train/loss", "train/acc", "val/loss", "val/acc"} <= events.tags()
    assert not any(t.startswith("test/") for t in events.tags())  # measured once: the metrics text card
    acc = (m["train"]["acc"], m["val"]["acc"], m["test"]["acc"])
    assert "| acc | {:.4f} | {:.4f} | {:.4f} |".format(*acc) in events.text("metrics")
    assert len(events.scalars("val/loss")) == 12 and len(events.scalars("lr/model")) == 12
    assert {"decision_boundary", "test/confusion_matrix"} <= events.tags("images")
    assert len(events.images("decision_boundary")) >= 2
    hparams, metrics = events.hparams()
    assert hparams["dataset/name"] == "xor" and hparams["trainer/max_epochs"] == 12
    assert hparams["optim/lr"] == pytest.approx(0.001)
    assert {"train/loss", "val/acc"} <= metrics.keys() and next(iter(metrics)) == "val/acc"


@pytest.mark.slow
def test_digits_run_has_no_decision_boundary_but_a_confusion_matrix(run, tmp_path) -> None:
    run(["trainer.max_epochs=2"], "digits")
    images = Events(tmp_path / "digits").tags("images")
    assert "decision_boundary" not in images and "test/confusion_matrix" in images
    assert os.path.isfile(tmp_path / "digits" / "confusion_matrix.png")
