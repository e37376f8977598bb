"""Vision Transformer: patches become tokens (with the small-image presets), options reach torchvision's
model, a bad width is refused before torch, and a small ViT learns the digits."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import make_cfg, refused, runner

from aa.config.validate import validate

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("side, channels, patch, tokens", [(8, 1, 2, 16), (28, 1, 4, 49), (32, 3, 4, 64), (30, 3, 4, 64),
                                                          (224, 3, 16, 196)])
def test_patches_become_tokens_with_the_small_image_presets(side: int, channels: int, patch: int, tokens: int) -> None:
    from aa.models.vit import ViT

    net = ViT((channels, side, side), 10, hidden_dim=16, num_layers=1, num_heads=2, mlp_dim=16)
    assert net.patch_size == patch and net.conv_proj.in_channels == channels
    assert net.encoder.pos_embedding.shape == (1, tokens + 1, 16)  # + the class token
    x = torch.randn(2, channels, side, side)
    assert net.tokens(x).shape == (2, tokens + 1, 16) and net(x).shape == (2, 10)


def test_mean_pooling_classifies_the_patch_tokens_not_the_class_token() -> None:
    from aa.models.vit import ViT

    torch.manual_seed(0)
    net = ViT((1, 8, 8), 3, hidden_dim=8, num_layers=1, num_heads=2, mlp_dim=8, pool="mean")
    x = torch.randn(4, 1, 8, 8)
    h = net.tokens(x)
    assert torch.allclose(net(x), net.heads(h[:, 1:].mean(1)))
    net.pool = "cls"
    assert torch.allclose(net(x), net.heads(h[:, 0]))


@pytest.mark.parametrize("patch", [2, 4])
def test_overlapping_patches_give_the_same_tokens_each_seeing_its_neighbours_border(patch: int) -> None:
    from aa.models.vit import ViT

    torch.manual_seed(0)
    plain, wide = (ViT((1, 16, 16), 10, patch_size=patch, overlap=o, hidden_dim=8, num_layers=1, num_heads=2)
                   for o in (False, True))
    assert wide.conv_proj.kernel_size == (patch + 2 * max(1, patch // 2),) * 2
    x = torch.randn(1, 1, 16, 16)
    nudged = x.clone()
    nudged[0, 0, 0, patch] += 1.0  # the first pixel of the second patch of the top row
    for net, reaches in ((plain, False), (wide, True)):
        tokens = net._process_input(x)
        assert tokens.shape == (1, (16 // patch) ** 2, 8)
        changed = (net._process_input(nudged) - tokens).abs().sum(-1)[0]
        assert bool(changed[0] > 0) == reaches and changed[1] > 0 and changed[2:].sum() == 0


def test_width_must_split_across_heads() -> None:
    refused(lambda: validate(make_cfg(["model=vit", "model.hidden_dim=30", "model.num_heads=4"])),
            r"model.hidden_dim=30.*not a multiple of num_heads")
    refused(lambda: validate(make_cfg(["model=vit", "model.pretrained=true"])),
            r"model.overlap=True: widens the patch windows.*model.overlap=false with pretrained weights")


@pytest.mark.slow
def test_a_small_vit_learns_the_digits(tmp_path: Path) -> None:
    metrics = runner(tmp_path)(["model=vit", "model.hidden_dim=32", "model.num_layers=2", "model.mlp_dim=64",
                                "trainer.max_epochs=20", "callbacks.gradient_stats=null"])
    assert metrics["test"]["acc"] > 0.85, metrics["test"]


def test_attention_rollout_is_a_distribution_over_patches_and_follows_identity_attention() -> None:
    from aa.models.vit import ViT

    torch.manual_seed(0)
    net = ViT((1, 8, 8), 3, hidden_dim=8, num_layers=2, num_heads=2, mlp_dim=8, dropout=0.0).eval()
    x = torch.randn(3, 1, 8, 8)
    maps = net.attention_rollout(x)
    assert maps.shape == (3, 4, 4) and (maps >= 0).all()
    rows = 0.5 * torch.ones(17, 17) / 17 + 0.5 * torch.eye(17)  # attention spread evenly: rollout by hand
    for layer in net.encoder.layers:  # q, k = 0 -> every query attends evenly to all 17 tokens
        layer.self_attention.in_proj_weight.data[:16] = 0
        layer.self_attention.in_proj_bias.data[:16] = 0
    expected = (rows @ rows)[1:, 1:].mean(0).reshape(4, 4)
    assert torch.allclose(net.attention_rollout(x)[0], expected, atol=1e-6)
