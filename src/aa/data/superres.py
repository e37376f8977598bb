"""Super-resolution pairs: a high-resolution picture is the target, the same picture shrunk ``scale``
times (bicubic with antialiasing, as in the SR papers' benchmarks) is the input.

Sources: ``shapes`` (the embedded shapes, aa/data/shapes.py, sharp edges on flat colours), ``digits``
(scikit-learn's 8x8 digits enlarged to the high-resolution side by repeating pixels) or ``image_folder``
(a user's pictures under ``root``, any nesting, cut into non-overlapping tiles of the high-resolution side;
all tiles of one picture stay in one split). Pixels in [0, 1]; no standardisation, so the model's output
is the picture itself."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F

from aa.base.errors import ConfigError
from aa.config.files import IMAGE_SUFFIXES, shown
from aa.data.shapes import make_image
from aa.data.tensor_data import TensorDataModule


def shrink(hr: Tensor, scale: int) -> Tensor:
    """The low-resolution input: bicubic downscaling with antialiasing, clipped to [0, 1]."""
    size = (hr.shape[-2] // scale, hr.shape[-1] // scale)
    return F.interpolate(hr, size=size, mode="bicubic", antialias=True, align_corners=False).clamp(0, 1)


def folder_tiles(root: str, side: int, per_image: int) -> tuple[Tensor, Tensor]:
    """(tiles N x 3 x side x side, index of the picture each came from) of every picture under ``root``."""
    from PIL import Image

    files = sorted(p for p in Path(root).expanduser().rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ConfigError("dataset.root", root, "holds no image files (looked for "
                          + ", ".join(IMAGE_SUFFIXES) + " under it)", "a folder of pictures")
    tiles, owners = [], []
    for k, path in enumerate(files):
        picture = np.asarray(Image.open(path).convert("RGB"))
        h, w = picture.shape[:2]
        if min(h, w) < side:
            raise ConfigError("dataset.hr_size", side, f"is larger than {shown(str(path))} ({w}x{h})",
                              f"a side of at most {min(h, w)}, or leave that picture out")
        cut = [(y, x) for y in range(0, h - side + 1, side) for x in range(0, w - side + 1, side)][:per_image]
        tiles += [picture[y:y + side, x:x + side] for y, x in cut]
        owners += [k] * len(cut)
    x = torch.from_numpy(np.stack(tiles)).permute(0, 3, 1, 2).float() / 255
    return x.contiguous(), torch.tensor(owners)


class SuperResolutionData(TensorDataModule):
    """Inputs (N, C, hr_size / scale, hr_size / scale), targets (N, C, hr_size, hr_size)."""

    task = "restoration"
    kinds = ("low_resolution",)

    def __init__(self, source: str = "shapes", scale: int = 2, hr_size: int = 48, n_samples: int = 1200,
                 root: str | None = None, patches_per_image: int = 16, standardize: bool = False, **kwargs) -> None:
        super().__init__(standardize=standardize, **kwargs)
        self.source, self.scale, self.hr_size, self.n_samples = source, scale, hr_size, n_samples
        self.root, self.patches_per_image = root, patches_per_image

    def pictures(self) -> tuple[Tensor, Tensor | None]:
        """The high-resolution pictures, and for a folder the picture each tile came from."""
        if self.source == "image_folder":
            return folder_tiles(str(self.root), self.hr_size, self.patches_per_image)
        if self.source == "digits":
            from sklearn.datasets import load_digits

            digits = torch.tensor(load_digits().images, dtype=torch.float32)[: self.n_samples, None] / 16
            return F.interpolate(digits, size=(self.hr_size, self.hr_size), mode="nearest"), None
        images = [make_image(self.hr_size, np.random.default_rng([self.seed, 11, i]), 3, 1, (0.2, 0.5))[0]
                  for i in range(self.n_samples)]
        return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float().div(255).contiguous(), None

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        hr, owners = self.pictures()
        lr = shrink(hr, self.scale)
        groups = owners if owners is not None else torch.arange(len(hr))
        ids = groups.unique()
        order = ids[torch.randperm(len(ids), generator=torch.Generator().manual_seed(self.seed))]
        n_test, n_val = max(1, round(len(ids) * self.test_fraction)), max(1, round(len(ids) * self.val_fraction))
        if len(ids) - n_test - n_val < 1:
            raise ConfigError("dataset.root", self.root, f"gives {len(ids)} pictures, too few for train, val and test",
                              "at least 3 pictures")
        parts = {"test": order[:n_test], "val": order[n_test:n_test + n_val], "train": order[n_test + n_val:]}
        for split, chosen in parts.items():
            keep = torch.isin(groups, chosen)
            setattr(self, f"x_{split}", lr[keep])
            setattr(self, f"y_{split}", hr[keep])
        of = "the pictures" if owners is not None else f"{len(hr)} {self.source} images"
        self.split_sources = {
            "train": f"the rest of {of}", "val": f"{self.val_fraction:.0%} of {of} (seed {self.seed})",
            "test": f"{self.test_fraction:.0%} of {of}, held out (seed {self.seed}; never used to choose the checkpoint)"}
        if owners is not None:
            for split, chosen in parts.items():
                self.ledger.used(split, int(torch.isin(groups, chosen).sum()), pictures=len(chosen))
        self._loaded = True

    @property
    def num_outputs(self) -> int:
        self.setup()
        return int(self.y_train.shape[1])

    def model_args(self) -> dict[str, int]:
        return {"scale": self.scale}
