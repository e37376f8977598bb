"""Video clips: moving digits move as their label says, on digit pictures kept apart per split; the clip
models read (N, frames, C, H, W); a frame too small for the path is refused; CNN+LSTM learns the direction."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import build, make_cfg, refused, runner

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
