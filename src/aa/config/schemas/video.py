"""Schemas of video clips: the moving-digits data set, the CNN+LSTM and 3-D convolutional models. Clips
are their own input form ("clip"), so image models are refused on them and clip models on images."""
from __future__ import annotations

from aa.base.errors import ConfigError
from aa.config.schema import NodeSchema, opt, schema

READS = {"inputs": ("clip",)}


@schema("aa.data.moving_digits.MovingDigitsData")
class MovingDigits(NodeSchema):
    info = {"task": "classification", "inputs": ("clip",)}
    frames: int = opt(8, ge=1, le=64, doc="frames per clip (1: a still picture, which cannot show the direction)")
    frame_size: int = opt(16, ge=8, le=128, doc="side of each frame (an 8 px digit must fit its whole path)")
    directions: int = opt(4, choices=(4, 8), doc="4: right, left, down, up; 8: and the diagonals")
    speed: int = opt(1, ge=1, le=8, doc="pixels the digit moves a frame")
    label: str = opt("direction", choices=("direction", "digit"), doc="what a clip's class is")
    n_clips: int = opt(2000, ge=10, le=200_000, doc="clips generated, split into train/val/test")
    val_fraction: float = opt(0.15, gt=0, lt=1, doc="share of clips (and of digit pictures) for validation")
    test_fraction: float = opt(0.2, gt=0, lt=1, doc="share of clips (and of digit pictures) held out for the test")

    @staticmethod
    def check(path: str, node: dict) -> None:
        need = 8 + (node.get("frames", 8) - 1) * node.get("speed", 1)
        if node.get("frame_size", 16) < need:
            raise ConfigError(f"{path}.frame_size", node.get("frame_size"), f"cannot hold an 8 px digit moving "
                              f"{node.get('speed', 1)} px a frame for {node.get('frames', 8)} frames",
                              f"at least {need}, or fewer frames, or a lower speed")


@schema("aa.models.video.CNNLSTM")
class CNNLSTM(NodeSchema):
    info = READS
    channels: list[int] = opt([16, 32], ge=1, nonempty=True, doc="frame CNN: channels of each conv + pool block")
    features: int = opt(64, ge=1, doc="feature vector per frame")
    hidden: int = opt(64, ge=1, doc="recurrent state size")
    cell: str = opt("lstm", choices=("lstm", "gru"))
    layers: int = opt(1, ge=1, le=8, doc="stacked recurrent layers")


@schema("aa.models.video.R3D")
class R3D(NodeSchema):
    info = READS
    widths: list[int] = opt([16, 32, 64, 128], ge=1, nonempty=True, doc="channels per stage (up to 4 stages)")
    blocks: list[int] = opt([1, 1, 1, 1], ge=1, nonempty=True, doc="residual blocks per stage")
    conv: str = opt("3d", choices=("3d", "mixed", "2plus1d"), doc="3-D convs (R3D), 3-D then 2-D (MC3), or (2+1)-D")

    @staticmethod
    def check(path: str, node: dict) -> None:
        widths, blocks = node.get("widths") or [], node.get("blocks") or []
        if len(widths) != len(blocks) or len(widths) > 4:
            raise ConfigError(f"{path}.blocks", blocks, f"needs one count per stage of widths={widths} (at most 4 stages)",
                              "as many entries as widths, e.g. widths=[16,32,64,128] blocks=[1,1,1,1]")


@schema("aa.data.video_folder.VideoFolderData")
class VideoFolder(NodeSchema):
    info = {"task": "classification", "inputs": ("clip",)}
    root: str = opt("???", doc="folder with train/ and val/ (optionally test/), each <class>/ holding a video file "
                    "or a folder of frames per clip")
    frames: int = opt(8, ge=1, le=512, doc="frames taken from each clip, spread evenly over it")
    image_size: int = opt(32, ge=8, le=512, doc="side the frames are resized to")
    test_fraction: float = opt(0.2, gt=0, lt=1, doc="without test/: share of each class of train/ held out for the test")

    @staticmethod
    def check(path: str, node: dict) -> None:
        import os

        root = os.path.expanduser(str(node.get("root")))
        if not os.path.isdir(os.path.join(root, "train")) or not os.path.isdir(os.path.join(root, "val")):
            raise ConfigError(f"{path}.root", node.get("root"), "needs train/ and val/ (optionally test/) subfolders, "
                              "each with <class>/ folders holding a video file or a folder of frame images per clip",
                              "such a folder")
