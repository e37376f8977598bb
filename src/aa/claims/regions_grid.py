"""Decision regions of a perceptron, one and two hidden layers on each 2-D set, side by side.

The lecture (section 1): a perceptron draws one line, one hidden layer closed (convex) regions,
two hidden layers non-convex and disconnected ones. Each cell redraws a job's best checkpoint
over the plane (probability of class 1) with its test points and test accuracy."""
from __future__ import annotations

from typing import Any

from aa.claims.sweep_figure import SweepFigure, hidden_widths, job_config
from aa.sweep.collect import Job

RESOLUTION = 150


def net_name(widths: list[int]) -> str:
    if not widths:
        return "perceptron (no hidden layer)"
    return f"{len(widths)} hidden layer{'s' if len(widths) > 1 else ''} {widths}"


def probability_map(job: Job) -> tuple[Any, Any, Any, Any]:
    """(grid x, grid y, P(class 1) on the grid, (test x, test y)) from the job's best checkpoint."""
    import torch

    from aa.run.load import load_run

    ckpt = job.metrics.get("best_checkpoint") or job.metrics.get("last_checkpoint")
    run = load_run(ckpt)
    dm, task = run.data, run.task
    lo = min(dm.x_train.min().item(), -1.0) - 0.1
    hi = max(dm.x_train.max().item(), 1.0) + 0.1
    axis = torch.linspace(lo, hi, RESOLUTION)
    gx, gy = torch.meshgrid(axis, axis, indexing="xy")
    with torch.no_grad():
        phi = task(torch.stack([gx.reshape(-1), gy.reshape(-1)], 1))
    prob = torch.softmax(phi, -1)[:, 1].reshape(gx.shape)
    return gx, gy, prob, (dm.x_test, dm.y_test)


class RegionsGrid(SweepFigure):
    tag = "decision_regions"

    def draw(self, jobs: list[Job]) -> Any:
        from matplotlib.figure import Figure

        cells = {(str(job_config(j).dataset.name), tuple(hidden_widths(j))): j for j in jobs}
        sets = list(dict.fromkeys(name for name, _ in sorted(cells, key=lambda k: _SET_ORDER.get(k[0], 9))))
        nets = sorted({net for _, net in cells}, key=lambda n: (len(n), n))
        fig = Figure(figsize=(3.2 * len(nets), 3.2 * len(sets)))
        for r, name in enumerate(sets):
            for c, net in enumerate(nets):
                ax = fig.add_subplot(len(sets), len(nets), r * len(nets) + c + 1)
                ax.set_xticks([]), ax.set_yticks([])
                job = cells.get((name, net))
                if c == 0:
                    ax.set_ylabel(name, fontsize=11)
                if job is None:
                    continue
                gx, gy, prob, (x, y) = probability_map(job)
                ax.contourf(gx, gy, prob, levels=20, cmap="RdBu", vmin=0, vmax=1, alpha=0.8)
                ax.contour(gx, gy, prob, levels=[0.5], colors="k", linewidths=0.8)
                ax.scatter(x[:, 0], x[:, 1], c=y, cmap="RdBu", vmin=0, vmax=1, s=6, edgecolors="white",
                           linewidths=0.3)
                acc = job.metrics["test"]["acc"]
                ax.set_title(f"{net_name(list(net))}\ntest acc {100 * acc:.1f} %", fontsize=9)
        fig.tight_layout()
        return fig


_SET_ORDER = {"half_plane": 0, "ring": 1, "two_blobs": 2, "checkerboard": 3}

if __name__ == "__main__":
    RegionsGrid.main()
