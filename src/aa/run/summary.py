"""The rich summary printed at the end of a run."""
from __future__ import annotations

import shlex
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from aa.config.files import shown
from aa.data.accounting import CHANGES


def line(console: Console, text: str) -> None:
    """One line as it is: never wrapped at the console's width, brackets in paths not read as markup,
    so a printed path can be copied whole from a terminal or a log."""
    console.print(text, soft_wrap=True, markup=False, highlight=False)


def print_summary(metrics: dict[str, Any], run_dir: str) -> None:
    metrics, players = separate_players(metrics)
    table = Table(title="aa-train: final metrics", show_header=True, header_style="bold")
    table.add_column("metric")
    for split in ("train", "val", "test"):
        table.add_column(split, justify="right")
    names = sorted({k for s in ("train", "val", "test") for k in metrics[s]})
    for name in names:
        table.add_row(name, *(f"{metrics[s][name]:.4f}" if name in metrics[s] else "-" for s in ("train", "val", "test")))
    console = Console()
    console.print(table)
    if players is not None:
        console.print(players)
    source = metrics.get("reported_from")
    if source:
        line(console, f"val and test: {source}; train: averages over the last epoch's updates")
    if metrics.get("test_split", "test") is None:
        line(console, f"test: {(metrics.get('split_sources') or {}).get('test', 'not measured')}")
    elif metrics.get("test_split", "test") != "test":
        line(console, f"test: there is no test split, so the test column is measured on {metrics['test_split']}")
    for text in data_lines(metrics.get("data"), metrics.get("test_split", "test") is not None):
        line(console, text)
    baseline = metrics.get("baseline")
    if baseline and not baseline["beats_baseline"]:
        line(console, f"WARNING: the model does not beat predicting the training mean on test (MSE "
                      f"{baseline['model_test_mse']:.4g} vs {baseline['test_mse']:.4g}): more epochs, another "
                      "learning rate, or dataset.standardize_targets=true may help")
    elif baseline:
        line(console, f"baseline: predicting the training mean scores test MSE {baseline['test_mse']:.4g} "
                      f"(RMSE {baseline['test_rmse']:.4g}); the model {baseline['model_test_mse']:.4g}")
    if metrics.get("stopped"):
        line(console, f"stopped: {metrics['stopped']}")
    rel = shown(run_dir)
    best = metrics.get("best_checkpoint")
    line(console, f"run dir:         {rel}")
    line(console, f"best checkpoint: {shown(best) if best else None}")
    line(console, f"epochs: {metrics['epochs']}  parameters: {metrics['parameters']:,}  wall time: {metrics['wall_time_s']} s")
    line(console, f"dashboard:       tensorboard --logdir {rel}")


def data_lines(data: dict[str, Any] | None, test_measured: bool = True) -> list[str]:
    """metrics.json's "data" in words: the sizes of the splits, further sizes (annotations, tokens), where
    each split came from, and every change (dropped, truncated, imputed, unknown) with its reason."""
    if not data:
        return []
    splits = {s: c for s, c in data.items() if s not in ("unit", "changes", "sources") and isinstance(c, dict)}
    sizes = ", ".join(f"{s} {c['samples']:,}" for s, c in splits.items() if "samples" in c)
    out = [f"data: {sizes} {data.get('unit', 'samples')}"] if sizes else []
    extra = sorted({k for c in splits.values() for k in c if k != "samples" and k not in CHANGES})
    for key in extra:
        out.append(f"data: {key}: " + ", ".join(f"{s} {c[key]:,}" for s, c in splits.items() if key in c))
    sources = {s: src for s, src in (data.get("sources") or {}).items() if test_measured or s != "test"}
    if sources:
        out.append("splits: " + "; ".join(f"{s} from {src}" for s, src in sources.items()))
    out += [f"data: {r}" for r in data.get("changes", [])]
    return out


def resume_hint(stopped: Exception, run_dir: str, hydra: Any) -> None:
    """One line after a run stopped by a signal: where it stood and the command that continues it."""
    console = Console(stderr=True)
    if str(hydra.mode) == "RunMode.MULTIRUN":  # the sweep as typed, in its own folder, skipping finished jobs
        typed = [a for a in sys.argv[1:] if not a.startswith(("resume=", "hydra.sweep.dir="))]
        again = shlex.join(["aa-train", *typed, f"hydra.sweep.dir={shown(hydra.sweep.dir)}", "resume=true"])
    else:
        again = shlex.join(["aa-train", f"resume={shown(run_dir)}"])
    line(console, f"aa-train: {stopped}; last.ckpt written. To continue: {again}")


def separate_players(metrics: dict[str, Any]) -> tuple[dict[str, Any], Table | None]:
    """A game's per-player training losses (``d_loss``, ``g_loss``) in a table of their own: its train
    ``loss`` is one player's, its val/test ``loss`` a quality measure, so one row would mix the two.
    Returns the metrics for the main table and the players' table (None for one-player objectives)."""
    train = metrics["train"]
    players = {k: v for k, v in train.items() if k.endswith("_loss") and not k.startswith("loss")}
    if len(players) < 2:
        return metrics, None
    table = Table(title="players: training losses (last epoch's updates)", header_style="bold")
    table.add_column("player"), table.add_column("loss", justify="right")
    for name, value in players.items():
        table.add_row(name.removesuffix("_loss"), f"{value:.4f}")
    rest = {k: v for k, v in train.items() if k not in players and k != "loss"}
    return {**metrics, "train": rest}, table
