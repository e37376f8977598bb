"""The lecture's three remaining claims, each checked on small real runs: BackProp's epoch cost grows
linearly in N (scripts/bench_scaling.py), one hidden layer of N-1 units memorises N random labels,
and a perceptron fails two disconnected blobs that two hidden layers separate."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
from conftest import aa_train, fit, make_cfg

from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.data.regions import BLOBS, RegionsData

ROOT = Path(__file__).resolve().parents[1]
QUIET = ["~callbacks.gradient_stats", "~callbacks.decision_boundary", "~callbacks.model_graph",
         "~callbacks.confusion_matrix", "~callbacks.model_summary"]


def regions(**kwargs) -> tuple[torch.Tensor, torch.Tensor]:
    dm = RegionsData(val_fraction=0.1, test_fraction=0.1, **kwargs)
    return dm.load()


def test_each_set_follows_its_geometry() -> None:
    x, y = regions(name="half_plane", n_samples=500)
    assert torch.equal(y, (x[:, 1] > 0.5 * x[:, 0] + 0.1).long())
    x, y = regions(name="ring", n_samples=500)
    r = x.norm(dim=1)
    assert (r[y == 1] <= 0.35 + 1e-6).all() and (r[y == 0] >= 0.6 - 1e-6).all() and (r <= 0.95 + 1e-6).all()
    x, y = regions(name="two_blobs", n_samples=500)
    d = torch.stack([(x - torch.tensor(c)).norm(dim=1) for c in BLOBS], 1)
    assert (d[y == 1].min(1).values <= 0.3 + 1e-6).all() and (d[y == 0].min(1).values > 0.45).all()
    assert (d[y == 1].argmin(1) == 0).sum() in range(100, 151)  # both blobs hold class-1 points
    x, y = regions(name="checkerboard", n_samples=500, cells=2)
    assert torch.equal(y, ((x[:, 0] >= 0).long() + (x[:, 1] >= 0).long()) % 2)  # cells=2: XOR
    for name in ("half_plane", "ring", "two_blobs", "checkerboard"):
        _, y = regions(name=name, n_samples=1000)
        assert 0.4 < y.float().mean() < 0.6, name


def test_random_labels_are_coin_flips_of_the_seed() -> None:
    x, y = regions(name="ring", n_samples=2000)
    xr, yr = regions(name="ring", n_samples=2000, random_labels=True)
    assert torch.equal(x, xr)
    assert 0.45 < yr.float().mean() < 0.55
    assert 0.45 < (yr == y).float().mean() < 0.55  # unrelated to the true labels
    assert torch.equal(yr, regions(name="ring", n_samples=2000, random_labels=True)[1])


@pytest.mark.slow
def test_bad_region_options_are_refused_before_training() -> None:
    with pytest.raises(ConfigError, match="dataset.name.*half_plane, ring, two_blobs, checkerboard"):
        validate(make_cfg(["dataset=regions", "dataset.name=moons"]))
    with pytest.raises(ConfigError, match="dataset.cells"):
        validate(make_cfg(["dataset=regions", "dataset.cells=1"]))


def accuracy(dm, task, split: str) -> float:
    """Accuracy of the final weights on one split, in evaluation mode."""
    task.eval()
    x, y = getattr(dm, f"x_{split}"), getattr(dm, f"y_{split}")
    with torch.no_grad():
        return (task(x).argmax(1) == y).float().mean().item()


MEMORISE = ["dataset=regions", "dataset.name=ring", "dataset.n_samples=200", "dataset.val_fraction=0.1",
            "dataset.test_fraction=0.8", "dataset.random_labels=true", "activation=tanh", "batch=full",
            "optim.lr=0.05", "trainer.max_epochs=400", "~callbacks.model_checkpoint", *QUIET]


@pytest.mark.slow
def test_n_minus_one_hidden_units_memorise_random_labels(tmp_path, one_thread) -> None:
    dm, task, _ = fit([*MEMORISE, "model.hidden=[19]"], tmp_path / "wide")
    assert len(dm.y_train) == 20
    assert accuracy(dm, task, "train") == 1.0  # all N = 20 coin-flip labels, with N-1 = 19 units
    assert 0.35 < accuracy(dm, task, "test") < 0.65  # nothing to generalise: chance on 160 test points
    dm, task, _ = fit([*MEMORISE, "model.hidden=[1]"], tmp_path / "narrow")
    assert accuracy(dm, task, "train") < 0.9  # one unit cannot


@pytest.mark.slow
def test_perceptron_fails_disconnected_blobs_that_two_layers_separate(run, one_thread) -> None:
    common = ["dataset=regions", "dataset.name=two_blobs", "dataset.n_samples=400", "activation=tanh",
              "batch=full", "optim.lr=0.05", "trainer.max_epochs=300", *QUIET]
    perceptron = run([*common, "model=perceptron"], "perceptron")
    two = run([*common, "model.hidden=[8,8]"], "two")
    assert perceptron["test"]["acc"] < 0.75  # one line cannot isolate two blobs
    assert two["test"]["acc"] >= 0.9  # measured 0.95-1.0 on 80 test points


def bench_module():
    spec = importlib.util.spec_from_file_location("bench_scaling", ROOT / "scripts" / "bench_scaling.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def epoch_flops(mode: str, n: int, width: int) -> tuple[int, int, int]:
    """(N, D, floating-point operations) of one epoch on aa's training path, counted by torch's FLOP counter."""
    import pytorch_lightning as pl
    from torch.utils.flop_counter import FlopCounterMode

    from aa.run import build

    bench = bench_module()
    cfg = bench.compose(bench.overrides(mode, n, width))
    torch.manual_seed(0)
    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    trainer = pl.Trainer(accelerator="cpu", devices=1, max_epochs=1, limit_val_batches=0, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                         num_sanity_val_steps=0)
    with FlopCounterMode(display=False) as counter:
        trainer.fit(task, datamodule=dm)
    return len(dm.y_train), sum(p.numel() for p in task.model.parameters()), counter.get_total_flops()


@pytest.mark.slow
def test_epoch_work_grows_as_n_times_d_in_every_batch_mode() -> None:
    """The claim as counted work, not wall time (which scripts/bench_scaling.py measures): an epoch costs
    the same operations per sample at every N, about 6 per weight (forward 2, backward 4), in all three modes."""
    per_sample = {}
    for mode in ("full", "mini", "incremental"):
        (n1, d1, f1), (n2, _, f2), (n3, d3, f3) = (epoch_flops(mode, n, w) for n, w in ((100, 32), (200, 32), (100, 64)))
        assert n2 > 1.9 * n1 and d3 > 3 * d1
        assert f1 / n1 == f2 / n2  # linear in N, exactly
        assert 5 <= f1 / (n1 * d1) <= 6.5 and 5 <= f3 / (n3 * d3) <= 6.5  # linear in D
        per_sample[mode] = f1 / n1
    assert len(set(per_sample.values())) == 1, per_sample  # batch, mini-batch, incremental: the same work


def test_slope_fit_recovers_known_exponents() -> None:
    bench = bench_module()
    xs = [250, 1000, 4000, 16000]
    assert bench.fit_slope(xs, [3e-6 * x for x in xs]) == pytest.approx((1.0, 1.0))
    slope, r2 = bench.fit_slope(xs, [0.01 + 3e-6 * x for x in xs])  # a fixed cost bends the line
    assert slope < 0.8 and r2 < 1
    assert "slope=1.000" in bench.report("mini", "N", [(x, 10, 2e-5 * x) for x in xs], 1000)


def sweep(tmp_path: Path, *overrides: str) -> str:
    out = aa_train("-m", *overrides, f"hydra.sweep.dir={tmp_path}", "trainer=cpu", "trainer.max_epochs=3",
                   "trainer.check_val_every_n_epoch=1", "trainer.enable_progress_bar=false", cwd=ROOT,
                   env={"OMP_NUM_THREADS": "1"}, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    return out.stdout


def image_tags(folder: Path) -> set[str]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tags = set()
    for f in folder.glob("events.out.tfevents*"):
        ea = EventAccumulator(str(f), size_guidance={"images": 0})
        ea.Reload()
        tags |= set(ea.Tags()["images"])
    return tags


@pytest.mark.slow
def test_sweeps_end_with_their_figures_in_png_and_tensorboard(tmp_path) -> None:
    regions_dir, memo_dir = tmp_path / "regions", tmp_path / "memo"
    sweep(regions_dir, "experiment=decision_regions", "dataset.name=ring,two_blobs", "model.hidden=[],[4,4]",
          "dataset.n_samples=200")
    assert (regions_dir / "decision_regions.png").stat().st_size > 10_000
    assert "decision_regions" in image_tags(regions_dir / "tb_summary")
    sweep(memo_dir, "experiment=memorisation", "dataset.random_labels=false,true", "model.hidden=[1],[3]",
          "dataset.n_samples=100")
    assert (memo_dir / "memorisation.png").stat().st_size > 10_000
    from aa.claims.memorisation import MemorisationFigure
    from aa.sweep.collect import collect

    lines = MemorisationFigure().draw(collect(str(memo_dir))).axes[0].get_legend_handles_labels()[1]
    assert lines == [f"{kind} labels, {split}" for kind in ("true", "random") for split in ("train", "test")]
    assert "memorisation" in image_tags(memo_dir / "tb_summary")
    assert len(list(memo_dir.glob("[0-9]*"))) == 4
    assert (memo_dir / "sweep_summary.csv").is_file()
