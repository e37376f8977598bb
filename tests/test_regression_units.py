"""Regression in the user's units: z-scored targets for the loss, metrics and predictions in the target's
units, beside the trivial baseline (the training mean); unseen categories flagged by aa-predict."""
from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
import torch

from aa.data.table import TableData
from aa.task.losses import SquaredError
from aa.task.regression import Regression


def grams(path: Path, n: int = 600, seed: int = 0) -> Path:
    """A target in the thousands (grams) from two numbers and a category, noise 60 g."""
    rng = random.Random(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "region", "mass_g"])
        for _ in range(n):
            a, b, c = rng.gauss(0, 1), rng.gauss(0, 1), rng.choice(["north", "south", "east"])
            y = 4200 + 600 * a - 350 * b + {"north": 300, "south": -200, "east": 0}[c] + rng.gauss(0, 60)
            w.writerow([round(a, 4), round(b, 4), c, round(y, 1)])
    return path


def test_targets_are_z_scored_with_training_statistics_and_mapped_back(tmp_path: Path) -> None:
    path = grams(tmp_path / "m.csv")
    dm = TableData(path=str(path), target="mass_g", task="regression")
    dm.setup()
    raw = TableData(path=str(path), target="mass_g", task="regression", standardize_targets=False)
    raw.setup()
    assert dm.y_train.mean().item() == pytest.approx(0, abs=1e-4)
    assert dm.y_train.std(unbiased=False).item() == pytest.approx(1, abs=1e-4)
    assert dm.target_mean.item() == pytest.approx(raw.y_train.mean().item(), rel=1e-6)
    for split in ("y_train", "y_val", "y_test"):  # val and test use the training split's statistics
        assert torch.allclose(dm.target_units(getattr(dm, split)), getattr(raw, split), atol=0.05)
    assert 3000 < raw.y_train.mean().item() < 5000


def test_metrics_are_in_units_beside_the_training_mean_baseline(tmp_path: Path) -> None:
    """Every number checked against its formula on a known batch: standardised targets and estimates."""
    dm = TableData(path=str(grams(tmp_path / "m.csv")), target="mass_g", task="regression")
    dm.setup()
    objective = Regression(SquaredError(), 1, data=dm)
    g = torch.Generator().manual_seed(0)
    phi = dm.y_test.reshape(-1, 1) + 0.1 * torch.randn(len(dm.y_test), 1, generator=g)
    objective.evaluate(lambda x: phi, (None, dm.y_test), "test")
    out = {k: v.item() for k, v in objective.compute("test").items()}
    y, e = dm.target_units(dm.y_test), dm.target_units(phi.reshape(-1))
    mean = dm.target_units(dm.y_train).mean()
    assert out["mse"] == pytest.approx((e - y).pow(2).mean().item(), rel=1e-4)
    assert out["rmse"] == pytest.approx((e - y).pow(2).mean().sqrt().item(), rel=1e-4)
    assert out["mae"] == pytest.approx((e - y).abs().mean().item(), rel=1e-4)
    assert out["r2"] == pytest.approx(1 - (e - y).pow(2).sum().item() / (y - y.mean()).pow(2).sum().item(), rel=1e-4)
    assert out["baseline_mse"] == pytest.approx((y - mean).pow(2).mean().item(), rel=1e-4)
    assert out["baseline_mae"] == pytest.approx((y - mean).abs().mean().item(), rel=1e-4)
    assert out["loss"] == pytest.approx(0.5 * (phi.reshape(-1) - dm.y_test).pow(2).mean().item(), rel=1e-4)
    assert out["loss"] < 0.02 and out["mse"] > 1000  # the loss on the standard scale, the mse in grams


@pytest.mark.slow
def test_default_run_in_grams_beats_the_mean_and_predicts_in_grams(tmp_path: Path, run, capsys) -> None:
    from aa.entry.predict import main as predict

    path = grams(tmp_path / "m.csv", n=800)
    m = run(["dataset=table_regression", f"dataset.path={path}", "dataset.target=mass_g"], "reg")
    assert m["test"]["r2"] >= 0.95 and m["test"]["rmse"] < 150, m["test"]
    assert m["baseline"]["beats_baseline"] and m["test"]["baseline_rmse"] > 500
    new = tmp_path / "new.csv"
    new.write_text("a,b,region\n0.1,-0.2,north\n0.0,0.0,west\n,1.0,south\n")
    predict([f"ckpt={tmp_path / 'reg'}", f"input={new}", f"output={tmp_path / 'p.csv'}"])
    rows = list(csv.DictReader(open(tmp_path / "p.csv")))
    assert 4630 - 150 < float(rows[0]["prediction"]) < 4630 + 150  # 4200 + 60 + 70 + 300 g
    assert rows[0]["flags"] == "" and "unseen category region='west'" in rows[1]["flags"]
    assert rows[2]["flags"].startswith("missing a")
    assert "2 of 3 rows" in capsys.readouterr().out


@pytest.mark.slow
def test_a_run_that_does_not_beat_the_mean_says_so(tmp_path: Path, run, capsys) -> None:
    path = grams(tmp_path / "m.csv", n=300)
    m = run(["dataset=table_regression", f"dataset.path={path}", "dataset.target=mass_g",
             "dataset.standardize_targets=false", "trainer.max_epochs=1", "optim.lr=1e-6"], "raw")
    assert not m["baseline"]["beats_baseline"] and m["test"]["mse"] > m["test"]["baseline_mse"]
    assert "does not beat predicting the training mean" in capsys.readouterr().out
