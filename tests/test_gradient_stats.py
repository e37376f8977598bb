"""Per-layer gradient statistics: the same numbers from both engines, logged every epoch, and the lecture's point."""
from __future__ import annotations

import pytest
import torch
from conftest import Events, build, make_cfg, trainer_for
from hydra import compose, initialize_config_dir
from omegaconf import open_dict

from aa.callbacks.gradient_stats import layer_stats
from aa.config.paths import config_dir
from aa.config.validate import validate
from aa.run import build as builders

DEEP = "model.hidden=[32,32,32,32,32,32]"


def task_for(overrides: list[str]):
    cfg = make_cfg(overrides)
    validate(cfg)
    torch.manual_seed(0)
    dm = builders.build_data(cfg)
    return builders.build_task(cfg, dm), dm


@pytest.mark.slow
def test_manual_and_autograd_report_the_same_layer_statistics():
    auto, dm = task_for([DEEP, "activation=tanh", "regularization=[dropout,l2]"])
    manual, _ = task_for([DEEP, "activation=tanh", "regularization=[dropout,l2]", "backprop=manual"])
    x, y = dm.x_train[:128], dm.y_train[:128]
    a, m = layer_stats(auto, x, y), layer_stats(manual, x, y)
    assert len(a) == 2 * 7 + 1 and a.keys() == m.keys()
    for key in a:
        assert torch.allclose(a[key], m[key], rtol=1e-4), key


@pytest.mark.slow
def test_probe_leaves_gradients_buffers_and_modes_as_they_were():
    task, dm = task_for(["model.hidden=[16]", "normalization=batch", "regularization=[dropout]"])
    task.model.train()
    for p in task.model.parameters():
        p.grad = torch.full_like(p, 7.0)
    before = [b.clone() for b in task.model.buffers()]
    layer_stats(task, dm.x_train[:64], dm.y_train[:64])
    assert all((p.grad == 7.0).all() for p in task.model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, task.model.buffers()))
    assert all(m.training for m in task.model.modules())


@pytest.mark.slow
def test_deep_sigmoid_gradients_vanish_where_residual_relu_keeps_them():
    """Lecture section 3: the first layer's |delta| relative to the output's, at initialisation."""
    ratio = {}
    for name, overrides in {"sigmoid": ["activation=sigmoid"], "relu": ["activation=relu"],
                            "relu_residual": ["activation=relu", "model.skip=residual"]}.items():
        task, dm = task_for([DEEP, "backprop=manual", *overrides])
        ratio[name] = layer_stats(task, dm.x_train[:256], dm.y_train[:256])["grad/delta_first_over_last"].item()
    assert ratio["sigmoid"] < 1e-3 < ratio["relu"] < 0.1 < ratio["relu_residual"], ratio


def probe_only(cfg) -> None:
    """Keep the gradient probe as the one callback; no checkpoints."""
    with open_dict(cfg):
        cfg.callbacks = {"gradient_stats": cfg.callbacks.gradient_stats}
        cfg.trainer.enable_checkpointing = False


@pytest.mark.slow
def test_statistics_reach_tensorboard_once_per_epoch_for_both_engines(tmp_path):
    for engine in ("autograd", "manual"):
        cfg, dm, task = build(["model.hidden=[16,16]", "trainer.max_epochs=3", "batch.limit=5", f"backprop={engine}"])
        probe_only(cfg)
        trainer_for(cfg, tmp_path / engine, dm).fit(task, datamodule=dm)
        events = Events(tmp_path / engine)
        tags = {t for t in events.tags() if t.startswith("grad/")}
        assert tags == {f"grad/{k}/layer{l:02d}" for k in ("delta_mean_abs", "norm") for l in (1, 2, 3)} | {
            "grad/delta_first_over_last"}, engine
        assert len(events.scalars("grad/norm/layer01")) == 3


@pytest.mark.slow
def test_vanishing_gradients_experiment_is_one_sweep_of_four_valid_runs():
    cfg = make_cfg(["experiment=vanishing_gradients"])
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        hydra_cfg = compose("train", overrides=["experiment=vanishing_gradients"], return_hydra_config=True)
    params = hydra_cfg.hydra.sweeper.params
    assert dict(params) == {"activation": "sigmoid,relu", "model.skip": "none,residual"}
    assert len(cfg.model.hidden) == 8 and cfg.optim._target_ == "torch.optim.SGD"
    for activation in params["activation"].split(","):
        for skip in params["model.skip"].split(","):
            for engine in ("autograd", "manual"):
                run = make_cfg(["experiment=vanishing_gradients", f"activation={activation}",
                                f"model.skip={skip}", f"backprop={engine}"])
                validate(run)
                assert run.activation._target_.rsplit(".", 1)[-1].lower() == activation


@pytest.mark.slow
def test_a_run_with_the_probe_ends_with_the_weights_of_a_run_without(tmp_path):
    weights = []
    for probe in (True, False):
        cfg, dm, task = build(["model.hidden=[16,16]", "normalization=batch", "regularization=[dropout]",
                               "trainer.max_epochs=3", "batch.limit=4"])
        if probe:
            probe_only(cfg)
            with open_dict(cfg):
                cfg.logger = None
        trainer_for(cfg, tmp_path / str(probe), dm, quiet=not probe).fit(task, datamodule=dm)
        weights.append(task.model.state_dict())
    for name, value in weights[0].items():
        assert torch.equal(value, weights[1][name]), name


def test_probes_are_spaced_to_about_ten_over_a_long_run_and_keep_the_first_and_last_epoch():
    from aa.callbacks.gradient_stats import GradientStats

    auto = GradientStats()
    assert [e for e in range(60) if auto.probes_epoch(e, 60)] == list(range(0, 60, 6)) + [59]
    assert all(auto.probes_epoch(e, 10) for e in range(10))  # short runs: every epoch
    assert [e for e in range(10) if GradientStats(every_n_epochs=4).probes_epoch(e, 10)] == [0, 4, 8, 9]
    assert all(auto.probes_epoch(e, -1) for e in range(50))  # no epoch bound (max_time): every epoch
