"""The generative tools read data through the data module's loaders: an image folder (no tensors held)
serves float batches to the reference classifier, which leaves the run's data order as it found it."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import make_cfg
from data_files import write_image_folder

from aa.generative.batches import rebatch, take

pytestmark = pytest.mark.usefixtures("one_thread")


def test_an_image_folder_serves_float_images_in_zero_one_by_class(tmp_path: Path) -> None:
    from aa.data.image_folder import ImageFolderData

    dm = ImageFolderData(root=str(write_image_folder(tmp_path, {"train": 3, "val": 2})), image_size=16, workers=0)
    dm.setup()
    x, y = take(dm, "val")
    assert x.dtype == torch.float32 and x.shape == (4, 3, 16, 16)
    assert 0 <= float(x.min()) and float(x.max()) <= 1 and float(x.max()) > 0.5  # uint8 / 255, not raw bytes
    assert y.tolist() == [0, 0, 1, 1]


def test_rebatch_joins_single_samples_and_cuts_a_full_batch() -> None:
    singles = [(torch.full((1, 2), float(i)), torch.tensor([i])) for i in range(5)]
    assert [len(y) for _, y in rebatch(singles, 2)] == [2, 2, 1]
    whole = [(torch.arange(10.0).reshape(5, 2), torch.arange(5))]
    assert [y.tolist() for _, y in rebatch(whole, 2)] == [[0, 1], [2, 3], [4]]


@pytest.mark.slow
def test_the_reference_classifier_leaves_the_data_order_as_it_found_it(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from aa.generative.classifier import reference_classifier
    from aa.run.build import build_data

    monkeypatch.setenv("AA_CACHE", str(tmp_path / "cache"))
    dm = build_data(make_cfg(["model=vae", "debug=fast"]))
    dm.setup()
    before = dm.generator.get_state()
    judge = reference_classifier(dm)
    assert torch.equal(dm.generator.get_state(), before)
    x, y = take(dm, "val")
    assert float((judge.classify(x).argmax(1) == y).float().mean()) > 0.8  # it learnt the digits
