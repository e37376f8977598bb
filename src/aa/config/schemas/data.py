"""Schemas of the dataset group. ``info`` says what task and input forms a dataset serves."""
from __future__ import annotations

from typing import Optional

from aa.config.schema import NodeSchema, opt, schema


class Splits(NodeSchema):
    val_fraction: float = opt(0.15, gt=0, lt=1, doc="share of the data held out for validation")
    test_fraction: float = opt(0.2, gt=0, lt=1, doc="share of the data held out for the test")
    standardize: bool = opt(True, doc="z-score inputs with training-split statistics")


@schema("aa.data.digits.DigitsData")
class Digits(Splits):
    info = {"task": "classification", "inputs": ("vector", "image")}
    image_size: int = opt(8, ge=8, le=64, doc="side of the image served to convolutional models")


@schema("aa.data.playground.PlaygroundData")
class Playground(Splits):
    info = {"task": "classification", "inputs": ("vector",)}
    name: str = opt("spiral", choices=("circle", "xor", "gauss", "spiral"))
    n_samples: int = opt(600, ge=10, le=1_000_000)
    noise: float = opt(0.1, ge=0, le=1, doc="noise as a fraction of the data's radius")
    val_fraction: float = opt(0.2, gt=0, lt=1, doc="share of the points held out for validation")


@schema("aa.data.table.TableData")
class Table(Splits):
    """A user's CSV/TSV: the task (and so the objective) follows dataset.task; auto reads the target."""

    info = {"inputs": ("vector",), "task_key": "task"}  # the task is the node's dataset.task, unless auto
    path: str = opt("???", doc="CSV or TSV (by suffix) with a header row")
    target: str = opt("???", doc="the column to predict")
    task: str = opt("auto", choices=("auto", "classification", "regression"),
                    doc="auto: regression for a numeric target with many values, else classification")
    features: Optional[list[str]] = opt(None, doc="the input columns; null: every column but the target")
    categorical: list[str] = opt([], doc="numeric columns to one-hot encode as categories anyway")
    missing: str = opt("refuse", choices=("refuse", "drop", "mean"),
                       doc="empty/NA cells: name them and stop, drop their rows, or fill with the training mean")
    standardize_targets: bool = opt(True, doc="regression: train on z-scored targets (training mean and std); "
                                              "metrics and predictions stay in the target's units")

    @staticmethod
    def check(path: str, node: dict) -> None:
        from aa.config.files import require_columns
        from aa.config.table_check import check_table

        columns = [node.get("target"), *(node.get("features") or []), *(node.get("categorical") or [])]
        keys = ["target", *(["features"] * len(node.get("features") or [])),
                *(["categorical"] * len(node.get("categorical") or []))]
        require_columns(f"{path}.path", node["path"], [(f"{path}.{k}", c) for k, c in zip(keys, columns)])
        check_table(path, node)
