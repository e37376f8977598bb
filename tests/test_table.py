"""dataset=table: a user's CSV trains (classification and regression), with one-hot categories,
stratified splits, and missing values refused with their column and line, dropped or filled."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import build, make_cfg
from data_files import write_csv as write


def sklearn_table(tmp_path: Path, name: str) -> Path:
    from sklearn import datasets

    d = getattr(datasets, f"load_{name}")()
    cols = [c.replace(" ", "_").replace("/", "_") for c in d.feature_names]
    return write(tmp_path / f"{name}.csv", [*cols, "label"],
                 [[*row, d.target_names[y]] for row, y in zip(d.data.tolist(), d.target)])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["wine", "breast_cancer"])
def test_table_learns_like_sklearn_on_the_same_split(tmp_path: Path, run, one_thread, name: str) -> None:
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    path = sklearn_table(tmp_path, name)
    over = ["dataset=table", f"dataset.path={path}", "dataset.target=label", "trainer.max_epochs=40",
            "callbacks.decision_boundary=null"]
    metrics = run(over)
    _, dm, _ = build(over)
    sc = StandardScaler().fit(dm.x_train.numpy())
    sk = MLPClassifier(max_iter=1000, random_state=0).fit(sc.transform(dm.x_train.numpy()), dm.y_train.numpy())
    reference = sk.score(sc.transform(dm.x_test.numpy()), dm.y_test.numpy())
    assert metrics["test"]["acc"] >= 0.9 and metrics["test"]["acc"] >= reference - 0.05, (metrics["test"], reference)


def mixed(tmp_path: Path, blank: tuple[int, int] | None = None) -> Path:
    g = torch.Generator().manual_seed(0)
    rows = []
    for i in range(120):
        colour = ["red", "green", "blue"][i % 3]
        x = float(torch.randn(1, generator=g))
        rows.append([f"{x:.4f}", colour, "yes" if (colour == "red") != (x > 0.5) else "no"])
    if blank:
        rows[blank[0]][blank[1]] = ""
    return write(tmp_path / "mixed.csv", ["x", "colour", "answer"], rows)


def test_categories_one_hot_and_stratified_splits(tmp_path: Path) -> None:
    path = mixed(tmp_path)
    _, dm, _ = build(["dataset=table", f"dataset.path={path}", "dataset.target=answer"])
    assert dm.feature_names == ["x", "colour=blue", "colour=green", "colour=red"]
    assert dm.class_names == ["no", "yes"] and dm.task == "classification"
    share = [float((y == 1).float().mean()) for y in (dm.y_train, dm.y_val, dm.y_test)]
    assert max(share) - min(share) < 0.1, share  # each split keeps the classes' proportions


@pytest.mark.slow
def test_missing_value_named_dropped_or_filled(tmp_path: Path) -> None:
    from aa.base.errors import ConfigError

    path = mixed(tmp_path, blank=(6, 1))  # row 6 of the data is line 8 of the file
    base = ["dataset=table", f"dataset.path={path}", "dataset.target=answer"]
    with pytest.raises(ConfigError, match="column 'colour' on line 8"):
        build(base)
    _, dropped, _ = build([*base, "dataset.missing=drop"])
    assert sum(len(y) for y in (dropped.y_train, dropped.y_val, dropped.y_test)) == 119
    _, filled, _ = build([*base, "dataset.missing=mean"])
    assert sum(len(y) for y in (filled.y_train, filled.y_val, filled.y_test)) == 120


@pytest.mark.slow
def test_numeric_target_is_regression_with_its_own_config(tmp_path: Path, run, one_thread) -> None:
    from aa.base.errors import ConfigError

    g = torch.Generator().manual_seed(1)
    x = torch.rand(300, 2, generator=g)
    y = 3 * x[:, 0] - 2 * x[:, 1]
    path = write(tmp_path / "r.csv", ["a", "b", "y"], [[*map(float, r), float(t)] for r, t in zip(x, y)])
    with pytest.raises(ConfigError, match="table_regression"):
        build(["dataset=table", f"dataset.path={path}", "dataset.target=y"])
    metrics = run(["dataset=table_regression", f"dataset.path={path}", "dataset.target=y",
                   "trainer.max_epochs=30", "callbacks.regression_fit=null"])
    assert metrics["task"] == "regression" and metrics["test"]["mse"] < 0.05 * float(y.var())


def test_table_config_composes_with_defaults(tmp_path: Path) -> None:
    cfg = make_cfg(["dataset=table_regression", "dataset.path=x.csv", "dataset.target=y"])
    assert cfg.objective._target_.endswith("Regression") and cfg.dataset.task == "regression"
