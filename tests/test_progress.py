"""The console's progress bar counts optimiser updates, also when one Lightning batch holds them all."""
from __future__ import annotations

import math

import pytest
from conftest import build
from omegaconf import open_dict


def with_bar(overrides: list[str], run_dir) -> tuple:
    """(data, task, trainer, its update progress bar) of a run with the bar on, as aa-train builds it."""
    from aa.callbacks.update_progress import UpdateProgressBar
    from aa.run.build import build_trainer

    cfg, dm, task = build(overrides)
    with open_dict(cfg):
        cfg.trainer.enable_progress_bar = True
    trainer = build_trainer(cfg, str(run_dir), dm)
    return dm, task, trainer, next(c for c in trainer.callbacks if isinstance(c, UpdateProgressBar))


def test_progress_bar_counts_every_update_of_an_epoch_served_as_one_chunk(tmp_path):
    dm, task, trainer, bar = with_bar(["trainer.max_epochs=1", "batch.size=64"], tmp_path)
    bar.refresh_s = 0.0  # draw every update
    drawn: list[tuple[object, int]] = []
    draw = bar._update
    bar._update = lambda bar_id, current, **kw: (drawn.append((bar_id, current)), draw(bar_id, current, **kw))
    trainer.fit(task, datamodule=dm)
    updates = math.ceil(len(dm.y_train) / 64)
    assert len(trainer.train_dataloader) == 1  # the whole epoch is one Lightning batch
    assert bar.total_train_batches == updates
    train = [current for bar_id, current in drawn if bar_id == bar.train_progress_bar_id]
    assert sorted(set(train)) == list(range(1, updates + 1))


@pytest.mark.slow
def test_no_validation_bar_flashes_for_a_one_batch_evaluation(tmp_path):
    dm, task, trainer, bar = with_bar(["trainer.max_epochs=2"], tmp_path)
    trainer.fit(task, datamodule=dm)
    assert trainer.num_val_batches == [1] and trainer.current_epoch == 2
    assert bar.val_progress_bar_id is None and bar.train_progress_bar_id is not None


@pytest.mark.slow
def test_the_bar_shows_the_last_epochs_train_and_val_metrics(tmp_path):
    dm, task, trainer, bar = with_bar(["trainer.max_epochs=2"], tmp_path)
    shown: list[dict] = []
    update = bar._update_metrics
    bar._update_metrics = lambda tr, pl: (update(tr, pl), shown.append(dict(bar._metric_component._metrics)))
    trainer.fit(task, datamodule=dm)
    final = {k: float(v) for k, v in trainer.callback_metrics.items() if k in ("train/loss", "train/acc", "val/loss",
                                                                              "val/acc")}
    assert shown[-1] == final  # the last epoch's four numbers, no grad/* probes, no v_num
    assert all(set(s) == set(final) for s in shown if s)  # never val without the same epoch's train
    assert [s["val/loss"] for s in shown if s] == pytest.approx([task.val_history[e]["loss"] for e in (0, 1)])


@pytest.mark.slow
def test_short_epochs_reset_the_bar_without_a_redraw_each(tmp_path):
    """Twenty epochs of a fraction of a second: rich redraws the display at most once a refresh_s at
    an epoch's start (each reset drew it before), and the bar still counts the last epoch whole."""
    dm, task, trainer, bar = with_bar(["trainer.max_epochs=20"], tmp_path)
    from rich.progress import Progress

    bar.refresh_s = 60.0
    draws: list[bool] = []  # each Progress.refresh call: was the progress disabled (no drawing)?
    original = Progress.refresh
    Progress.refresh = lambda self: (draws.append(self.disable), original(self))
    try:
        trainer.fit(task, datamodule=dm)
    finally:
        Progress.refresh = original
    epoch_draws = [d for d in draws if not d]
    assert trainer.current_epoch == 20
    assert len(epoch_draws) <= 3 < len(draws)  # the first epoch's start and the end; the other resets skipped
    assert bar._done == bar.total_train_batches
