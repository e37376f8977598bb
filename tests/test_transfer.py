"""Transfer learning: ImageNet weights from a file or the local torch hub cache (a randomly initialised
torchvision state_dict written by the test stands in for them), clear errors without them, and a
frozen backbone that stays fixed while the head learns."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torchvision
from conftest import build as build_run
from conftest import make_cfg, make_model
from conftest import refused as refused_by

from aa.config.validate import validate
from aa.models.pretrained import hub_file


@pytest.fixture(scope="module")
def resnet18_file(tmp_path_factory) -> tuple[Path, dict]:
    torch.manual_seed(1)
    state = torchvision.models.resnet18(weights=None).state_dict()
    path = tmp_path_factory.mktemp("weights") / "resnet18.pth"
    torch.save(state, path)
    return path, state


def build(overrides: list[str], shape: tuple[int, ...] = (3, 64, 64), classes: int = 2) -> torch.nn.Module:
    return make_model(["model=resnet18", "model.stem=imagenet", *overrides], shape, classes)


def refused(overrides: list[str], pattern: str) -> str:
    return refused_by(lambda: build(overrides), pattern)


@pytest.mark.slow
def test_weights_file_fills_the_backbone_and_leaves_a_fresh_head(resnet18_file):
    path, state = resnet18_file
    model = build(["model.pretrained=true", f"model.weights_path={path}"])
    got = model.state_dict()
    assert all(torch.equal(got[k], v) for k, v in state.items() if not k.startswith("fc."))
    assert got["fc.weight"].shape == (2, 512)


@pytest.mark.slow
def test_grey_images_get_the_mean_of_the_rgb_filters(resnet18_file):
    path, state = resnet18_file
    model = build(["model.pretrained=true", f"model.weights_path={path}"], shape=(1, 64, 64))
    expected = state["conv1.weight"].mean(1, keepdim=True)
    assert torch.allclose(model.state_dict()["conv1.weight"], expected)


@pytest.mark.slow
def test_pretrained_reads_torchvisions_file_in_the_local_hub_cache(resnet18_file, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    path, state = resnet18_file
    cached = hub_file("resnet18")
    assert cached.parent == tmp_path / "hub" / "checkpoints" and cached.name.startswith("resnet18-")
    cached.parent.mkdir(parents=True)
    cached.write_bytes(path.read_bytes())
    model = build(["model.pretrained=true"])
    assert torch.equal(model.state_dict()["layer4.1.conv2.weight"], state["layer4.1.conv2.weight"])


def test_pretrained_without_cache_or_file_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    message = refused(["model.pretrained=true"], r"model\.pretrained=True: no ImageNet weights for resnet18")
    assert str(tmp_path / "hub" / "checkpoints") in message and "model.weights_path" in message


def test_weights_need_the_normalization_they_were_trained_with(resnet18_file):
    refused(["model.pretrained=true", f"model.weights_path={resnet18_file[0]}", "normalization=layer"],
            r"normalization='layer'.*Valid choices: batch")


def transfer_overrides(path: Path, freeze: str) -> list[str]:
    return ["model=resnet18", "model.stem=imagenet", "model.pretrained=true", f"model.weights_path={path}",
            f"model.freeze={freeze}", "dataset.image_size=32", "trainer.max_epochs=1", "batch.limit=4",
            "optim=momentum", "optim.lr=0.05"]


def before_and_after(run, tmp_path: Path, path: Path, freeze: str) -> tuple[dict, dict]:
    """The model's tensors as train() builds them (same seed, same steps) and in its last checkpoint."""
    _, _, task = build_run(transfer_overrides(path, freeze))
    before = {k: v.clone() for k, v in task.model[1].state_dict().items()}
    run(transfer_overrides(path, freeze), name=freeze)
    ckpt = torch.load(tmp_path / freeze / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=False)
    prefix = "model.1."
    return before, {k[len(prefix):]: v for k, v in ckpt["state_dict"].items() if k.startswith(prefix)}


@pytest.mark.slow
def test_frozen_backbone_stays_fixed_while_the_head_learns(run, tmp_path, resnet18_file):
    path, state = resnet18_file
    before, after = before_and_after(run, tmp_path, path, "backbone")
    backbone = [k for k in before if not k.startswith("fc.")]
    assert all(torch.equal(after[k], before[k]) for k in backbone)  # weights and batch statistics
    assert torch.equal(after["layer4.1.bn2.running_var"], state["layer4.1.bn2.running_var"])
    assert not torch.equal(after["fc.weight"], before["fc.weight"])


@pytest.mark.slow
def test_fine_tuning_changes_the_backbone(run, tmp_path, resnet18_file):
    path, state = resnet18_file
    before, after = before_and_after(run, tmp_path, path, "none")
    assert torch.equal(before["layer1.0.conv1.weight"], state["layer1.0.conv1.weight"])
    assert not torch.equal(after["layer1.0.conv1.weight"], before["layer1.0.conv1.weight"])


def test_hymenoptera_recipe_composes_for_a_given_folder(tmp_path):
    for split in ("train", "val"):  # the folder's layout is checked with the config
        (tmp_path / split / "ants").mkdir(parents=True)
    cfg = make_cfg(["experiment=transfer_hymenoptera", f"dataset.root={tmp_path}"])
    validate(cfg)
    assert cfg.model.pretrained and cfg.dataset._target_.endswith("ImageFolderData")
