"""A user's clips: ``root/train/<class>/`` holding one entry per clip, a video file (``.mp4``, ``.avi``, ...,
decoded with PyAV: ``aa.data.video_files``) or a folder of frame images (in file name order), likewise
``root/val/`` and optionally ``root/test/`` (without it a seeded, stratified share of train/ is held out).
``frames`` frames spread evenly over each clip are kept, resized to ``image_size``. Refused before training,
naming the file or folder: a clip with fewer frames, an unreadable video, frame images lying in a class
folder (whose clip would they be?) and video files inside a frame folder."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from aa.base.errors import ConfigError
from aa.config.files import IMAGE_SUFFIXES, shown
from aa.data.splits import stratified_holdout
from aa.data.tensor_data import TensorDataModule
from aa.data.video_files import VIDEO_SUFFIXES, even_picks, read_video

LAYOUT = "<split>/<class>/ holding a video file or a folder of frame images per clip"


def clip_frames(folder: Path, frames: int) -> list[Path]:
    """``frames`` frame files spread evenly over the clip's frames (in name order)."""
    videos = [f for f in sorted(folder.iterdir()) if f.suffix.lower() in VIDEO_SUFFIXES]
    if videos:
        raise ConfigError("dataset.root", str(folder.parent), f"frame folder {shown(str(folder))} holds video file "
                          f"{videos[0].name}: a clip is either a video file or a folder of frame images", LAYOUT)
    files = sorted(f for f in folder.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
    if len(files) < frames:
        raise ConfigError("dataset.frames", frames, f"is more than the {len(files)} frames of clip "
                          f"{shown(str(folder))}", f"dataset.frames={max(1, len(files))} or fewer, or longer clips")
    return [files[i] for i in even_picks(len(files), frames)]


def class_clips(folder: Path) -> list[Path]:
    """A class folder's clips: its subfolders (frames) and video files; hidden files are skipped."""
    clips = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() or entry.suffix.lower() in VIDEO_SUFFIXES:
            clips.append(entry)
        elif entry.suffix.lower() in IMAGE_SUFFIXES:
            raise ConfigError("dataset.root", str(folder), f"class folder {shown(str(folder))} holds image "
                              f"{entry.name} beside its clips: the frames of a clip go in a folder of their own",
                              LAYOUT)
        else:
            raise ConfigError("dataset.root", str(folder), f"{shown(str(entry))} is neither a video file "
                              f"({', '.join(VIDEO_SUFFIXES)}) nor a folder of frames", LAYOUT)
    return clips


@dataclass
class Split:
    """One split's clips (N, frames, C, size, size) in [0, 1], labels, and how each clip was read."""

    x: torch.Tensor
    y: torch.Tensor
    from_video: torch.Tensor
    source_frames: torch.Tensor

    def take(self, idx: list[int]) -> "Split":
        return Split(self.x[idx], self.y[idx], self.from_video[idx], self.source_frames[idx])


class VideoFolderData(TensorDataModule):
    """Clips (N, frames, C, size, size) in [0, 1], labelled by their class folder."""

    kinds = ("clip",)

    def __init__(self, root: str = "???", frames: int = 8, image_size: int = 32, **kwargs) -> None:
        super().__init__(**kwargs)
        self.root, self.frames, self.image_size = root, frames, image_size

    def read_clip(self, clip: Path, mode: str) -> tuple[np.ndarray, int]:
        if clip.is_dir():
            files = sorted(f for f in clip.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
            pictures = [np.asarray(Image.open(f).convert(mode).resize((self.image_size, self.image_size),
                                                                      Image.BILINEAR)) for f in clip_frames(clip, self.frames)]
            return np.stack(pictures), len(files)
        return read_video(clip, self.frames, self.image_size, mode, self.root)

    def read_split(self, folder: Path, classes: list[str], mode: str) -> Split:
        clips, labels, from_video, lengths = [], [], [], []
        for k, name in enumerate(classes):
            for clip in class_clips(folder / name) if (folder / name).is_dir() else []:
                frames, length = self.read_clip(clip, mode)
                clips.append(frames[..., None] if frames.ndim == 3 else frames)
                labels.append(k), from_video.append(not clip.is_dir()), lengths.append(length)
        if not clips:
            raise ConfigError("dataset.root", self.root, f"{shown(str(folder))} holds no clips", LAYOUT)
        x = torch.from_numpy(np.stack(clips)).permute(0, 1, 4, 2, 3).float() / 255
        return Split(x.contiguous(), torch.tensor(labels), torch.tensor(from_video), torch.tensor(lengths))

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        root = Path(self.root).expanduser()
        for split in ("train", "val"):
            if not (root / split).is_dir():
                raise ConfigError("dataset.root", self.root, f"has no {split}/ folder; it needs train/ and val/ "
                                  f"(optionally test/), each with {LAYOUT}")
        self.class_names = sorted(d.name for d in (root / "train").iterdir() if d.is_dir())
        first = next((f for f in sorted((root / "train").rglob("*")) if f.suffix.lower() in IMAGE_SUFFIXES), None)
        mode = "L" if first is not None and Image.open(first).mode in ("L", "1", "I", "I;16") else "RGB"
        splits = {s: self.read_split(root / s, self.class_names, mode) for s in ("train", "val", "test")
                  if (root / s).is_dir()}
        where = shown(str(root))
        self.split_sources = {s: f"{where}/{s}/" for s in splits}
        if "test" not in splits:
            held, rest = stratified_holdout(splits["train"].y.tolist(), self.test_fraction, self.seed)
            splits["test"], splits["train"] = splits["train"].take(held), splits["train"].take(rest)
            self.split_sources.update(train=f"the rest of {where}/train/", test=f"{self.test_fraction:.0%} of each "
                                      f"class of {where}/train/, held out (seed {self.seed}; never used to choose "
                                      "the checkpoint)")
        self.ledger.unit = "clips"
        for split, part in splits.items():
            setattr(self, f"x_{split}", part.x)
            setattr(self, f"y_{split}", part.y)
            videos = int(part.from_video.sum())
            self.ledger.used(split, len(part.y), video_files=videos, frame_folders=len(part.y) - videos,
                             frames_per_clip=self.frames, source_frames=int(part.source_frames.sum()))
        self._loaded = True

    def input_transform(self) -> None:
        """Frames stay in [0, 1]."""
        return None
