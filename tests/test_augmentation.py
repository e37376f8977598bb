"""Image augmentation: what each transform does to a batch, per-sample randomness, the multi-select
group, and that only training batches are augmented (validation and test are untouched)."""
from __future__ import annotations

import math

import pytest
import pytorch_lightning as pl
import torch
from conftest import make_cfg
from data_files import write_image_folder, write_mnist

from aa.data.augment import (
    Color,
    Compose,
    Crop,
    Flip,
    Noise,
    Rotate,
    build_augmentation,
)


def images(n: int = 16, channels: int = 3, side: int = 12) -> torch.Tensor:
    torch.manual_seed(0)
    return torch.rand(n, channels, side, side) * 0.5 + 0.2


def test_flip_mirrors_each_chosen_image_and_chooses_per_sample():
    x = images(64)
    assert torch.equal(Flip(p=1.0)(x), x.flip(-1)) and torch.equal(Flip(p=0.0)(x), x)
    out = Flip(p=0.5)(x)
    flipped = [torch.equal(o, i.flip(-1)) for o, i in zip(out, x)]
    kept = [torch.equal(o, i) for o, i in zip(out, x)]
    assert all(f or k for f, k in zip(flipped, kept)) and 10 < sum(flipped) < 54


def test_crop_without_zoom_shifts_each_image_by_whole_pixels_within_the_padding():
    x = images(32, 1, 10)
    out = Crop(padding=2, scale=1.0)(x)
    shifts = set()
    for o, i in zip(out, x):
        padded = torch.nn.functional.pad(i, (2, 2, 2, 2))
        found = [(dy, dx) for dy in range(5) for dx in range(5)
                 if torch.allclose(o, padded[:, dy:dy + 10, dx:dx + 10], atol=1e-5)]
        assert found, "not a whole-pixel shift of the zero-padded image"
        shifts.add(found[0])
    assert len(shifts) > 5


def test_crop_with_scale_zooms_in():
    x = torch.zeros(4, 1, 32, 32)
    x[:, :, 8:24, 8:24] = 1.0
    out = Crop(padding=0, scale=0.25)(x)
    assert (out.mean(dim=(1, 2, 3)) > x.mean(dim=(1, 2, 3))).all()


def test_rotation_keeps_each_point_at_its_distance_from_the_centre():
    x = torch.zeros(8, 1, 33, 33)
    x[:, :, 16, 28] = 1.0  # 12 px right of the centre pixel
    out = Rotate(degrees=90)(x)
    ys, xs = torch.meshgrid(torch.arange(33.0), torch.arange(33.0), indexing="ij")
    for o in out[:, 0]:
        w = o / o.sum()
        cy, cx = (w * ys).sum(), (w * xs).sum()
        assert math.hypot(cy - 16, cx - 16) == pytest.approx(12, abs=1.0)
    assert len({round(float((o * xs).sum() / o.sum()), 1) for o in out[:, 0]}) > 4


def test_brightness_scales_each_image_by_one_factor_in_range():
    x = images(16)
    out = Color(brightness=0.3, contrast=0.0, saturation=0.0)(x)
    ratio = out / x
    per_image = ratio.flatten(1)
    assert torch.allclose(per_image, per_image[:, :1].expand_as(per_image), atol=1e-5)
    assert ((per_image[:, 0] >= 0.7 - 1e-6) & (per_image[:, 0] <= 1.3 + 1e-6)).all()
    assert per_image[:, 0].std() > 0.05


def test_saturation_zero_leaves_grey_images_alone_and_noise_has_the_set_std():
    grey = images(4, 1).expand(4, 3, 12, 12).contiguous()
    assert torch.allclose(Color(brightness=0, contrast=0, saturation=0.9)(grey), grey, atol=1e-6)
    flat = torch.full((64, 1, 16, 16), 0.5)
    assert (Noise(std=0.05)(flat) - flat).std().item() == pytest.approx(0.05, rel=0.05)


def test_multi_select_composes_the_chosen_augmentations_in_order():
    cfg = make_cfg(["augmentation=[flip,crop]"])
    aug = build_augmentation(cfg.augmentation)
    assert isinstance(aug, Compose) and [type(s) for s in aug.steps] == [Flip, Crop]
    assert aug.steps[0].p == 0.5 and aug.steps[1].padding == 4


def test_only_training_batches_of_in_memory_images_are_augmented(tmp_path):
    from aa.run.build import build_data

    dm = build_data(make_cfg(["dataset=mnist", f"dataset.root={write_mnist(tmp_path)}", "dataset.download=false",
                              "model=cnn", "augmentation=[noise,flip]"]))
    for loader, x_raw in ((dm.val_dataloader(), dm.x_val), (dm.test_dataloader(), dm.x_test)):
        served = torch.cat([x for x, _ in loader])
        assert torch.equal(served, x_raw.float() / 255)
    chunk = next(iter(dm.train_dataloader()))
    x, _ = next(iter(chunk))
    raw = dm.x_train[chunk.plan[0]].float() / 255
    assert x.shape == raw.shape and not torch.allclose(x, raw, atol=0.01)


class Batches(pl.Callback):
    """Keeps the batches the task module received (after the transfer to the device)."""

    def __init__(self) -> None:
        self.train, self.val = [], []

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self.train.extend(x.clone() for x, _ in batch)

    def on_validation_batch_start(self, trainer, pl_module, batch, batch_idx, dataloader_idx=0):
        self.val.append(batch[0].clone())


@pytest.mark.slow
def test_only_training_batches_of_folder_images_are_augmented(tmp_path):
    from aa.run.build import build_data, build_task

    cfg = make_cfg(["dataset=image_folder", f"dataset.root={write_image_folder(tmp_path / 'tree')}",
                    "dataset.image_size=16", "dataset.workers=0", "model=cnn", "augmentation=noise",
                    "augmentation.noise.std=0.3", "batch.size=48"])
    dm = build_data(cfg)
    seen = Batches()
    trainer = pl.Trainer(max_epochs=1, accelerator="cpu", logger=False, enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
                         callbacks=[seen])
    trainer.fit(build_task(cfg, dm), datamodule=dm)
    plain = torch.cat([x for x, _ in torch.utils.data.DataLoader(dm.splits["val"], batch_size=64)]).float() / 255
    assert torch.equal(torch.cat(seen.val), plain)
    train_plain = torch.stack([dm.splits["train"][i][0] for i in range(len(dm.y_train))]).float() / 255
    seen_train = torch.cat(seen.train)
    distance = torch.cdist(seen_train.flatten(1), train_plain.flatten(1))
    assert len(seen_train) == len(train_plain) >= 30 and distance.min() > 1.0
