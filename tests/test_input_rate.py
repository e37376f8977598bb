"""The input's rate beside training's: waiting for a slow loader shows as the waiting share, with the
samples it delivered; workers default to the machine's cores; the fast decoder reads what PIL reads."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import torch
from data_files import write_image_folder

from aa.callbacks.input_rate import batch_samples


def test_samples_are_counted_in_a_batch_and_in_a_chunk_of_updates() -> None:
    x, y = torch.zeros(5, 3), torch.zeros(5)
    assert batch_samples((x, y)) == 5
    assert batch_samples([(x, y), (x[:2], y[:2])]) == 7
    assert batch_samples(([torch.zeros(3, 8, 8)], [{"boxes": torch.zeros(0, 4)}])) is None  # detection: unsure


def test_workers_default_to_the_cores_at_most_eight(tmp_path: Path) -> None:
    from aa.data.image_folder import ImageFolderData
    from aa.data.workers import loader_workers

    cores = len(os.sched_getaffinity(0))
    assert loader_workers(None) == min(cores, 8) and loader_workers(3) == 3
    assert ImageFolderData(str(write_image_folder(tmp_path)), workers=None).workers == min(cores, 8)


def test_torchvision_decoding_gives_the_pixels_pil_gives(tmp_path: Path) -> None:
    from PIL import Image
    from torchvision.transforms.functional import pil_to_tensor

    from aa.data.image_folder import decode_rgb

    root = write_image_folder(tmp_path)
    for f in sorted(root.rglob("*.png"))[:5]:
        Image.open(f).convert("L").save(tmp_path / "grey.png")  # one channel read as three
        for path in (f, tmp_path / "grey.png"):
            with Image.open(path) as im:
                assert torch.equal(decode_rgb(str(path)), pil_to_tensor(im.convert("RGB")))


@pytest.mark.slow
def test_a_slow_loader_shows_as_waiting_with_the_samples_it_delivered(tmp_path: Path, run, monkeypatch) -> None:
    """Each image takes 20 ms to decode in the training process: the run waits for input most of the time,
    and says so in metrics.json with the 48 training images of each epoch."""
    import aa.data.image_folder as image_folder

    decode = image_folder.decode_rgb

    def slow(path: str) -> torch.Tensor:
        time.sleep(0.02)
        return decode(path)

    monkeypatch.setattr(image_folder, "decode_rgb", slow)
    root = write_image_folder(tmp_path / "tree", {"train": 24, "val": 4, "test": 4})
    m = run(["dataset=image_folder", f"dataset.root={root}", "dataset.image_size=16", "dataset.workers=0",
             "model=cnn", "trainer.max_epochs=2", "batch.size=16"])
    section = m["input"]
    assert section["waiting_share"] > 0.5 and "the data is the bottleneck" in section["said"]
    assert section["input_samples_per_s"] == pytest.approx(2 * 48 / section["waiting_s"], rel=0.01)
    assert section["input_samples_per_s"] < 50  # at most one image per 20 ms
