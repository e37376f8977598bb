"""A user's clips as folders of frames: ``root/train/<class>/<clip>/`` holding one image per frame (in file
name order), likewise ``root/val/`` and optionally ``root/test/`` (without it a seeded, stratified share of
train/ is held out). Each clip is cut to ``frames`` frames spread evenly over it; a clip with fewer frames
is refused before training, naming its folder. Video files would need a decoder torchvision no longer
ships (torchcodec): extract their frames first, e.g. ``ffmpeg -i clip.mp4 clip/%04d.png``."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from aa.base.errors import ConfigError
from aa.config.files import IMAGE_SUFFIXES, shown
from aa.data.splits import stratified_holdout
from aa.data.tensor_data import TensorDataModule


def clip_frames(folder: Path, frames: int) -> list[Path]:
    """``frames`` frame files spread evenly over the clip's frames (in name order)."""
    files = sorted(f for f in folder.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
    if len(files) < frames:
        raise ConfigError("dataset.frames", frames, f"is more than the {len(files)} frames of clip "
                          f"{shown(str(folder))}", f"dataset.frames={max(1, len(files))} or fewer, or longer clips")
    return [files[round(i)] for i in np.linspace(0, len(files) - 1, frames)]


class VideoFolderData(TensorDataModule):
    """Clips (N, frames, C, size, size) in [0, 1], labelled by their class folder."""

    kinds = ("clip",)

    def __init__(self, root: str = "???", frames: int = 8, image_size: int = 32, **kwargs) -> None:
        super().__init__(**kwargs)
        self.root, self.frames, self.image_size = root, frames, image_size

    def read_split(self, folder: Path, classes: list[str], grey: bool) -> tuple[torch.Tensor, torch.Tensor]:
        clips, labels = [], []
        for k, name in enumerate(classes):
            for clip in sorted(d for d in (folder / name).iterdir() if d.is_dir()):
                pictures = [np.asarray(Image.open(f).convert("L" if grey else "RGB").resize(
                    (self.image_size, self.image_size), Image.BILINEAR)) for f in clip_frames(clip, self.frames)]
                clips.append(np.stack([p[..., None] if p.ndim == 2 else p for p in pictures]))
                labels.append(k)
        if not clips:
            raise ConfigError("dataset.root", self.root, f"{shown(str(folder))} holds no clip folders",
                              "<split>/<class>/<clip>/ folders of frames")
        x = torch.from_numpy(np.stack(clips)).permute(0, 1, 4, 2, 3).float() / 255
        return x.contiguous(), torch.tensor(labels)

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        root = Path(self.root).expanduser()
        for split in ("train", "val"):
            if not (root / split).is_dir():
                raise ConfigError("dataset.root", self.root, f"has no {split}/ folder; it needs train/ and val/ "
                                  "(optionally test/), each with <class>/<clip>/ folders of frames")
        self.class_names = sorted(d.name for d in (root / "train").iterdir() if d.is_dir())
        first = next((f for f in sorted((root / "train").rglob("*")) if f.suffix.lower() in IMAGE_SUFFIXES), None)
        grey = first is not None and Image.open(first).mode in ("L", "1", "I", "I;16")
        splits = {s: self.read_split(root / s, self.class_names, grey) for s in ("train", "val", "test")
                  if (root / s).is_dir()}
        where = shown(str(root))
        self.split_sources = {s: f"{where}/{s}/" for s in splits}
        if "test" not in splits:
            x, y = splits["train"]
            held, rest = stratified_holdout(y.tolist(), self.test_fraction, self.seed)
            splits["test"], splits["train"] = (x[held], y[held]), (x[rest], y[rest])
            self.split_sources.update(train=f"the rest of {where}/train/", test=f"{self.test_fraction:.0%} of each "
                                      f"class of {where}/train/, held out (seed {self.seed}; never used to choose "
                                      "the checkpoint)")
        for split, (x, y) in splits.items():
            setattr(self, f"x_{split}", x)
            setattr(self, f"y_{split}", y)
        self._loaded = True

    def input_transform(self) -> None:
        """Frames stay in [0, 1]."""
        return None
