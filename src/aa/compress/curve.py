"""The pruning curve: test accuracy against sparsity, one line per model and pruning method, from the
compression sections of every job under the given sweep directories.

    python -m aa.compress.curve outputs/multiruns/pruning_curve [more dirs] [--out pruning_curve.png]
"""
from __future__ import annotations

import argparse
import csv
import glob
import json
import os
from collections import defaultdict

from omegaconf import OmegaConf


def points(roots: list[str]) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """{(model, method): [(sparsity, test metric), ...]} sorted by sparsity."""
    out: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for root in roots:
        for path in glob.glob(os.path.join(root, "**", "metrics.json"), recursive=True):
            m = json.load(open(path))
            c = m.get("compression") or {}
            if "sparsity" not in c:
                continue
            run = os.path.dirname(path)
            cfg = OmegaConf.load(os.path.join(run, ".hydra", "config.yaml"))
            model = cfg.model._target_.rsplit(".", 1)[-1]
            method = cfg.prune.method + (f" ({cfg.prune.importance})" if cfg.prune.method == "relevance" else "")
            metric = next(v for k, v in c["after"].items() if k.startswith("test_"))
            out[(model, method)].append((c["sparsity"], metric))
    return {k: sorted(v) for k, v in sorted(out.items())}


def plot(curves: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (model, method), pts in curves.items():
        ax.plot([100 * s for s, _ in pts], [100 * a for _, a in pts], marker="o",
                linestyle="-" if model == "MLP" else "--", label=f"{model}, {method}")
    ax.set_xlabel("sparsity of the Linear/Conv weights (%)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("pruning curve (digits): accuracy against sparsity")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_csv(curves: dict, path: str) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "method", "sparsity", "test_acc"])
        for (model, method), pts in curves.items():
            for s, a in pts:
                w.writerow([model, method, round(s, 4), round(a, 4)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+")
    parser.add_argument("--out", default=None, help="PNG path (default: pruning_curve.png in the first dir)")
    args = parser.parse_args()
    curves = points(args.dirs)
    out = args.out or os.path.join(args.dirs[0], "pruning_curve.png")
    plot(curves, out)
    write_csv(curves, os.path.splitext(out)[0] + ".csv")
    for (model, method), pts in curves.items():
        print(f"{model:8s} {method:18s} " + "  ".join(f"{100 * s:.0f}%: {100 * a:.1f}" for s, a in pts))
    print(f"plot: {out}")


if __name__ == "__main__":
    main()
