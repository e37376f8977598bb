"""Each optimiser option builds its torch class with its parameters and trains; schedules move the lr."""
from __future__ import annotations

import pytest
import torch
from conftest import Events, build, fit, make_cfg, trainer_for
from hydra.utils import instantiate

from aa.config.paths import group_options

EXPECTED = {"sgd": ("SGD", {"momentum": 0.0, "nesterov": False}), "momentum": ("SGD", {"momentum": 0.9}),
            "nag": ("SGD", {"momentum": 0.9, "nesterov": True}), "adagrad": ("Adagrad", {}),
            "adadelta": ("Adadelta", {"rho": 0.9}), "adam": ("Adam", {}), "adamw": ("AdamW", {"weight_decay": 0.01}),
            "rmsprop": ("RMSprop", {"alpha": 0.99}), "adamax": ("Adamax", {}), "nadam": ("NAdam", {})}


def test_every_lecture_optimiser_is_an_option() -> None:
    assert set(EXPECTED) <= set(group_options("optim"))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_optimiser_option_builds_its_class(name: str) -> None:
    cls, params = EXPECTED[name]
    cfg = make_cfg([f"optim={name}", "optim.lr=0.0123"])
    opt = instantiate(cfg.optim)(params=[torch.nn.Parameter(torch.zeros(2))])
    assert type(opt).__name__ == cls
    group = opt.param_groups[0]
    assert group["lr"] == 0.0123
    for k, v in params.items():
        assert group[k] == v


# rates at which each optimiser learns the gauss blobs in 5 epochs (loss / start: 0.10-0.30, seeds 42 and 7)
LEARNING_RATE = {"adadelta": 3.0, "adam": 0.01, "adamw": 0.01, "rmsprop": 0.01, "adamax": 0.02, "nadam": 0.01,
                 "adagrad": 0.05, "sgd": 0.1, "momentum": 0.05, "nag": 0.05}
PLAYGROUND = ["dataset=playground", "model.hidden=[4]", "optim=sgd", "optim.lr=0.1"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_optimiser_halves_the_training_loss(name: str, tmp_path, one_thread) -> None:
    cfg, dm, task = build([f"optim={name}", f"optim.lr={LEARNING_RATE[name]}", "dataset=playground",
                           "dataset.name=gauss", "model.hidden=[8]", "trainer.max_epochs=5"])
    loss = lambda: float(task.loss(task.model(dm.x_train), dm.y_train))  # noqa: E731
    with torch.no_grad():
        start = loss()
    trainer_for(cfg, tmp_path, dm, quiet=True).fit(task, datamodule=dm)
    with torch.no_grad():
        assert loss() < 0.5 * start, (name, start, loss())


def _lrs(tmp_path, overrides: list[str]):
    """The per-epoch learning rates the run logged, the val/loss per epoch, and the run's task."""
    dm, task, trainer = fit([*PLAYGROUND, *overrides], tmp_path)
    events = Events(tmp_path)
    return [round(v, 8) for v in events.scalars("lr/model")], events.scalars("val/loss"), dm, task, trainer


@pytest.mark.slow
def test_step_schedule_halves_the_rate_every_step_size_epochs(tmp_path, one_thread) -> None:
    lrs, *_ = _lrs(tmp_path, ["scheduler=step", "scheduler.step_size=2", "scheduler.gamma=0.5", "trainer.max_epochs=6"])
    assert lrs == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]


@pytest.mark.slow
def test_cosine_schedule_decays_to_eta_min(tmp_path, one_thread) -> None:
    lrs, *_ = _lrs(tmp_path, ["scheduler=cosine", "trainer.max_epochs=5"])
    assert lrs[0] == 0.1 and all(a > b for a, b in zip(lrs, lrs[1:]))
    assert lrs[-1] == pytest.approx(0.1 * (1 + torch.cos(torch.tensor(4 / 5 * torch.pi)).item()) / 2)


@pytest.mark.slow
def test_onecycle_steps_every_update_and_peaks_at_max_lr(tmp_path, one_thread) -> None:
    """The rate each epoch starts with is the one-cycle rate after that many updates, not epochs."""
    lrs, _, dm, task, trainer = _lrs(tmp_path, ["scheduler=onecycle", "trainer.max_epochs=4"])
    per_epoch = dm.batch_mode.updates_per_epoch(len(dm.y_train))
    assert per_epoch > 1 and trainer.lr_scheduler_configs[0].scheduler.last_epoch == 4 * per_epoch
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    reference = task.scheduler_factory(opt)
    assert reference.total_steps == 4 * per_epoch
    curve = [opt.param_groups[0]["lr"]]
    for _ in range(reference.total_steps - 1):
        opt.step()
        reference.step()
        curve.append(opt.param_groups[0]["lr"])
    assert lrs == pytest.approx([curve[e * per_epoch] for e in range(4)], rel=1e-5)
    assert max(curve) == pytest.approx(1.0, rel=1e-3)  # max_lr: 10x optim.lr


@pytest.mark.slow
def test_plateau_schedule_cuts_the_rate_when_val_loss_stalls(tmp_path, one_thread) -> None:
    """Each epoch's rate is what ReduceLROnPlateau(factor 0.5, patience 1) makes of the val/loss logged so far."""
    lrs, val, _, task, _ = _lrs(tmp_path, ["scheduler=plateau", "scheduler.patience=1", "scheduler.factor=0.5",
                                           "optim.lr=5.0", "trainer.max_epochs=10"])
    assert task.scheduler_monitor == "val/loss"
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=5.0)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=1)
    expected = [5.0]
    for loss in val[:-1]:
        plateau.step(loss)
        expected.append(opt.param_groups[0]["lr"])
    assert lrs == pytest.approx(expected)
    assert 5.0 > min(lrs) > 5.0 * 0.5 ** 9, "a cut, but not one every epoch"
