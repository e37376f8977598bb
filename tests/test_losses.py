"""The two losses against their formulas, and the squared-error-approximates-posteriors property."""
from __future__ import annotations

import math

import pytest
import torch

from aa.task.losses import CrossEntropy, SquaredError


def test_squared_error_is_half_the_sum_of_squares_averaged_over_samples() -> None:
    phi = torch.tensor([[0.2, 0.9, -0.1], [1.0, 0.0, 0.5]], dtype=torch.float64)
    y = torch.tensor([1, 0])
    t = torch.tensor([[0, 1, 0], [1, 0, 0]], dtype=torch.float64)
    expected = 0.5 * ((t - phi) ** 2).sum(1).mean()
    assert torch.isclose(SquaredError("linear")(phi, y), expected)
    tanh = SquaredError("tanh", targets="plus_minus")(phi, y)
    assert torch.isclose(tanh, 0.5 * ((2 * t - 1 - torch.tanh(phi)) ** 2).sum(1).mean())
    soft = SquaredError("softmax")(phi, y)
    assert torch.isclose(soft, 0.5 * ((t - torch.softmax(phi, 1)) ** 2).sum(1).mean())


def test_squared_error_on_regression_targets() -> None:
    phi = torch.tensor([[1.5], [-0.5]])
    y = torch.tensor([1.0, 0.0])
    assert math.isclose(SquaredError()(phi, y).item(), 0.5 * (0.25 + 0.25) / 2)


def test_cross_entropy_is_minus_log_softmax_of_the_true_class() -> None:
    phi = torch.tensor([[2.0, 0.0, -1.0]], dtype=torch.float64)
    s = torch.softmax(phi, 1)
    assert torch.isclose(CrossEntropy()(phi, torch.tensor([0])), -torch.log(s[0, 0]))


def test_per_step_labels_are_averaged_over_all_steps() -> None:
    phi = torch.randn(2, 5, 3)
    y = torch.randint(3, (2, 5))
    assert torch.isclose(CrossEntropy()(phi, y), torch.nn.functional.cross_entropy(phi.reshape(10, 3), y.reshape(10)))


@pytest.mark.slow
def test_squared_error_outputs_approximate_class_posteriors(run, tmp_path) -> None:
    """Lecture 3: trained with squared error and enough capacity, the outputs estimate P(c|x).
    On the gauss blobs the true posterior is known in closed form; compare it on the test split."""
    m = run(["dataset=playground", "dataset.name=gauss", "dataset.noise=0.3", "dataset.n_samples=2000",
             "dataset.standardize=false", "loss=mse", "loss.output_activation=sigmoid", "model.hidden=[16]",
             "activation=tanh", "optim=adam", "optim.lr=0.01", "trainer.max_epochs=30"], "post")
    ckpt = torch.load(m["best_checkpoint"], weights_only=False)
    from conftest import make_cfg

    from aa.run import build

    cfg = make_cfg(["dataset=playground", "dataset.name=gauss", "dataset.noise=0.3", "dataset.n_samples=2000",
                    "dataset.standardize=false", "loss=mse", "loss.output_activation=sigmoid",
                    "model.hidden=[16]", "activation=tanh"])
    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    task.load_state_dict(ckpt["state_dict"])
    x = dm.x_test.double()
    var = 0.5 + 3.5 * 0.3
    # two equal-prior isotropic Gaussians at (2,2) (class 1) and (-2,-2): P(1|x) = sigmoid(2 mu.x / var)
    true = torch.sigmoid((2 * 2 * x.sum(1)) / var)
    with torch.no_grad():
        est = torch.sigmoid(task.model(dm.x_test))[:, 1].double()
    assert (est - true).abs().mean() < 0.05
