"""Super-resolution: low-resolution inputs made by shrinking, PSNR/SSIM against bicubic as formulas, ESPCN
and SRCNN shapes (the residual form starts as bicubic itself), a user's folder cut into tiles split by
picture, bad settings refused, and ESPCN beating bicubic on the shapes."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import build, make_cfg, refused, runner
from PIL import Image

from aa.config.validate import validate

pytestmark = pytest.mark.usefixtures("one_thread")


def test_psnr_and_the_bicubic_baseline_are_the_formulas() -> None:
    from aa.task.restoration import Restoration, bicubic

    torch.manual_seed(0)
    y = torch.rand(3, 3, 24, 24)
    x = torch.nn.functional.avg_pool2d(y, 2)
    out = (y + 0.05 * torch.randn_like(y)).clamp(0, 1)
    obj = Restoration()
    obj.evaluate(lambda _: out, (x, y), "test")
    m = obj.compute("test")
    assert m["psnr"] == pytest.approx(10 * math.log10(1 / float((out - y).pow(2).mean())), rel=1e-4)
    assert m["bicubic_psnr"] == pytest.approx(10 * math.log10(1 / float((bicubic(x, y) - y).pow(2).mean())), rel=1e-4)
    assert m["psnr_gain"] == pytest.approx(float(m["psnr"] - m["bicubic_psnr"]))
    assert m["loss"] == pytest.approx(float((out - y).pow(2).mean()), rel=1e-5)  # mse
    assert 0 < m["ssim"] < 1 and 0 < m["bicubic_ssim"] < 1


@pytest.mark.parametrize("name", ["ESPCN", "SRCNN"])
@pytest.mark.parametrize("scale", [2, 3, 4])
def test_nets_upscale_and_the_residual_form_starts_as_bicubic(name: str, scale: int) -> None:
    from aa.models import superres

    x = torch.rand(2, 3, 8, 8)
    net = getattr(superres, name)((3, 8, 8), 3, scale=scale)
    out = net(x)
    assert out.shape == (2, 3, 8 * scale, 8 * scale)
    assert torch.allclose(out, superres.upscale(x, scale))
    plain = getattr(superres, name)((3, 8, 8), 3, scale=scale, residual=False)
    assert not torch.allclose(plain(x), superres.upscale(x, scale))


@pytest.mark.parametrize("source, channels", [("shapes", 3), ("digits", 1)])
def test_inputs_are_the_pictures_shrunk_scale_times(source: str, channels: int) -> None:
    from aa.data.superres import shrink

    _, dm, _ = build(["model=espcn", f"dataset.source={source}", "dataset.scale=3", "dataset.n_samples=30"])
    assert dm.y_train.shape[1:] == (channels, 48, 48) and dm.x_train.shape[1:] == (channels, 16, 16)
    assert torch.allclose(dm.x_val, shrink(dm.y_val, 3))
    assert dm.num_outputs == channels and dm.model_args() == {"scale": 3}
    assert (len(dm.y_train), len(dm.y_val), len(dm.y_test)) == (20, 4, 6)


def test_a_folder_is_cut_into_tiles_and_split_by_picture(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for i in range(6):
        Image.fromarray(rng.integers(0, 255, (60, 100, 3), dtype=np.uint8)).save(tmp_path / f"{i}.png")
    _, dm, _ = build(["model=espcn", "dataset.source=image_folder", f"dataset.root={tmp_path}", "dataset.hr_size=24"])
    assert dm.y_train.shape[1:] == (3, 24, 24)
    report = dm.accounting()
    assert sum(report[s]["samples"] for s in ("train", "val", "test")) == 6 * 8  # 2 rows x 4 tiles a picture
    assert [report[s]["pictures"] for s in ("train", "val", "test")] == [4, 1, 1]


def test_bad_settings_are_refused_before_torch(tmp_path: Path) -> None:
    refused(lambda: validate(make_cfg(["model=espcn", "dataset.hr_size=50", "dataset.scale=3"])),
            r"dataset.hr_size=50.*not a multiple of dataset.scale=3")
    refused(lambda: validate(make_cfg(["model=espcn", "dataset.source=image_folder"])), r"dataset.root=None.*not a folder")
    refused(lambda: validate(make_cfg(["model=srcnn", "model.kernels=[9,5]"])), r"model.kernels.*one kernel per layer")
    refused(lambda: validate(make_cfg(["model=espcn", "dataset=digits"])), r"low_resolution")


@pytest.mark.slow
def test_espcn_beats_bicubic_on_the_shapes(tmp_path: Path) -> None:
    metrics = runner(tmp_path)(["model=espcn", "dataset.n_samples=300", "dataset.hr_size=24", "trainer.max_epochs=30",
                                "batch.size=8", "callbacks.gradient_stats=null"])
    assert metrics["test"]["psnr"] > metrics["test"]["bicubic_psnr"] + 1.0, metrics["test"]
