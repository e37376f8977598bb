"""The foundation's learning tests: an MLP fits Playground xor and spiral and the digits."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("name,epochs", [("xor", 40), ("spiral", 150)])
def test_mlp_learns_playground_sets(run, name: str, epochs: int) -> None:
    m = run(["dataset=playground", f"dataset.name={name}", "dataset.noise=0.0", "model.hidden=[32,32]",
             "optim=adam", "optim.lr=0.01", f"trainer.max_epochs={epochs}"], name)
    assert m["test"]["acc"] >= 0.95, m["test"]


def test_mlp_learns_digits(run) -> None:
    m = run(["trainer.max_epochs=30"])
    assert m["test"]["acc"] >= 0.95, m["test"]
    assert m["train"]["loss"] < 0.2


def test_perceptron_is_a_linear_discriminant(run) -> None:
    """No hidden layer: fits the linearly separable gauss blobs, cannot fit xor."""
    gauss = run(["model=perceptron", "dataset=playground", "dataset.name=gauss", "dataset.noise=0.0", "optim.lr=0.05",
                 "trainer.max_epochs=20"], "gauss")
    xor = run(["model=perceptron", "dataset=playground", "dataset.name=xor", "dataset.noise=0.0", "optim.lr=0.05",
               "trainer.max_epochs=20"], "xor")
    assert gauss["test"]["acc"] >= 0.97
    assert xor["test"]["acc"] < 0.75
    assert gauss["parameters"] == 2 * 2 + 2
