"""The foundation's learning tests: an MLP fits Playground xor and spiral and the digits."""
from __future__ import annotations

import pytest
import torch
from conftest import make_cfg

from aa.run.build import build_data


def test_circle_is_an_inner_disc_against_an_outer_ring() -> None:
    """The Playground's circle (radius 5): class 1 within r <= 2.5, class 0 on the ring 3.5 <= r <= 5."""
    dm = build_data(make_cfg(["dataset=playground", "dataset.name=circle", "dataset.noise=0", "dataset.n_samples=400"]))
    x = torch.cat([dm.x_train, dm.x_val, dm.x_test])
    y = torch.cat([dm.y_train, dm.y_val, dm.y_test])
    r = x.norm(dim=1)
    assert len(y) == 400 and int(y.sum()) == 200
    assert r[y == 1].max() <= 2.5 + 1e-5 and r[y == 1].max() > 2.3
    assert r[y == 0].min() >= 3.5 - 1e-5 and r[y == 0].max() <= 5 + 1e-5


@pytest.mark.slow
@pytest.mark.parametrize("name,epochs", [("circle", 30), ("xor", 40), ("spiral", 150)])
def test_mlp_learns_playground_sets(run, name: str, epochs: int) -> None:
    m = run(["dataset=playground", f"dataset.name={name}", "dataset.noise=0.0", "model.hidden=[32,32]",
             "optim=adam", "optim.lr=0.01", f"trainer.max_epochs={epochs}"], name)
    assert m["test"]["acc"] >= 0.95, m["test"]


@pytest.mark.slow
def test_mlp_learns_digits(run) -> None:
    m = run(["trainer.max_epochs=30"])
    assert m["test"]["acc"] >= 0.95, m["test"]
    assert m["train"]["loss"] < 0.2


@pytest.mark.slow
def test_perceptron_is_a_linear_discriminant(run) -> None:
    """No hidden layer: fits the linearly separable gauss blobs, cannot fit xor."""
    gauss = run(["model=perceptron", "dataset=playground", "dataset.name=gauss", "dataset.noise=0.0", "optim.lr=0.05",
                 "trainer.max_epochs=20"], "gauss")
    xor = run(["model=perceptron", "dataset=playground", "dataset.name=xor", "dataset.noise=0.0", "optim.lr=0.05",
               "trainer.max_epochs=20"], "xor")
    assert gauss["test"]["acc"] >= 0.97
    assert xor["test"]["acc"] < 0.75
    assert gauss["parameters"] == 2 * 2 + 2
