"""The objective layer: objectives are classes of their own that share the update loop, and configs choose them."""
from __future__ import annotations

import functools

import pytest
import torch
from conftest import make_cfg
from omegaconf import OmegaConf
from torch import nn

from aa.base.errors import ConfigError
from aa.config.paths import config_dir, group_options
from aa.config.schema import SCHEMAS
from aa.config.validate import validate
from aa.run import build
from aa.task.module import TaskModule
from aa.task.objective import Objective, Step
from aa.task.regularizers import L2, ClipValue


class Reconstruct(Objective):
    """A test-only objective that no built-in one resembles: rebuild the input from the model's output."""

    task = "reconstruction"

    def __init__(self) -> None:
        super().__init__()
        self.sums: dict[str, list[float]] = {"val": [], "test": []}

    def step(self, task, batch):
        x, _ = batch
        loss = (task.model(x) - x).pow(2).mean()
        return Step(loss, loss.detach(), len(x), {"sq_norm": x.pow(2).sum(1).mean().detach() * len(x)})

    def evaluate(self, model, batch, split):
        x, _ = batch
        self.sums[split].append(float((model(x) - x).pow(2).mean()))

    def compute(self, split):
        out = {"loss": torch.tensor(sum(self.sums[split]) / len(self.sums[split]))}
        self.sums[split].clear()
        return out


class TwoOptimizers(Reconstruct):
    """Alternates two optimisers over the two layers, as a GAN alternates its players."""

    def optimizers(self, model, optimizer):
        return [optimizer(params=model[0].parameters()), optimizer(params=model[1].parameters())]

    def update(self, task, batch, optimizers):
        self.order = getattr(self, "order", [])
        first = task.descend(optimizers[1], lambda: self.step(task, batch))
        self.order.append(1)
        task.descend(optimizers[0], lambda: self.step(task, batch))
        self.order.append(0)
        return first


def fit(objective: Objective, model: nn.Module, regularizers=(), epochs: int = 15, tmp_path=None):
    """Train ``objective`` through the shared task module on the digits' real data module and Trainer."""
    cfg = make_cfg([f"trainer.max_epochs={epochs}"])
    dm = build.build_data(cfg)
    task = TaskModule(model=model, objective=objective, optimizer=functools.partial(torch.optim.Adam, lr=0.01),
                      regularizers=regularizers)
    trainer = build.build_trainer(OmegaConf.merge(cfg, {"logger": None, "callbacks": {k: None for k in cfg.callbacks}}),
                                  str(tmp_path), dm)
    trainer.fit(task, datamodule=dm)
    return task, trainer


def autoencoder() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 16), nn.Linear(16, 64))


@pytest.mark.slow
def test_a_new_objective_trains_through_the_shared_loop_and_logs_its_own_metrics(tmp_path, one_thread):
    task, trainer = fit(Reconstruct(), autoencoder(), tmp_path=tmp_path)
    m = trainer.callback_metrics
    assert {"train/loss", "train/sq_norm", "val/loss"} <= set(m)
    start = Reconstruct()
    start.evaluate(autoencoder(), (trainer.datamodule.x_val, None), "val")
    assert float(m["val/loss"]) < 0.5 * float(start.compute("val")["loss"])
    x = trainer.datamodule.x_train
    assert float(m["train/sq_norm"]) == pytest.approx(float(x.pow(2).sum(1).mean()), rel=1e-4)
    updates = trainer.datamodule.batch_mode.updates_per_epoch(len(trainer.datamodule.y_train))
    assert trainer.global_step == 15 * updates


@pytest.mark.slow
def test_shared_penalties_and_gradient_limits_reach_every_objective(tmp_path, one_thread):
    plain, _ = fit(Reconstruct(), autoencoder(), epochs=5, tmp_path=tmp_path / "a")
    decayed, _ = fit(Reconstruct(), autoencoder(), regularizers=[L2(0.5)], epochs=5, tmp_path=tmp_path / "b")
    norm = lambda t: sum(float(p.pow(2).sum()) for p in t.model.parameters())  # noqa: E731
    assert norm(decayed) < 0.7 * norm(plain)
    model = autoencoder()
    task = TaskModule(model=model, objective=Reconstruct(), optimizer=functools.partial(torch.optim.SGD, lr=1.0),
                      regularizers=[ClipValue(1e-3)])
    task._plain_steps = True
    task._count_update = lambda: None
    before = [p.detach().clone() for p in model.parameters()]
    x = torch.randn(8, 64) * 10
    task.descend(torch.optim.SGD(model.parameters(), lr=1.0), lambda: task.objective.step(task, (x, None)))
    moved = max(float((p - b).abs().max()) for p, b in zip(model.parameters(), before))
    assert moved == pytest.approx(1e-3, rel=1e-5)


@pytest.mark.slow
def test_an_objective_may_own_several_optimizers_and_their_order(tmp_path, one_thread):
    objective = TwoOptimizers()
    model = autoencoder()
    before = [p.detach().clone() for p in model.parameters()]
    task, trainer = fit(objective, model, epochs=2, tmp_path=tmp_path)
    assert len(trainer.optimizers) == 2
    assert objective.order[:4] == [1, 0, 1, 0]
    assert all(not torch.equal(p, b) for p, b in zip(model.parameters(), before))
    updates = trainer.datamodule.batch_mode.updates_per_epoch(len(trainer.datamodule.y_train))
    assert trainer.global_step == 2 * 2 * updates


@pytest.mark.slow
def test_the_dataset_config_chooses_the_regression_objective_and_the_model_config_wins():
    assert make_cfg([]).objective._target_ == "aa.task.classification.Classification"
    assert make_cfg(["dataset=function"]).objective._target_ == "aa.task.regression.Regression"
    task = build.build_task(make_cfg(["dataset=function"]), build.build_data(make_cfg(["dataset=function"])))
    assert task.objective.task == "regression" and task.objective.metric == "mse"


def test_an_objective_that_does_not_fit_the_dataset_task_is_refused_naming_the_fitting_ones():
    with pytest.raises(ConfigError) as e:
        validate(make_cfg(["objective=regression"]))
    text = str(e.value)
    assert "objective='regression'" in text and "classification dataset" in text
    fitting, datasets = text.split("objectives for classification data: ")[1].split("; ")
    assert "classification" in fitting and "regression" not in fitting
    assert "datasets for model=mlp with objective=regression: diabetes, function" in datasets


@pytest.mark.parametrize("option", group_options("objective"))
def test_every_objective_config_declares_its_tasks_and_the_metric_its_class_reports(option):
    from hydra.utils import get_class

    target = OmegaConf.load(config_dir() / "objective" / f"{option}.yaml")._target_
    info = SCHEMAS[target].info
    assert info["tasks"]
    assert info["metric"] == get_class(target).metric
