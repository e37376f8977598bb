"""The GAN's plain defaults are the recipe that covers the ring (issue 30): a code no wider than the data,
Adam beta1 = 0.5 for both players, batches of 128, both rates cosine-annealed to 0 over 150 epochs."""
from __future__ import annotations

import pytest
from conftest import make_cfg, make_model
from omegaconf import OmegaConf

RECIPE = ["experiment=gan_ring"]
PLAIN = ["model=gan", "dataset=mixture", "dataset.name=ring"]


def training(cfg) -> dict:
    """What decides how the players train, as composed."""
    return {"optim": OmegaConf.to_container(cfg.optim), "optim_d": OmegaConf.to_container(cfg.optim_d),
            "scheduler": OmegaConf.to_container(cfg.scheduler), "batch": cfg.batch.size,
            "epochs": cfg.trainer.max_epochs, "pack": cfg.model.pack, "hidden": list(cfg.model.hidden),
            "objective": OmegaConf.to_container(cfg.objective)}


def test_the_plain_gan_on_the_ring_composes_to_the_gan_ring_recipe():
    plain, recipe = make_cfg(PLAIN), make_cfg(RECIPE)
    assert training(plain) == training(recipe)
    assert plain.optim.betas == [0.5, 0.999] and plain.batch.size == 128 and plain.trainer.max_epochs == 150
    assert plain.scheduler._target_ == "torch.optim.lr_scheduler.CosineAnnealingLR"
    assert recipe.model.latent == 2 and plain.model.latent is None  # None: the data's width, built below


@pytest.mark.parametrize("shape,latent", [((2,), 2), ((64,), 16), ((1, 28, 28), 16)])
def test_the_gan_code_is_as_wide_as_the_data_up_to_16(shape, latent):
    assert make_model(["model=gan"], shape, 10).latent == latent
    assert make_model(["model=gan", "model.latent=5"], shape, 10).latent == 5


def test_the_command_line_and_recipe_none_still_win_over_the_gan_recipe():
    cfg = make_cfg([*PLAIN, "recipe=none", "optim=adam"])
    assert cfg.batch.size == 32 and cfg.trainer.max_epochs == 60 and not cfg.scheduler
    assert cfg.optim.betas == [0.9, 0.999]
    cfg = make_cfg([*PLAIN, "batch.size=64", "trainer.max_epochs=10", "scheduler=none"])
    assert cfg.batch.size == 64 and cfg.trainer.max_epochs == 10 and not cfg.scheduler


def test_the_cgan_experiment_keeps_its_measured_recipe():
    """experiment=cgan_digits was measured without a schedule (docs/generative.md); the GAN recipe's
    cosine must not slip in under it."""
    cfg = make_cfg(["experiment=cgan_digits"])
    assert not cfg.scheduler and cfg.batch.size == 64 and cfg.trainer.max_epochs == 150


def test_model_cgan_is_the_cgan_digits_recipe_as_a_default():
    """model=cgan composes to experiment=cgan_digits's players and training (only the data's
    standardisation, the digits' own default, differs: the experiment turns it off)."""
    plain, recipe = make_cfg(["model=cgan"]), make_cfg(["experiment=cgan_digits"])
    assert training(plain) == training(recipe)
    assert OmegaConf.to_container(plain.model) == OmegaConf.to_container(recipe.model)
    assert plain.model.conditional and plain.model.hidden == [128] and plain.model.pack == 1
    assert not plain.scheduler and plain.batch.size == 64 and plain.trainer.max_epochs == 150
