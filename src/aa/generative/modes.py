"""Mode coverage of samples from a known Gaussian mixture, as VEEGAN and PacGAN count it: a sample is
high quality when it lies within 3 standard deviations of its nearest mode; a mode is covered when
at least 0.8 % of all samples are high-quality samples of it (PacGAN: 20 of 2,500)."""
from __future__ import annotations

import torch
from torch import Tensor

MIN_SHARE = 0.008


def mode_stats(samples: Tensor, centers: Tensor, std: float, min_share: float = MIN_SHARE) -> tuple[Tensor, Tensor]:
    """(number of modes covered, fraction of high-quality samples)."""
    dist = torch.cdist(samples.float(), centers.to(samples.device).float())
    nearest, mode = dist.min(1)
    good = nearest <= 3 * std
    counts = torch.bincount(mode[good], minlength=len(centers))
    covered = (counts >= max(1.0, min_share * len(samples))).sum()
    return covered.float(), good.float().mean()
