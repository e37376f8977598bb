"""Time per BackProp epoch against N (training samples) and D (weights): the lecture's O(N D) claim.

Section 2 of the lecture: one pass of BackProp over the training set costs O(N D) in every batch
mode (batch, mini-batch, incremental). This measures it on aa's own training path (data module
chunks, TaskModule's update loop, a Lightning fit with validation, logging and checkpoints off),
plain SGD, an MLP with two hidden layers of width w on the generated 2-D checkerboard
(``dataset=regions``), one torch thread:

- vary=N: N from 250 to 16,000 at fixed D (widths [256, 256], D = 67,074); incremental stops at
  8,000 (its epochs are N single-sample updates: 16,000 of them cost minutes on a shared CPU);
- vary=D: widths 16 ... 2,048 (D = 354 ... 4.2 M) at fixed N = 500;

for ``batch=full``, ``mini`` (B = 32) and ``incremental``. Each point is the median of ``--reps``
timed epochs after one warm-up epoch. A least-squares line through log(time) against log(N) (or
log(D)) over the fit range gives the slope (1 = linear) and r^2; one line per series:

    mode=mini vary=N slope=1.01 r2=0.999 fit=1000..16000 slope_all=0.93

``slope`` is fitted over the mid/upper range, where the work N D dominates; ``slope_all`` over every
point, which also holds the fixed per-update and per-epoch costs that bend the line at small N or D.
A PNG with both panels is written to ``--out`` (printed at the end).
"""
from __future__ import annotations

import argparse
import logging
import math
import os
import statistics
import time
import warnings

import numpy as np
import torch

warnings.filterwarnings("ignore")

MODES = ("full", "mini", "incremental")
N_GRID = (250, 500, 1000, 2000, 4000, 8000, 16000)
N_MAX = {"incremental": 8000}
WIDTHS = (16, 32, 64, 128, 256, 512, 1024, 2048)
FIXED_WIDTH, FIXED_N = 256, 500
N_FIT_FROM, D_FIT_FROM = 1000, 250_000
HELD_OUT = 0.01  # val and test fractions: nearly every generated sample is a training sample


def compose(overrides: list[str]):
    from hydra import compose as hydra_compose, initialize_config_dir

    from aa.config import resolvers
    from aa.config.paths import config_dir

    resolvers.register()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return hydra_compose(config_name="train", overrides=["trainer=cpu", *overrides])


def overrides(mode: str, n: int, width: int) -> list[str]:
    total = math.ceil(n / (1 - 2 * HELD_OUT))
    return ["dataset=regions", "dataset.name=checkerboard", f"dataset.n_samples={total}",
            f"dataset.val_fraction={HELD_OUT}", f"dataset.test_fraction={HELD_OUT}",
            f"model.hidden=[{width},{width}]", "optim=sgd", "optim.lr=0.01", f"batch={mode}",
            *(["batch.size=32"] if mode == "mini" else [])]


def epoch_times(mode: str, n: int, width: int, reps: int) -> tuple[int, int, float]:
    """(N, D, median seconds per epoch) of ``reps`` epochs after a warm-up epoch."""
    import pytorch_lightning as pl

    from aa.run import build

    class EpochTimer(pl.Callback):
        def __init__(self) -> None:
            self.times: list[float] = []

        def on_train_epoch_start(self, trainer, pl_module) -> None:
            self.start = time.perf_counter()

        def on_train_epoch_end(self, trainer, pl_module) -> None:
            self.times.append(time.perf_counter() - self.start)

    cfg = compose(overrides(mode, n, width))
    torch.manual_seed(0)
    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    timer = EpochTimer()
    trainer = pl.Trainer(accelerator="cpu", devices=1, max_epochs=reps + 1, limit_val_batches=0, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                         num_sanity_val_steps=0, callbacks=[timer])
    trainer.fit(task, datamodule=dm)
    weights = sum(p.numel() for p in task.model.parameters())
    return len(dm.y_train), weights, statistics.median(timer.times[1:])


def fit_slope(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Slope and r^2 of the least-squares line through (log x, log y)."""
    lx, ly = np.log(xs), np.log(ys)
    slope, icept = np.polyfit(lx, ly, 1)
    resid = ly - (slope * lx + icept)
    total = ((ly - ly.mean()) ** 2).sum()
    return float(slope), float(1 - (resid ** 2).sum() / total) if total > 0 else 1.0


def series(mode: str, vary: str, grid: tuple[int, ...], reps: int) -> list[tuple[int, int, float]]:
    points = []
    for value in grid:
        n, width = (value, FIXED_WIDTH) if vary == "N" else (FIXED_N, value)
        points.append(epoch_times(mode, n, width, reps))
    return points


def report(mode: str, vary: str, points: list[tuple[int, int, float]], fit_from: int) -> str:
    x = [p[0] if vary == "N" else p[1] for p in points]
    t = [p[2] for p in points]
    mid = [(a, b) for a, b in zip(x, t) if a >= fit_from]
    slope, r2 = fit_slope([a for a, _ in mid], [b for _, b in mid])
    slope_all, _ = fit_slope(x, t)
    return (f"mode={mode} vary={vary} slope={slope:.3f} r2={r2:.4f} fit={mid[0][0]}..{mid[-1][0]} "
            f"slope_all={slope_all:.3f}")


def plot(results: dict[tuple[str, str], list[tuple[int, int, float]]], path: str, note: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, vary in zip(axes, ("N", "D")):
        for mode in MODES:
            points = results.get((mode, vary))
            if not points:
                continue
            x = [p[0] if vary == "N" else p[1] for p in points]
            t = [p[2] for p in points]
            ax.loglog(x, t, "o-", label=f"batch={mode}")
        first = next((results[(m, vary)] for m in MODES if results.get((m, vary))), None)
        if first:  # a slope-1 guide through the last point of the first series
            x1, t1 = (first[-1][0] if vary == "N" else first[-1][1]), first[-1][2]
            x0 = first[0][0] if vary == "N" else first[0][1]
            ax.loglog([x0, x1], [t1 * x0 / x1, t1], "k:", lw=0.8, label="slope 1")
        fixed = f"D = {results[(MODES[0], 'N')][0][1]:,}" if vary == "N" and (MODES[0], "N") in results else \
            f"N = {FIXED_N}"
        ax.set_xlabel("N (training samples)" if vary == "N" else "D (weights)")
        ax.set_ylabel("seconds per epoch (median)")
        ax.set_title(f"epoch time vs {vary} ({fixed})", fontsize=10)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle(note, fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="timed epochs per point (median), after a warm-up")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated batch modes")
    parser.add_argument("--vary", default="N,D", help="N, D or N,D")
    parser.add_argument("--out", default="outputs/bench_scaling.png", help="where the PNG goes")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import pytorch_lightning  # noqa: F401  (it sets its logger's level on import; quiet it afterwards)

    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    start = time.perf_counter()
    results = {}
    for vary in args.vary.split(","):
        grid, fit_from = (N_GRID, N_FIT_FROM) if vary == "N" else (WIDTHS, D_FIT_FROM)
        for mode in args.modes.split(","):
            values = tuple(v for v in grid if vary == "D" or v <= N_MAX.get(mode, v))
            results[(mode, vary)] = series(mode, vary, values, args.reps)
            for n, d, t in results[(mode, vary)]:
                print(f"  mode={mode} N={n} D={d} seconds_per_epoch={t:.5f}", flush=True)
            print(report(mode, vary, results[(mode, vary)], fit_from), flush=True)
    note = (f"{args.threads} torch thread(s), median of {args.reps} epochs, load average {load:.1f} at start, "
            f"{time.perf_counter() - start:.0f} s in all")
    plot(results, args.out, note)
    print(note)
    print(f"plot: {args.out}")


if __name__ == "__main__":
    main()
