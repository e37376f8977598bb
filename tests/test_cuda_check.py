"""A CPU run answers Adam's per-step "is CUDA available?" from the CUDA runtime, not from NVML, which
Lightning's import asks for (aa.run.cuda_check); the request is back in place once the run ends."""
from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
import pytorch_lightning as pl
from conftest import make_cfg

from aa.run.cuda_check import KEY, runtime_cuda_check


class SeeCudaCheck(pl.Callback):
    """Records Lightning's NVML request as the Adam steps of the first epoch see it."""

    seen: list[str | None] = []

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        SeeCudaCheck.seen.append(os.environ.get(KEY))


def test_lightning_asks_for_nvml_and_a_cpu_trainer_drops_it_only_while_it_runs() -> None:
    assert os.environ.get(KEY) == "1"  # set by importing Lightning
    with runtime_cuda_check(pl.Trainer(accelerator="cpu", devices=1, logger=False)):
        assert KEY not in os.environ
    assert os.environ[KEY] == "1"
    gpu = SimpleNamespace(strategy=SimpleNamespace(root_device=SimpleNamespace(type="cuda")), world_size=1)
    with runtime_cuda_check(gpu):
        assert os.environ[KEY] == "1"  # a GPU run keeps Lightning's fork-safe check


@pytest.mark.slow
def test_a_training_run_steps_without_the_nvml_request(tmp_path: Path) -> None:
    from aa.config.validate import validate
    from aa.run.train import train

    cfg = make_cfg(["trainer.max_epochs=1", "+callbacks.see={_target_:test_cuda_check.SeeCudaCheck}",
                    "allow_targets=[test_cuda_check]"])
    validate(cfg)
    SeeCudaCheck.seen.clear()
    train(cfg, str(tmp_path))
    assert SeeCudaCheck.seen == [None] and os.environ[KEY] == "1"
