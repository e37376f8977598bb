"""launcher=, hparams_search= and trainer=ddp compose, validate, and refuse bad values or impossible
combinations before torch loads (no job runs here)."""
from __future__ import annotations

import os

import pytest
from conftest import aa_train
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from aa.base.errors import ConfigError
from aa.config.paths import config_dir
from aa.config.validate import validate
from aa.run.threads import job_threads


def full_cfg(overrides: list[str], multirun: bool = False) -> DictConfig:
    """The composed config with its hydra node, as the validation callback sees it."""
    mode = ["hydra.mode=MULTIRUN"] if multirun else []
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return compose(config_name="train", overrides=[*overrides, *mode], return_hydra_config=True)


@pytest.mark.parametrize("overrides", [
    ["launcher=joblib"], ["launcher=ray"], ["launcher=slurm"],
    ["launcher=slurm_ddp", "trainer.devices=4"], ["hparams_search=optuna"],
    ["launcher=joblib", "hparams_search=optuna"],
])
def test_sweep_options_validate(overrides):
    validate(full_cfg(overrides, multirun=True))


def test_slurm_ddp_spans_the_trainer_devices():
    cfg = full_cfg(["launcher=slurm_ddp", "trainer.devices=4"], multirun=True)
    assert cfg.trainer.strategy == "ddp"
    assert cfg.hydra.launcher.tasks_per_node == 4 and cfg.hydra.launcher.gpus_per_node == 4


@pytest.mark.slow
@pytest.mark.parametrize("overrides, key", [
    (["launcher=joblib", "hydra.launcher.n_jobs=0"], "hydra.launcher.n_jobs"),
    (["launcher=joblib", "hydra.launcher.prefer=threads"], "hydra.launcher.prefer"),
    (["launcher=ray", "hydra.launcher.ray.remote.num_gpus=-1"], "hydra.launcher.ray.remote.num_gpus"),
    (["launcher=ray", "+hydra.launcher.ray.init.num_gpu=2"], "hydra.launcher.ray.init.num_gpu"),
    (["launcher=slurm", "hydra.launcher.timeout_min=0"], "hydra.launcher.timeout_min"),
    (["launcher=slurm", "hydra.launcher.mem_gb=-4"], "hydra.launcher.mem_gb"),
    (["hparams_search=optuna", "hydra.sweeper.n_trials=0"], "hydra.sweeper.n_trials"),
    (["hparams_search=optuna", "hydra.sweeper.max_failure_rate=2"], "hydra.sweeper.max_failure_rate"),
    (["hparams_search=optuna", "hydra.sweeper.sampler.n_startup_trials=-1"],
     "hydra.sweeper.sampler.n_startup_trials"),
])
def test_bad_sweep_values_are_rejected(overrides, key):
    with pytest.raises(ConfigError) as e:
        validate(full_cfg(overrides, multirun=True))
    assert e.value.key == key


@pytest.mark.slow
def test_optuna_direction_must_fit_the_metric():
    with pytest.raises(ConfigError, match="val/acc, where higher is better") as e:
        validate(full_cfg(["hparams_search=optuna", "hydra.sweeper.direction=minimize"], multirun=True))
    assert e.value.key == "hydra.sweeper.direction" and "Valid choices: maximize" in str(e.value)
    validate(full_cfg(["hparams_search=optuna", "hydra.sweeper.direction=minimize",
                       "optimized_metric=val/loss"], multirun=True))


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["joblib", "ray", None])
def test_ddp_in_a_multirun_names_the_working_alternative(launcher):
    overrides = ["trainer=ddp"] + ([f"launcher={launcher}"] if launcher else [])
    with pytest.raises(ConfigError, match="launcher=slurm_ddp") as e:
        validate(full_cfg(overrides, multirun=True))
    assert e.value.key == "trainer.strategy"
    validate(full_cfg(["trainer=ddp"]))  # one DDP run without -m is fine


def test_slurm_ddp_needs_one_task_per_device():
    with pytest.raises(ConfigError) as e:
        validate(full_cfg(["launcher=slurm_ddp", "trainer.devices=4", "hydra.launcher.tasks_per_node=2"],
                          multirun=True))
    assert e.value.key == "hydra.launcher.tasks_per_node" and "Valid choices: 4" in str(e.value)


@pytest.mark.slow
def test_each_parallel_job_gets_its_share_of_the_cores():
    cores = os.cpu_count()
    joblib = full_cfg(["launcher=joblib", "hydra.launcher.n_jobs=2"]).hydra.launcher
    assert job_threads(None, joblib) == max(1, cores // 2)
    assert job_threads(3, joblib) == 3
    assert job_threads(None, full_cfg(["launcher=ray", "hydra.launcher.ray.remote.num_cpus=4"]).hydra.launcher) == 4
    assert job_threads(None, full_cfg([]).hydra.launcher) is None


@pytest.mark.slow
def test_ddp_multirun_is_refused_before_any_job(tmp_path):
    p = aa_train("-m", "trainer=ddp", "optim.lr=0.01,0.1", f"hydra.sweep.dir={tmp_path}", timeout=120)
    assert p.returncode == 2
    assert "trainer.strategy='ddp'" in p.stderr and "launcher=slurm_ddp" in p.stderr
    assert not list(tmp_path.glob("*/metrics.json"))
