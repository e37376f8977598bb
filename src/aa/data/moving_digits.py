"""Generated video clips: one of scikit-learn's 8x8 digits moving across a dark frame, one pixel per frame
(``speed``) in one of 4 directions (right, left, down, up) or 8 (and the diagonals). The label is the
direction of motion (``label=direction``: no single frame can tell it) or the digit (``label=digit``).

The digit pictures are split first (seeded), so the test clips show digits no training clip showed.
Clips are (frames, 1, frame_size, frame_size), pixels in [0, 1]; no download, same seed, same clips."""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from aa.base.errors import ConfigError
from aa.data.tensor_data import TensorDataModule

DIRECTIONS = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0),
              "down-right": (1, 1), "up-left": (-1, -1), "down-left": (1, -1), "up-right": (-1, 1)}
SPRITE = 8


def clip(sprite: np.ndarray, direction: tuple[int, int], frames: int, size: int, speed: int,
         rng: np.random.Generator) -> np.ndarray:
    """(frames, size, size): the sprite moved ``speed`` pixels a frame, starting where it stays in view."""
    travel = (frames - 1) * speed
    start = []
    for step in direction:
        lo, hi = (0, size - SPRITE - travel) if step > 0 else (travel, size - SPRITE) if step < 0 else (0, size - SPRITE)
        start.append(int(rng.integers(lo, hi + 1)))
    out = np.zeros((frames, size, size), np.float32)
    for t in range(frames):
        y, x = start[0] + direction[0] * speed * t, start[1] + direction[1] * speed * t
        out[t, y:y + SPRITE, x:x + SPRITE] = sprite
    return out


class MovingDigitsData(TensorDataModule):
    """``n_clips`` clips in train/val/test shares; each split's clips draw on its own digit pictures."""

    kinds = ("clip",)

    def __init__(self, frames: int = 8, frame_size: int = 16, directions: int = 4, speed: int = 1,
                 label: str = "direction", n_clips: int = 2000, **kwargs) -> None:
        super().__init__(**kwargs)
        self.frames, self.frame_size, self.directions, self.speed = frames, frame_size, directions, speed
        self.label, self.n_clips = label, n_clips

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        from sklearn.datasets import load_digits

        if SPRITE + (self.frames - 1) * self.speed > self.frame_size:
            raise ConfigError("dataset.frame_size", self.frame_size, f"cannot hold an 8 px digit moving {self.speed} px "
                              f"a frame for {self.frames} frames", f"at least {SPRITE + (self.frames - 1) * self.speed}, "
                              "or fewer frames, or a lower speed")
        digits = load_digits()
        sprites, numbers = digits.images.astype(np.float32) / 16, digits.target
        names = list(DIRECTIONS)[: self.directions]
        self.class_names = names if self.label == "direction" else [str(d) for d in range(10)]
        order = torch.randperm(len(sprites), generator=torch.Generator().manual_seed(self.seed)).numpy()
        n_test, n_val = round(len(order) * self.test_fraction), round(len(order) * self.val_fraction)
        pools = {"test": order[:n_test], "val": order[n_test:n_test + n_val], "train": order[n_test + n_val:]}
        self.pictures = pools  # which of scikit-learn's digit pictures each split draws on
        shares = {"test": self.test_fraction, "val": self.val_fraction, "train": 1 - self.test_fraction - self.val_fraction}
        for k, (split, pool) in enumerate(pools.items()):
            rng = np.random.default_rng([self.seed, 5, k])
            n = max(1, round(self.n_clips * shares[split]))
            which, moves = rng.choice(pool, n), rng.integers(0, self.directions, n)
            x = np.stack([clip(sprites[i], DIRECTIONS[names[m]], self.frames, self.frame_size, self.speed, rng)
                          for i, m in zip(which, moves)])
            y = moves if self.label == "direction" else numbers[which]
            setattr(self, f"x_{split}", torch.from_numpy(x)[:, :, None])
            setattr(self, f"y_{split}", torch.from_numpy(np.asarray(y, dtype=np.int64)))
        self.split_sources = {s: f"{shares[s]:.0%} of the {self.n_clips} clips, their digits drawn from {len(pools[s])} "
                              f"of the 1797 digit pictures kept for {s}" + (" (held out, seed "
                              f"{self.seed}; never used to choose the checkpoint)" if s == "test" else "")
                              for s in ("train", "val", "test")}
        self._loaded = True

    def input_transform(self) -> None:
        """Pixels stay in [0, 1] (dark background, bright digit): nothing to standardise."""
        return None
