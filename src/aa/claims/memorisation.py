"""Train and test accuracy against the width of one hidden layer, for true and random labels.

The lecture (section 1): one hidden layer of N-1 units classifies any N training samples exactly
-- "with what generalisation?". Random labels answer it: the net memorises them as it memorises
true labels (train accuracy 1 at N-1 units), while test accuracy stays at chance (0.5)."""
from __future__ import annotations

from typing import Any

from aa.claims.sweep_figure import SweepFigure, hidden_widths, job_config
from aa.sweep.collect import Job


def training_samples(job: Job) -> int:
    """N of a job: the size of its training split, as its data module cuts it."""
    from hydra.utils import instantiate

    cfg = job_config(job)
    dm = instantiate(cfg.dataset, seed=cfg.seed)
    dm.setup()
    return len(dm.y_train)


class MemorisationFigure(SweepFigure):
    tag = "memorisation"

    def draw(self, jobs: list[Job]) -> Any:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6, 4))
        ax = fig.add_subplot()
        kinds = sorted({bool(job_config(j).dataset.get("random_labels")) for j in jobs})
        for random in kinds:
            colour = "tab:red" if random else "tab:blue"
            runs = sorted((hidden_widths(j)[0], j) for j in jobs
                          if bool(job_config(j).dataset.get("random_labels")) == random)
            widths = [w for w, _ in runs]
            label = "random labels" if random else "true labels"
            for split, style in (("train", "o-"), ("test", "s--")):
                ax.plot(widths, [j.metrics[split]["acc"] for _, j in runs], style, color=colour,
                        label=f"{label}, {split}")
        n = training_samples(jobs[0])
        ax.axvline(n - 1, color="grey", lw=0.8, ls=":")
        ax.text(n - 1, 0.42, f" N-1 = {n - 1}", color="grey", fontsize=8)
        ax.axhline(0.5, color="grey", lw=0.8, ls="-.")
        ax.set_xscale("log", base=2)
        ax.set_ylim(0.4, 1.02)
        ax.set_xlabel("hidden units (one hidden layer)")
        ax.set_ylabel("accuracy")
        ax.set_title(f"memorisation of N = {n} training samples ({job_config(jobs[0]).dataset.name})", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig


if __name__ == "__main__":
    MemorisationFigure.main()
