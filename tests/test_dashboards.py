"""What a person sees first in TensorBoard, read back with TensorBoard's own reader: HParams lists the swept
keys (and names each trial by them), curves share the epoch axis, learning rates are named by player,
pictures are legible at card size, the progress bar shows a measured rate."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from conftest import Events, build, make_cfg, runner
from PIL import Image
from torch import nn

from aa.base.plotting import header, legible
from aa.compress import measure
from aa.run.hparams import experiment_hparams, metric_tags, swept_keys


def test_the_swept_keys_are_read_from_the_sweeps_own_overrides() -> None:
    task = ["optim.lr=0.001,0.01", "trainer.max_epochs=3", "model=mlp,cnn", "+seed=range(2)"]
    assert swept_keys(task) == ["optim.lr", "model", "seed"]
    assert swept_keys(["trainer.max_epochs=3"], {"batch.size": "choice(16, 32)"}) == ["batch.size"]


def test_a_sweep_logs_its_swept_keys_first_and_names_the_trial_by_them() -> None:
    cfg = make_cfg(["optim.lr=0.01", "trainer.max_epochs=3"])
    params, trial = experiment_hparams(cfg, {"model": "mlp", "dataset": "digits"},
                                       ["optim.lr=0.01", "trainer.max_epochs=3"], swept=["optim.lr"])
    assert list(params) == ["optim/lr", "model", "dataset"]  # constant trainer.max_epochs is not a hparam
    assert params["optim/lr"] == 0.01 and trial == "optim.lr=0.01"
    assert sorted(params).index("optim/lr") < 5  # among the five TensorBoard ticks


def test_a_single_run_logs_its_command_line_keys_then_a_few_essentials() -> None:
    cfg = make_cfg(["model.hidden=[16]", "batch.size=32"])
    params, trial = experiment_hparams(cfg, {"model": "mlp", "dataset": "digits", "optim": "adam"},
                                       ["model.hidden=[16]", "batch.size=32", "resume=false"], swept=None)
    assert list(params) == ["model/hidden", "batch/size", "model", "dataset", "optim", "optim/lr",
                            "trainer/max_epochs"]
    assert params["model/hidden"] == "[16]" and params["batch/size"] == 32 and trial == ""


def test_the_main_metric_is_the_first_hparams_column_and_test_metrics_are_not_curves() -> None:
    metrics = {"train": {"loss": 1.0}, "val": {"loss": 0.5, "acc": 0.9}, "test": {"acc": 0.8},
               "optimized_metric": {"name": "val/acc", "value": 0.9},
               "compression": {"tensorboard": ["compression/sparsity"]}}
    assert metric_tags(metrics) == ["val/acc", "val/loss", "train/loss", "compression/sparsity"]


def test_a_games_players_losses_are_shown_apart_from_its_quality_metrics() -> None:
    from aa.run.hparams import metrics_table
    from aa.run.summary import separate_players

    game = {"train": {"loss": 0.14, "d_loss": 0.14, "g_loss": 3.99}, "val": {"fd": 319.3, "loss": 319.3},
            "test": {"fd": 320.1, "loss": 320.1}}
    rest, players = separate_players(game)
    assert rest["train"] == {} and list(players.columns[0].cells) == ["d", "g"]
    table = metrics_table(game)
    assert "| loss | - | 319.3000 | 320.1000 |" in table and "| g_loss | 3.9900 | - | - |" in table
    one = {"train": {"loss": 0.3, "acc": 0.9}, "val": {"loss": 0.4}, "test": {}}
    assert separate_players(one) == (one, None)


def test_small_pictures_are_enlarged_by_whole_pixels_to_256() -> None:
    small = np.random.default_rng(0).integers(0, 255, (73, 91, 3), dtype=np.uint8)
    big = legible(small)
    assert big.shape == (292, 364, 3)  # factor 4: the smallest that lifts 73 to 256 or more
    assert (big[::4, ::4] == small).all() and (big[3::4, 3::4] == small).all()  # no smoothing
    assert legible(np.zeros((300, 400, 3), np.uint8)).shape == (300, 400, 3)


def test_column_labels_are_drawn_at_least_12_pixels_high() -> None:
    image = header(np.full((100, 200, 3), 255, np.uint8), ["0", "1"], 100)
    ink = np.nonzero((image[:-100] < 128).any(2).any(1))[0]
    assert ink.max() - ink.min() + 1 >= 10 and image.shape[0] - 100 >= 12 + 8  # a digit's ink, the strip


def test_latency_is_timed_in_turns_with_its_quartiles() -> None:
    class Slow(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            import time

            time.sleep(0.003)
            return x

    t = measure.latency_pair({"slow": Slow(), "fast": nn.Identity()}, torch.zeros(1, 4), repeats=9, warmup=2)
    assert t["slow"]["median"] >= 3 > t["fast"]["median"]
    assert all(v["q1"] <= v["median"] <= v["q3"] for v in t.values())


@pytest.mark.slow
def test_a_gan_run_names_each_players_learning_rate_on_the_epoch_axis(tmp_path, one_thread) -> None:
    runner(tmp_path)(["model=gan", "model.conditional=true", "trainer.max_epochs=2", "optim.lr=0.002", "scheduler=none",
                      "callbacks.gradient_stats=null", "callbacks.model_graph=null"], "gan")  # recipe=gan's cosine off
    events = Events(tmp_path / "gan")
    tags = events.tags()
    assert {"lr/generator", "lr/discriminator"} <= tags and "epoch" not in tags
    assert not any(t.startswith(("lr-", "test/")) for t in tags)
    for tag in ("lr/generator", "val/fd", "train/d_loss"):
        assert [e.step for r in events.readers if tag in r.Tags()["scalars"] for e in r.Scalars(tag)] == [0, 1], tag
    assert events.scalars("lr/generator") == [pytest.approx(0.002)] * 2
    for tag in events.tags("images"):
        image = Image.open(__import__("io").BytesIO(events.images(tag)[-1].encoded_image_string))
        assert min(image.size) >= 256, (tag, image.size)
    samples = Image.open(tmp_path / "gan" / "samples.png")
    k = samples.size[0] // (10 * 9 + 1)  # ten columns of 8x8 digits, 1-pixel padding, enlarged k times
    assert k >= 2 and samples.size[0] == 91 * k and (samples.size[1] - 22) % (9 * k) == k  # full rows, labels


@pytest.mark.slow
def test_the_progress_bar_shows_updates_per_second_over_the_fit(tmp_path, capsys) -> None:
    from aa.callbacks.update_progress import UpdateProgressBar
    from aa.run.build import build_trainer

    from omegaconf import open_dict

    cfg, dm, task = build(["dataset=playground", "dataset.name=xor", "trainer.max_epochs=3", "batch.size=50",
                           "callbacks.gradient_stats=null"])
    with open_dict(cfg):
        cfg.trainer.enable_progress_bar = True
    trainer = build_trainer(cfg, str(tmp_path), dm)
    bar = next(c for c in trainer.callbacks if isinstance(c, UpdateProgressBar))
    assert bar.rate() == ""  # nothing measured yet: nothing shown, never 0.00
    trainer.fit(task, datamodule=dm)
    out = capsys.readouterr().out
    assert "it/s" not in out and re.search(r"\d+ updates/s", out), out[-800:]
    assert re.search(r"[\d.]+ (epochs/s|s/epoch)", out), out[-800:]  # wrapped below it in a narrow console
    assert bar._fit_updates == trainer.global_step and bar._fit_epochs == 3


def test_the_screenshot_script_refuses_an_unknown_page_before_starting_anything(tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "screenshots.py"
    p = subprocess.run([sys.executable, str(script), str(tmp_path), str(tmp_path / "x"), "--pages", "hparams,graphz"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "--pages=graphz" in p.stderr and "Valid choices: timeseries" in p.stderr
    assert "Traceback" not in p.stderr and not list(tmp_path.iterdir())
