"""Schemas of the lecture-claims issue: the generated 2-D decision-region sets (with random labels)."""
from __future__ import annotations

from aa.config.schema import opt, schema
from aa.config.schemas.data import Splits


@schema("aa.data.regions.RegionsData")
class Regions(Splits):
    info = {"task": "classification", "inputs": ("vector",)}
    name: str = opt("two_blobs", choices=("half_plane", "ring", "two_blobs", "checkerboard"),
                    doc="the frontier it needs: a line, a closed region, disconnected or non-convex regions")
    n_samples: int = opt(1000, ge=10, le=1_000_000, doc="points in all splits together")
    noise: float = opt(0.0, ge=0, le=1, doc="std of Gaussian jitter added to the points (the square is [-1,1]^2)")
    cells: int = opt(4, ge=2, le=32, doc="squares per side of the checkerboard (2: XOR)")
    random_labels: bool = opt(False, doc="fair coin-flip labels in every split: only memorisation is possible")
    val_fraction: float = opt(0.2, gt=0, lt=1, doc="share of the points held out for validation")
