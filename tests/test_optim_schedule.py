"""Each optimiser option builds its torch class with its parameters and trains; schedules move the lr."""
from __future__ import annotations

import pytest
import torch
from hydra.utils import instantiate

from aa.config.paths import group_options
from conftest import make_cfg

EXPECTED = {"sgd": ("SGD", {"momentum": 0.0, "nesterov": False}), "momentum": ("SGD", {"momentum": 0.9}),
            "nag": ("SGD", {"momentum": 0.9, "nesterov": True}), "adagrad": ("Adagrad", {}),
            "adadelta": ("Adadelta", {"rho": 0.9}), "adam": ("Adam", {}), "adamw": ("AdamW", {"weight_decay": 0.01}),
            "rmsprop": ("RMSprop", {"alpha": 0.99}), "adamax": ("Adamax", {}), "nadam": ("NAdam", {})}


def test_every_lecture_optimiser_is_an_option() -> None:
    assert set(EXPECTED) <= set(group_options("optim"))


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


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_optimiser_reduces_the_training_loss(run, name: str) -> None:
    m = run([f"optim={name}", "dataset=playground", "dataset.name=gauss", "model.hidden=[8]",
             "trainer.max_epochs=5", "callbacks.model_checkpoint.save_last=false"], name)
    assert m["train"]["loss"] < 0.45, (name, m["train"])  # ln 2 = 0.69 is chance


def _lrs(run, tmp_path, overrides: list[str]) -> list[float]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run(["dataset=playground", "model.hidden=[4]", "optim=sgd", "optim.lr=0.1", *overrides], "s")
    ea = EventAccumulator(str(tmp_path / "s" / "tb"))
    ea.Reload()
    tag = next(t for t in ea.Tags()["scalars"] if t.startswith("lr-"))
    return [round(e.value, 8) for e in ea.Scalars(tag)]


def test_step_schedule_halves_the_rate_every_step_size_epochs(run, tmp_path) -> None:
    lrs = _lrs(run, tmp_path, ["scheduler=step", "scheduler.step_size=2", "scheduler.gamma=0.5", "trainer.max_epochs=6"])
    assert lrs == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]


def test_cosine_schedule_decays_to_eta_min(run, tmp_path) -> None:
    lrs = _lrs(run, tmp_path, ["scheduler=cosine", "trainer.max_epochs=5"])
    assert lrs[0] == 0.1 and all(a > b for a, b in zip(lrs, lrs[1:]))
    assert lrs[-1] == pytest.approx(0.1 * (1 + torch.cos(torch.tensor(4 / 5 * torch.pi)).item()) / 2)


def test_onecycle_steps_every_update_and_peaks_at_max_lr(run) -> None:
    cfg = make_cfg(["dataset=playground", "model.hidden=[4]", "optim=sgd", "optim.lr=0.1", "scheduler=onecycle",
                    "trainer.max_epochs=4"])
    from aa.run import build

    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    opt = task.optimizer_factory(params=task.model.parameters())
    sched = task.scheduler_factory(opt)
    steps = 4 * dm.batch_mode.updates_per_epoch(len(dm.y_train))
    assert sched.total_steps == steps
    seen = []
    for _ in range(steps - 1):
        opt.step()
        sched.step()
        seen.append(opt.param_groups[0]["lr"])
    assert max(seen) == pytest.approx(1.0, rel=1e-3)


def test_plateau_schedule_cuts_the_rate_when_val_loss_stalls(run, tmp_path) -> None:
    lrs = _lrs(run, tmp_path, ["scheduler=plateau", "scheduler.patience=0", "scheduler.factor=0.5",
                               "optim.lr=5.0", "trainer.max_epochs=8"])
    assert min(lrs) < 5.0
