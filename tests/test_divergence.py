"""The first non-finite training loss stops the run loudly: epoch, update, a hint, a non-zero exit,
job.json saying so, the last checkpoint with finite weights kept."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import pytorch_lightning as pl
import torch
from conftest import aa_train, make_cfg


class Boost(pl.Callback):
    """Multiplies the learning rate by ``factor`` when epoch ``epoch`` starts (a schedule gone wrong)."""

    def __init__(self, epoch: int, factor: float) -> None:
        self.epoch, self.factor = epoch, factor

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.current_epoch == self.epoch:
            for opt in trainer.optimizers:
                for group in opt.param_groups:
                    group["lr"] *= self.factor


@pytest.mark.slow
def test_divergence_in_a_later_epoch_keeps_the_last_finite_checkpoint(tmp_path: Path, one_thread) -> None:
    from aa.config.validate import validate
    from aa.task.divergence import Diverged
    from aa.run.train import train

    cfg = make_cfg(["optim=sgd", "optim.lr=0.05", "trainer.max_epochs=5",
                    "+callbacks.boost={_target_:test_divergence.Boost,epoch:2,factor:1e9}",
                    "allow_targets=[test_divergence]"])
    validate(cfg)
    with pytest.raises(Diverged) as info:
        train(cfg, str(tmp_path))
    assert info.value.epoch == 2 and info.value.epoch_update >= 1 and not math.isfinite(info.value.value)
    assert "optim.lr=0.05" in info.value.paragraph(cfg, "x.ckpt")
    state = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert state["epoch"] == 1 and all(torch.isfinite(v).all() for v in state["state_dict"].values())
    assert not (tmp_path / "metrics.json").exists()


@pytest.mark.slow
def test_diverging_run_exits_non_zero_with_one_paragraph(tmp_path: Path) -> None:
    p = aa_train("optim=sgd", "optim.lr=50", "trainer.max_epochs=5", f"hydra.run.dir={tmp_path}")
    out = p.stdout + p.stderr
    assert p.returncode == 3 and "Traceback" not in out
    assert "Training diverged: train/loss became nan at epoch 0" in out and "optim.lr=5" in out
    record = json.loads((tmp_path / "job.json").read_text())
    assert record["status"] == "diverged" and record["epoch"] == 0
    assert not (tmp_path / "metrics.json").exists()
