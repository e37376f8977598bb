"""Tests compose the real configs with Hydra's compose API and shrink them; nothing is mocked."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, open_dict

from aa.config import resolvers
from aa.config.paths import config_dir

resolvers.register()
os.environ.setdefault("PL_DISABLE_FORK", "1")


def make_cfg(overrides: Iterable[str] = ()) -> DictConfig:
    """The composed run config for these overrides, quiet and CPU-only."""
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = compose(config_name="train", overrides=["trainer=cpu", *overrides])
    with open_dict(cfg):
        cfg.trainer.enable_progress_bar = False
    return cfg


def fit(overrides: Iterable[str], run_dir: Path):
    """Validate, build and fit a composed config without testing it; returns (data, task, trainer)."""
    import torch

    from aa.config.validate import validate
    from aa.run import build

    cfg = make_cfg(overrides)
    validate(cfg)
    torch.manual_seed(cfg.seed)
    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    trainer = build.build_trainer(cfg, str(run_dir), dm)
    trainer.fit(task, datamodule=dm)
    return dm, task, trainer


@pytest.fixture
def one_thread():
    """Small nets run fastest on one torch thread on a shared 2-core CPU."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def cfg_factory():
    return make_cfg


@pytest.fixture
def run(tmp_path: Path):
    """Validate and train a composed config in a temporary run directory; returns the metrics."""
    from aa.config.validate import validate
    from aa.run.train import train

    def _run(overrides: Iterable[str] = (), name: str = "run") -> dict:
        cfg = make_cfg(overrides)
        validate(cfg)
        return train(cfg, str(tmp_path / name))

    return _run
