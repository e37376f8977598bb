"""Convolutional models: torchvision's parameter counts, gradients reaching every layer (one batch
overfitted), the lecture's LeNet-5 learning digits, and the activation/normalization choices."""
from __future__ import annotations

import re

import pytest
import torch
from conftest import Events, make_model, refused
from conftest import build as build_run
from torch import nn
from torch.nn import functional as F

from aa.task.supervised import split_aux

IMAGENET = (3, 224, 224)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def build(overrides: list[str], shape: tuple[int, ...] = (1, 8, 8), classes: int = 10) -> nn.Module:
    return make_model(overrides, shape, classes)


@pytest.mark.slow
@pytest.mark.parametrize("overrides, expected", [
    (["model=alexnet"], 61_100_840),
    (["model=vgg11"], 132_863_336),
    (["model=vgg13"], 133_047_848),
    (["model=vgg16"], 138_357_544),
    (["model=vgg19"], 143_667_240),
    (["model=resnet18"], 11_689_512),
    (["model=inception_v1", "model.aux_logits=false"], 6_624_904),
    (["model=inception_v1"], 13_004_888),
])
def test_imagenet_heads_have_torchvision_parameter_counts(overrides, expected):
    assert n_params(build(overrides, IMAGENET, 1000)) == expected


def test_lenet5_has_the_classic_61706_parameters_and_tanh_average_pooling():
    model = build(["model=lenet5"], (1, 32, 32))
    kinds = {type(m).__name__ for m in model.modules()}
    assert n_params(model) == 61_706
    assert {"Tanh", "AvgPool2d"} <= kinds and "ReLU" not in kinds and "MaxPool2d" not in kinds


@pytest.mark.slow
def test_activation_pooling_and_normalization_choices_reach_the_layers():
    modern = build(["model=lenet5", "activation=relu", "model.pooling=max", "normalization=batch"], (1, 28, 28))
    kinds = [type(m).__name__ for m in modern.modules()]
    assert kinds.count("ReLU") == 4 and kinds.count("MaxPool2d") == 2 and kinds.count("BatchNorm2d") == 3
    vgg = build(["model=vgg16", "normalization=batch"], IMAGENET, 1000)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in vgg.modules()) == 13
    assert n_params(vgg) == 138_365_992  # torchvision's vgg16_bn
    resnet = build(["model=resnet18", "activation=tanh", "normalization=layer"], (3, 32, 32))
    assert not any(isinstance(m, (nn.ReLU, nn.BatchNorm2d)) for m in resnet.modules())
    assert sum(isinstance(m, nn.GroupNorm) for m in resnet.modules()) == 20


@pytest.mark.parametrize("model", ["lenet5", "cnn", "alexnet", "vgg16", "resnet18", "inception_v1"])
def test_convolutional_models_refuse_activations_that_are_not_element_wise(model):
    refused(lambda: build([f"model={model}", "activation=maxout"]),
            "activation='maxout'.*cannot act on convolutional feature maps")


@pytest.mark.slow
def test_cnn_block_errors_name_the_block_and_key():
    refused(lambda: build(["model=cnn", "model.blocks=[{channels: 8},{channels: 8, pool: median}]"]),
            r"model\.blocks\[1\]\.pool='median'.*max, avg, none")
    refused(lambda: build(["model=cnn", "model.blocks=[{channels: 4},{channels: 4},{channels: 4},{channels: 4}]"]),
            r"model\.blocks\[3\].*shrinks the \(1, 1\) map")


def test_cnn_follows_its_block_list_including_1x1_reductions():
    model = build(["model=cnn", "model.blocks=[{channels: 8, pool: avg},{channels: 16, reduce: 4, pool: none}]",
                   "model.hidden=[20]"])
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [(1, 8, (3, 3)), (8, 4, (1, 1)), (4, 16, (3, 3))]
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert [(lin.in_features, lin.out_features) for lin in linears] == [(16 * 4 * 4, 20), (20, 10)]


@pytest.mark.slow
def test_inception_returns_weighted_auxiliary_outputs_in_training_only():
    model = build(["model=inception_v1", "model.aux_weight=0.25"], (3, 16, 16))
    x = torch.randn(2, 3, 16, 16)
    phi, aux = model(x)
    assert phi.shape == (2, 10) and [(w, a.shape) for w, a in aux] == [(0.25, (2, 10)), (0.25, (2, 10))]
    assert model.eval()(x).shape == (2, 10)


@pytest.mark.slow
def test_the_training_step_adds_the_weighted_auxiliary_losses() -> None:
    """q = L(phi) + 0.3 L(aux1) + 0.3 L(aux2) inside the task module's step; train/loss reports L(phi) alone."""
    _, dm, task = build_run(["model=inception_v1", "model.aux_weight=0.3", "model.dropout=0"])
    x, y = next(iter(next(iter(dm.train_dataloader()))))
    task.train()
    torch.manual_seed(0)
    step = task.objective.step(task, (x, y))
    torch.manual_seed(0)
    phi, aux = task.model(x)
    assert [w for w, _ in aux] == [0.3, 0.3]
    main = F.cross_entropy(phi, y)
    expected = main + 0.3 * F.cross_entropy(aux[0][1], y) + 0.3 * F.cross_entropy(aux[1][1], y)
    assert step.objective.item() == pytest.approx(expected.item(), rel=1e-5)
    assert step.loss.item() == pytest.approx(main.item(), rel=1e-5) and step.objective > step.loss


def digits_batch(n: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.data[:n], dtype=torch.float32).view(n, 1, 8, 8)
    return (x - x.mean()) / x.std(), torch.tensor(d.target[:n])


OVERFIT = [(["model=lenet5"], 150), (["model=cnn"], 150), (["model=resnet18"], 30), (["model=resnet34"], 30),
           (["model=resnet50"], 30), (["model=inception_v1", "model.dropout=0"], 40),
           (["model=alexnet", "normalization=batch", "model.dropout=0"], 30),
           (["model=vgg16", "normalization=batch", "model.dropout=0"], 30)]
PLAIN = [(["model=alexnet", "model.dropout=0"], 300)]


def overfit(overrides: list[str], steps: int) -> None:
    """Plain torch loop on 8 digits: every parameter gets a gradient and the loss falls near zero."""
    torch.manual_seed(0)
    x, y = digits_batch()
    model = build(overrides)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)  # one kernel per step: AlexNet's 61 M weights
    for step in range(steps):
        opt.zero_grad()
        phi, aux = split_aux(model(x))
        loss = F.cross_entropy(phi, y)
        (loss + sum(w * F.cross_entropy(a, y) for w, a in aux)).backward()
        if step == 0:
            first = loss.item()
            dead = [n for n, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
            assert dead == [] and first > 1.5
        opt.step()
        if loss.item() < 0.05:
            break
    assert loss.item() < 0.05, f"loss {first:.2f} -> {loss.item():.3f} after {steps} steps"


@pytest.mark.slow
@pytest.mark.parametrize("overrides, steps", OVERFIT, ids=[" ".join(o) for o, _ in OVERFIT])
def test_every_architecture_overfits_one_batch(overrides, steps):
    overfit(overrides, steps)


@pytest.mark.slow
@pytest.mark.parametrize("overrides, steps", PLAIN, ids=[" ".join(o) for o, _ in PLAIN])
def test_plain_alexnet_without_normalization_overfits_one_batch(overrides, steps):
    overfit(overrides, steps)


@pytest.mark.slow
def test_lenet5_learns_digits_above_95_percent_showing_its_summary_and_graph(run, tmp_path, caplog):
    caplog.set_level("INFO")  # the layer table is logged (train.log in a CLI run), not printed
    metrics = run(["model=lenet5", "dataset.image_size=32", "optim.lr=0.002", "batch.size=16",
                   "trainer.max_epochs=6"])
    assert metrics["test"]["acc"] >= 0.95
    assert metrics["parameters"] == 61_706
    assert re.search(r"model\.1\.features\s+.*Sequential\s+.*50\.7 K", caplog.text)
    graphs = Events(tmp_path / "run").graphs()
    assert len(graphs) == 1 and any("Conv2d" in n.name for n in graphs[0].node)
