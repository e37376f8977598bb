"""Epoch metrics go straight to the monitors and the dashboard, at the steps Lightning's own logging used."""
from __future__ import annotations

import pytest
from conftest import Events


def steps_and_values(events: Events, tag: str) -> list[tuple[int, float]]:
    return sorted((e.step, e.value) for r in events.readers if tag in r.Tags()["scalars"] for e in r.Scalars(tag))


@pytest.mark.slow
def test_each_epoch_logs_train_and_val_once_at_the_epochs_step(run, tmp_path) -> None:
    m = run(["dataset=playground", "dataset.name=xor", "trainer.max_epochs=4", "batch.size=50"], "xor")
    events = Events(tmp_path / "xor")
    # the x-axis is the epoch for every series (several updates an epoch here), and no separate epoch series
    for tag in ("val/loss", "val/acc", "train/loss", "train/acc", "lr/model"):
        assert [s for s, _ in steps_and_values(events, tag)] == [0, 1, 2, 3], tag
    assert "epoch" not in events.tags() and not any(t.startswith("lr-") for t in events.tags())
    assert steps_and_values(events, "train/acc")[-1][1] == pytest.approx(m["train"]["acc"])
    best = min(v for _, v in steps_and_values(events, "val/loss"))
    assert m["val"]["loss"] == pytest.approx(best)  # the checkpoint monitored what was published


@pytest.mark.slow
def test_the_dashboard_shows_each_epoch_while_the_run_goes_on(tmp_path) -> None:
    import pytorch_lightning as pl
    from conftest import build

    from aa.run.build import build_trainer

    class Look(pl.Callback):
        seen: dict[int, set[str]] = {}

        def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
            if trainer.current_epoch:
                self.seen[trainer.current_epoch] = Events(tmp_path).tags()

    cfg, dm, task = build(["dataset=playground", "dataset.name=xor", "trainer.max_epochs=3"])
    trainer = build_trainer(cfg, str(tmp_path), dm)
    trainer.callbacks.append(Look())
    trainer.fit(task, datamodule=dm)
    assert set(Look.seen) == {1, 2}
    assert all({"train/loss", "train/acc", "val/loss", "val/acc"} <= tags for tags in Look.seen.values())
