"""A model's recipe sets its usual schedule and epochs; the command line still wins."""
from __future__ import annotations

import pytest
from conftest import make_cfg


@pytest.mark.parametrize("overrides,epochs,scheduler", [
    (["model=resnet18"], 20, "torch.optim.lr_scheduler.OneCycleLR"),
    (["model=resnet18", "recipe=none"], 60, None),
    (["model=resnet18", "trainer.max_epochs=7", "scheduler=cosine"], 7, "torch.optim.lr_scheduler.CosineAnnealingLR"),
    (["model=resnet18", "trainer=gpu"], 20, "torch.optim.lr_scheduler.OneCycleLR"),
    (["model=mlp"], 60, None),
])
def test_resnet18_trains_on_its_recipe_unless_told_otherwise(overrides, epochs, scheduler):
    cfg = make_cfg(overrides)
    assert cfg.trainer.max_epochs == epochs
    assert (cfg.scheduler or {}).get("_target_") == scheduler


def test_key_checks_follow_the_recipe_a_model_chooses():
    from aa.base.errors import ConfigError
    from aa.config.command_line import compose

    assert compose(["model=resnet18", "scheduler.pct_start=0.2"]).scheduler.pct_start == 0.2
    with pytest.raises(ConfigError) as refused:
        compose(["model=resnet18", "scheduler.pctstart=0.2"])
    assert "scheduler=onecycle" in str(refused.value) and "pct_start" in str(refused.value)
