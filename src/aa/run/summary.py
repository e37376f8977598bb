"""The rich summary printed at the end of a run."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from aa.config.files import shown


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
    if metrics.get("test_split", "test") != "test":
        line(console, f"test: there is no test split, so the test column is measured on {metrics['test_split']}")
    rel = shown(run_dir)
    best = metrics.get("best_checkpoint")
    line(console, f"run dir:         {rel}")
    line(console, f"best checkpoint: {shown(best) if best else None}")
    line(console, f"epochs: {metrics['epochs']}  parameters: {metrics['parameters']:,}  wall time: {metrics['wall_time_s']} s")
    line(console, f"dashboard:       tensorboard --logdir {rel}")


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
