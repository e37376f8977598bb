"""Video clips: moving digits move as their label says, on digit pictures kept apart per split; the clip
models read (N, frames, C, H, W); a frame too small for the path is refused; CNN+LSTM learns the direction.
A user's clips as frame folders and as real video files (written with PyAV), frames spread evenly, bad files
refused naming them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import build, make_cfg, refused, runner
from PIL import Image

from aa.config.validate import validate

pytestmark = pytest.mark.usefixtures("one_thread")


def centre(frame: torch.Tensor) -> torch.Tensor:
    ys, xs = torch.meshgrid(torch.arange(frame.shape[-2]), torch.arange(frame.shape[-1]), indexing="ij")
    w = frame.sum()
    return torch.stack([(frame * ys).sum() / w, (frame * xs).sum() / w])


@pytest.mark.parametrize("directions, speed", [(4, 1), (8, 2)])
def test_each_clip_moves_its_digit_the_way_its_label_says(directions: int, speed: int) -> None:
    from aa.data.moving_digits import DIRECTIONS

    _, dm, _ = build(["model=cnn_lstm", f"dataset.directions={directions}", f"dataset.speed={speed}",
                      "dataset.frame_size=24", "dataset.n_clips=50"])
    assert dm.x_train.shape[1:] == (8, 1, 24, 24) and dm.class_names == list(DIRECTIONS)[:directions]
    for clip, label in zip(dm.x_train[:20], dm.y_train[:20]):
        step = centre(clip[-1, 0]) - centre(clip[0, 0])
        assert torch.allclose(step, torch.tensor(DIRECTIONS[dm.class_names[label]], dtype=torch.float32) * speed * 7)
    assert not set(dm.pictures["train"]) & set(dm.pictures["test"])


def test_the_digit_label_names_the_digit() -> None:
    _, dm, _ = build(["model=cnn_lstm", "dataset.label=digit", "dataset.n_clips=30"])
    assert dm.class_names == [str(d) for d in range(10)] and dm.num_outputs == 10


@pytest.mark.parametrize("conv", ["3d", "mixed", "2plus1d"])
def test_r3d_reads_clips_with_each_convolution(conv: str) -> None:
    from aa.models.video import R3D

    net = R3D((8, 1, 16, 16), 4, widths=(4, 8, 8, 8), conv=conv)
    assert net(torch.zeros(2, 8, 1, 16, 16)).shape == (2, 4)


def test_cnn_lstm_keeps_frame_order() -> None:
    from aa.models.video import CNNLSTM

    torch.manual_seed(0)
    net = CNNLSTM((8, 1, 16, 16), 4)
    x = torch.rand(1, 8, 1, 16, 16)
    assert net(x).shape == (1, 4) and not torch.allclose(net(x), net(x.flip(1)))


def test_a_frame_too_small_for_the_path_is_refused() -> None:
    refused(lambda: validate(make_cfg(["model=cnn_lstm", "dataset.frames=10", "dataset.frame_size=16"])),
            r"dataset.frame_size=16.*cannot hold an 8 px digit moving 1 px a frame for 10 frames.*at least 17")
    refused(lambda: validate(make_cfg(["model=lstm", "dataset=moving_digits"])), "clip")


@pytest.mark.slow
def test_cnn_lstm_learns_the_direction_of_motion(tmp_path: Path) -> None:
    metrics = runner(tmp_path)(["model=cnn_lstm", "dataset.n_clips=600", "trainer.max_epochs=6",
                                "callbacks.gradient_stats=null"])
    assert metrics["test"]["acc"] > 0.8, metrics["test"]


def test_a_folder_of_frame_folders_reads_clips_in_frame_order(tmp_path: Path) -> None:
    from data_files import write_video_folder

    root = write_video_folder(tmp_path / "clips", {"train": 5, "val": 2})
    _, dm, _ = build(["model=cnn_lstm", "dataset=video_folder", f"dataset.root={root}", "dataset.frames=3",
                      "dataset.image_size=16"])
    assert dm.class_names == ["left", "right"] and dm.x_train.shape[1:] == (3, 1, 16, 16)
    assert (len(dm.y_train), len(dm.y_val), len(dm.y_test)) == (8, 4, 2)  # a test clip of each class carved from train
    clip, label = dm.x_test[0], dm.y_test[0]
    bars = [int(frame[0, 0].argmax()) for frame in clip]  # frames 0, 2 (or 3) and 5 of 6, in order
    assert (bars == sorted(bars)) == (dm.class_names[label] == "right") and len(set(bars)) == 3
    refused(lambda: build(["model=cnn_lstm", "dataset=video_folder", f"dataset.root={root}", "dataset.frames=7"]),
            r"dataset.frames=7: is more than the 6 frames of clip .*clip0")


def centre_x(frame: torch.Tensor) -> float:
    """Where the bright square stands across a frame (C, H, W), as a column (mpeg4 blurs its edges)."""
    w = (frame.mean(0) > 0.35).float().sum(0)
    return float((w * torch.arange(len(w))).sum() / w.sum())


def test_video_files_give_frames_spread_evenly_over_each_clip(tmp_path: Path) -> None:
    from data_files import moving_square, write_video_file, write_video_files

    root = write_video_files(tmp_path / "clips", {"train": 4, "val": 1}, frames=9)
    write_video_file(root / "val" / "right" / "long.mp4", moving_square("right", 13, 16, start=0))
    _, dm, _ = build(["model=cnn_lstm", "dataset=video_folder", f"dataset.root={root}", "dataset.frames=3",
                      "dataset.image_size=16"])
    assert dm.class_names == ["left", "right"] and dm.x_train.shape[1:] == (3, 3, 16, 16)
    assert (len(dm.y_train), len(dm.y_val), len(dm.y_test)) == (6, 3, 2)
    for clip, label in zip(dm.x_train, dm.y_train):  # frames 0, 4 and 8: the square 4 px further each time
        steps = np.diff([centre_x(frame) for frame in clip])
        assert np.allclose(steps, 4 if dm.class_names[label] == "right" else -4, atol=0.6), steps
    long = dm.x_val[dm.y_val == 1][-1]  # frames 0, 6 and 12 of 13
    assert np.allclose([centre_x(frame) for frame in long], [1.5, 7.5, 13.5], atol=0.6)
    data = dm.accounting()
    assert data["unit"] == "clips" and data["val"] == {"samples": 3, "video_files": 3, "frame_folders": 0,
                                                       "frames_per_clip": 3, "source_frames": 9 + 9 + 13}
    assert data["train"]["source_frames"] == 6 * 9 and data["changes"] == []


def test_video_files_and_frame_folders_mix_in_one_class(tmp_path: Path) -> None:
    from data_files import write_video_files, write_video_folder

    root = write_video_folder(tmp_path / "clips", {"train": 3, "val": 2})
    write_video_files(root, {"train": 1, "val": 1}, frames=6)  # clip0.mp4 beside the frame folder clip0/
    _, dm, _ = build(["model=cnn_lstm", "dataset=video_folder", f"dataset.root={root}", "dataset.frames=4",
                      "dataset.image_size=16"])
    data = dm.accounting()
    assert data["val"]["video_files"] == 2 and data["val"]["frame_folders"] == 4
    assert dm.x_val.shape == (6, 4, 1, 16, 16)  # grey frame images: the videos are read grey too


@pytest.mark.parametrize("fault, pattern", [
    ("corrupt", r"dataset.root=.*video file .*right/clip0.mp4 cannot be decoded.*InvalidData"),
    ("short", r"dataset.frames=5: is more than the 4 frames of video file .*left/clip1.avi"),
    ("loose_frame", r"class folder .*train/left holds image 000.png beside its clips"),
    ("video_in_frames", r"frame folder .*train/left/clip9 holds video file x.mp4"),
    ("stray_file", r"notes.txt is neither a video file"),
])
def test_bad_video_files_are_refused_naming_the_file(tmp_path: Path, fault: str, pattern: str) -> None:
    from data_files import moving_square, write_video_file, write_video_files

    root = write_video_files(tmp_path / "clips", {"train": 2, "val": 1}, frames=6)
    left = root / "train" / "left"
    if fault == "corrupt":
        (root / "train" / "right" / "clip0.mp4").write_bytes(b"not a video" * 50)
    elif fault == "short":
        write_video_file(left / "clip1.avi", moving_square("left", 4, 16))
    elif fault == "loose_frame":
        Image.fromarray(np.zeros((16, 16), np.uint8)).save(left / "000.png")
    elif fault == "video_in_frames":
        write_video_file(left / "clip9" / "x.mp4", moving_square("left", 6, 16))
    else:
        (left / "notes.txt").write_text("left-moving clips\n")
    refused(lambda: build(["model=cnn_lstm", "dataset=video_folder", f"dataset.root={root}", "dataset.frames=5"]),
            pattern)


def test_video_files_without_pyav_name_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from data_files import write_video_files

    root = write_video_files(tmp_path / "clips", {"train": 2, "val": 1}, frames=4)
    monkeypatch.setitem(sys.modules, "av", None)  # import av raises ImportError
    refused(lambda: build(["model=cnn_lstm", "dataset=video_folder", f"dataset.root={root}", "dataset.frames=4"]),
            r"holds video files \(.*left/clip0.mp4\) and reading them needs PyAV.*pip install 'aa\[video\]'")


@pytest.mark.slow
def test_cnn_lstm_learns_the_direction_of_a_square_from_video_files(tmp_path: Path) -> None:
    from data_files import moving_square, write_video_file

    rng = np.random.default_rng(0)
    for split, n in (("train", 24), ("val", 6), ("test", 8)):
        for name in ("left", "right"):
            for c in range(n):
                pictures = moving_square(name, 8, 16, start=int(rng.integers(0, 5)), side=int(rng.integers(2, 5)))
                write_video_file(tmp_path / "clips" / split / name / f"{c}{'.mp4' if c % 2 else '.avi'}", pictures)
    metrics = runner(tmp_path)(["model=cnn_lstm", "dataset=video_folder", f"dataset.root={tmp_path / 'clips'}",
                                "dataset.image_size=16", "batch.size=8", "trainer.max_epochs=10",
                                "callbacks.gradient_stats=null"])
    assert metrics["test"]["acc"] >= 0.9, metrics["test"]
