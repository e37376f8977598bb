"""Pictures of a generative model: image grids, a 2-D latent map coloured by class, interpolations
between codes, and a 2-D sample cloud over a mixture's true modes."""
from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def grid(images: Tensor, nrow: int = 8) -> Tensor:
    """(N, C, H, W) in [0, 1] -> one (3, H', W') image."""
    from torchvision.utils import make_grid

    return make_grid(images.detach().float().clamp(0, 1).cpu(), nrow=nrow, padding=1, pad_value=1.0)


def interpolation(net: Any, z0: Tensor, z1: Tensor, y0: Tensor | None, y1: Tensor | None, steps: int = 10) -> Tensor:
    """Rows of decoded codes on the straight line from each z0 to its z1 (class fixed per row)."""
    t = torch.linspace(0, 1, steps, device=z0.device)[None, :, None]
    path = (z0[:, None] * (1 - t) + z1[:, None] * t).reshape(-1, z0.shape[1])
    labels = None if y0 is None else y0.repeat_interleave(steps)
    return net.render(path, labels)


def latent_map(codes: Tensor, labels: Tensor, names: list[str], epoch: int) -> Any:
    """Scatter of the codes (their first two principal axes when the code is wider than 2), by class."""
    from aa.base.plotting import pyplot

    codes, labels = codes.detach().float().cpu(), labels.cpu()
    title = "latent z"
    if codes.shape[1] > 2:
        centred = codes - codes.mean(0)
        codes = centred @ torch.linalg.svd(centred, full_matrices=False).Vh[:2].T
        title = "latent z, first two principal axes"
    elif codes.shape[1] == 1:
        codes = torch.cat([codes, torch.zeros_like(codes)], 1)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 4.5))
    cmap, n = ("tab10", 10) if len(names) <= 10 else ("tab20", 20)  # 20 classes in 20 distinct colours
    points = ax.scatter(codes[:, 0].numpy(), codes[:, 1].numpy(), c=labels.numpy(), cmap=cmap, s=8, vmin=-0.5,
                        vmax=n - 0.5)
    if len(names) <= 20:
        cbar = fig.colorbar(points, ax=ax, ticks=range(len(names)))
        cbar.ax.set_yticklabels(names)
    ax.set_title(f"{title}, epoch {epoch + 1}")
    return fig


def mixture_cloud(samples: Tensor, real: Tensor, centers: Tensor, std: float, epoch: int) -> Any:
    """Generated points over real ones, each mode's 3-sigma circle drawn."""
    from aa.base.plotting import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    real, samples = real.cpu().numpy(), samples.detach().cpu().numpy()
    ax.scatter(real[:, 0], real[:, 1], s=3, c="tab:blue", alpha=0.3, label="data")
    ax.scatter(samples[:, 0], samples[:, 1], s=3, c="tab:red", alpha=0.5, label="samples")
    for c in centers.cpu():
        ax.add_patch(plt.Circle(tuple(c.tolist()), 3 * std, fill=False, color="k", lw=0.6))
    lim = float(centers.abs().max()) + 1.5
    ax.set_xlim(-lim, lim), ax.set_ylim(-lim, lim), ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=7)
    ax.set_title(f"samples over the modes (3 sigma), epoch {epoch + 1}")
    return fig
