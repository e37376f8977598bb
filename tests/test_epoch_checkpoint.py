"""last.ckpt stays recent (every epoch with last_every_s=0; else at that interval and after improving, last and
stopping epochs), so a killed run resumes from near its end rather than its best epoch; best.ckpt stays the best
epoch's, written as a link to that epoch's last.ckpt (one serialisation an epoch)."""
from __future__ import annotations

import os
from pathlib import Path

import torch
from conftest import fit

RUN = ["trainer.max_epochs=4", "batch.size=64", "callbacks.gradient_stats=null", "callbacks.model_graph=null"]


def counting_writes(monkeypatch) -> list[str]:
    from aa.base.checkpoint_io import AtomicCheckpointIO

    written: list[str] = []
    save = AtomicCheckpointIO.save_checkpoint

    def counted(self, checkpoint, path, storage_options=None):
        written.append(os.path.basename(path))
        return save(self, checkpoint, path, storage_options)

    monkeypatch.setattr(AtomicCheckpointIO, "save_checkpoint", counted)
    return written


def test_last_checkpoint_follows_every_epoch_while_the_best_stays_put(tmp_path: Path, one_thread, monkeypatch) -> None:
    written = counting_writes(monkeypatch)
    # the epoch number, minimised, makes epoch 0 the best one for good
    _, task, trainer = fit([*RUN, "callbacks.model_checkpoint.monitor=epoch",
                            "callbacks.model_checkpoint.last_every_s=0"], tmp_path)
    ck = tmp_path / "checkpoints"
    last, best = (torch.load(ck / n, map_location="cpu", weights_only=True) for n in ("last.ckpt", "best.ckpt"))
    assert (last["epoch"], best["epoch"]) == (3, 0)
    assert last["global_step"] == trainer.global_step
    state = {f"model.{k}": v for k, v in task.model.state_dict().items()}
    assert all(torch.equal(state[k], last["state_dict"][k]) for k in state)  # the weights the run ended with
    assert not all(torch.equal(last["state_dict"][k], best["state_dict"][k]) for k in state)
    assert trainer.checkpoint_callback.best_model_path == str(ck / "best.ckpt")
    assert written == ["last.ckpt"] * 4  # one write an epoch; epoch 0's best is a link to its last.ckpt


def test_an_improving_epoch_writes_once_and_links_its_best_checkpoint(tmp_path: Path, one_thread, monkeypatch) -> None:
    written = counting_writes(monkeypatch)
    fit([*RUN, "callbacks.model_checkpoint.monitor=epoch", "callbacks.model_checkpoint.mode=max"], tmp_path)
    ck = tmp_path / "checkpoints"
    assert written == ["last.ckpt"] * 4
    assert os.stat(ck / "best.ckpt").st_ino == os.stat(ck / "last.ckpt").st_ino
    assert torch.load(ck / "best.ckpt", map_location="cpu", weights_only=True)["epoch"] == 3
    assert sorted(p.name for p in ck.iterdir()) == ["best.ckpt", "last.ckpt"]  # no temporary file left


def test_checkpoints_resume_across_lightnings_class_and_this_one() -> None:
    from pytorch_lightning.callbacks import ModelCheckpoint

    from aa.callbacks.epoch_checkpoint import EpochCheckpoint

    kwargs = {"monitor": "val/loss", "mode": "min", "save_last": True}
    assert EpochCheckpoint(**kwargs).state_key == ModelCheckpoint(**kwargs).state_key


def test_between_improving_epochs_last_checkpoint_waits_for_its_interval_but_not_past_the_last_epoch(
        tmp_path: Path, one_thread, monkeypatch) -> None:
    written = counting_writes(monkeypatch)
    _, task, trainer = fit([*RUN, "callbacks.model_checkpoint.monitor=epoch",
                            "callbacks.model_checkpoint.last_every_s=100000"], tmp_path)
    assert written == ["last.ckpt"] * 2  # epoch 0 (the best, and the first write) and epoch 3 (the last)
    last = torch.load(tmp_path / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)
    assert last["epoch"] == 3 and last["global_step"] == trainer.global_step


def test_a_run_that_stops_early_writes_its_last_checkpoint_at_the_stop(tmp_path: Path, one_thread,
                                                                      monkeypatch) -> None:
    written = counting_writes(monkeypatch)
    # validation loss cannot improve on itself by 1e9: early stopping ends the run after epoch 2 of 10
    # the checkpoint monitors the epoch number (minimised): only epoch 0 is ever the best
    _, task, trainer = fit([*RUN, "trainer.max_epochs=10", "callbacks.model_checkpoint.last_every_s=100000",
                            "callbacks.model_checkpoint.monitor=epoch",
                            "+callbacks.early_stopping._target_=pytorch_lightning.callbacks.EarlyStopping",
                            "+callbacks.early_stopping.monitor=val/loss", "+callbacks.early_stopping.patience=1",
                            "+callbacks.early_stopping.min_delta=1e9"], tmp_path)
    last = torch.load(tmp_path / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)
    assert trainer.current_epoch < 9 and last["global_step"] == trainer.global_step
    assert len(written) == 2  # the first epoch and the stopping one
