"""Frames of a video file, decoded with PyAV (FFmpeg's decoders in a wheel): torchvision 0.29 decodes only
images, and its successor torchcodec needs FFmpeg installed apart. PyAV is imported when the first video
file is met, so runs on frame folders never need it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from aa.base.errors import ConfigError
from aa.config.files import shown

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv", ".ogv", ".3gp")


def even_picks(count: int, frames: int) -> list[int]:
    """Indices of ``frames`` of ``count`` frames spread evenly from the first to the last."""
    return [round(i) for i in np.linspace(0, count - 1, frames)]


def _pyav(path: Path, root: str):
    try:
        import av
    except ImportError:
        raise ConfigError("dataset.root", root, f"holds video files ({shown(str(path))}) and reading "
                          "them needs PyAV, which is not installed", "pip install 'aa[video]', or folders of "
                          "frame images instead of video files") from None
    return av


def read_video(path: Path, frames: int, size: int, mode: str, root: str) -> tuple[np.ndarray, int]:
    """``frames`` frames spread evenly over the file's decoded frames, each resized to size x size (bilinear,
    as frame folders are) in PIL ``mode`` ("L" or "RGB"): uint8 (frames, size, size[, 3]), and the count of
    frames the file holds; ``root`` is the data set's root, named when the file is refused. Every frame is
    decoded (seeking lands on key frames only) but only the small copies are kept."""
    av = _pyav(path, root)
    pictures: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ConfigError("dataset.root", root, f"video file {shown(str(path))} has no video "
                                  "stream that can be read (a truncated file?)", "files with a video stream, or remove "
                                  "this one")
            for frame in container.decode(video=0):
                pictures.append(np.asarray(frame.to_image().convert(mode).resize((size, size), Image.BILINEAR)))
    except av.error.FFmpegError as e:
        raise ConfigError("dataset.root", root, f"video file {shown(str(path))} cannot be decoded "
                          f"({e.__class__.__name__}: {getattr(e, 'strerror', None) or e})",
                          "a readable video file (check it with ffprobe), or remove it") from None
    if not pictures:
        raise ConfigError("dataset.root", root, f"video file {shown(str(path))} holds no frames",
                          "a video file with frames, or remove it")
    if len(pictures) < frames:
        raise ConfigError("dataset.frames", frames, f"is more than the {len(pictures)} frames of video file "
                          f"{shown(str(path))}", f"dataset.frames={max(1, len(pictures))} or fewer, or longer clips")
    return np.stack([pictures[i] for i in even_picks(len(pictures), frames)]), len(pictures)
