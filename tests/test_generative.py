"""Generative models: each learns on small real data, their formulas are exact, bad input is refused."""
from __future__ import annotations

import math

import pytest
from omegaconf import OmegaConf
import torch
from conftest import build, fit, make_cfg, make_model, refused
from torch.distributions import Bernoulli, Normal, kl_divergence

from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.generative.modes import mode_stats
from aa.generative.parts import split_model
from aa.task.autoencoder import reconstruction_nll
from aa.task.vae import bound

SMALL_VAE = ["model=vae", "model.hidden=[64]", "model.latent=4", "objective.quality=false", "batch.size=64"]


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Reference classifiers are cached per test, never in the user's cache."""
    monkeypatch.setenv("AA_CACHE", str(tmp_path / "cache"))


def val_metrics(task, dm) -> dict:
    """The objective's validation metrics for the task's current weights."""
    task.eval()
    with torch.no_grad():
        for batch in dm.val_dataloader():
            task.objective.evaluate(task.model, batch, "val")
    task.train()
    return {k: float(v) for k, v in task.objective.compute("val").items()}


def test_reconstruction_losses_are_the_negative_log_likelihoods(one_thread):
    torch.manual_seed(0)
    phi, x = torch.randn(5, 1, 4, 4), torch.rand(5, 1, 4, 4)
    binary = (x > 0.5).float()
    expected = -Bernoulli(logits=phi).log_prob(binary).flatten(1).sum(1)
    assert torch.allclose(reconstruction_nll(phi, binary, "bernoulli"), expected, atol=1e-5)
    log_scale = torch.tensor(-0.7)
    expected = -Normal(phi, log_scale.exp()).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(reconstruction_nll(phi, x, "gaussian", log_scale), expected, atol=1e-4)
    assert torch.allclose(reconstruction_nll(phi, x, "mse"), 0.5 * (x - phi).pow(2).flatten(1).sum(1))


@pytest.mark.slow
def test_the_vae_bound_is_reconstruction_plus_the_analytic_kl(one_thread):
    cfg, dm, task = build(SMALL_VAE)
    x, y = dm.x_val[:16], dm.y_val[:16]
    prep, net = split_model(task.model)
    torch.manual_seed(1)
    nll, kl = bound(task.model, x, y)
    mu, logvar = net.encode(prep(x))
    exact = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(1)
    assert torch.allclose(kl, exact, atol=1e-5)
    torch.manual_seed(1)
    z = mu + (0.5 * logvar).exp() * torch.randn_like(mu)
    assert torch.allclose(nll, reconstruction_nll(net.decode(z), x, "bernoulli"), atol=1e-5)


@pytest.mark.slow
def test_vae_negative_elbo_falls_and_is_reported_as_recon_plus_kl(tmp_path, one_thread):
    cfg, dm, task = build(SMALL_VAE)
    before = val_metrics(task, dm)
    dm, task, trainer = fit([*SMALL_VAE, "trainer.max_epochs=8"], tmp_path, quiet=True)
    after = val_metrics(task, dm)
    assert after["elbo"] < before["elbo"] - 10, (before, after)
    assert after["elbo"] == pytest.approx(after["recon"] + after["kl"], rel=1e-5)
    assert after["loss"] == after["elbo"] and after["kl"] > 0


@pytest.mark.slow
def test_kl_warmup_ramps_beta_from_zero(one_thread):
    cfg, dm, task = build([*SMALL_VAE, "objective.beta=4", "objective.warmup=4"])
    assert [task.objective.kl_weight(e) for e in (0, 1, 2, 4, 9)] == [0.0, 1.0, 2.0, 4.0, 4.0]


@pytest.mark.slow
def test_autoencoder_reconstruction_error_falls_well_below_the_untrained_one(tmp_path, one_thread):
    small = ["model=autoencoder", "model.hidden=[64]", "model.latent=8", "batch.size=64"]
    cfg, dm, task = build(small)
    before = val_metrics(task, dm)
    dm, task, trainer = fit([*small, "trainer.max_epochs=10"], tmp_path, quiet=True)
    after = val_metrics(task, dm)
    assert after["recon"] < 0.8 * before["recon"] and after["mse"] < 0.5 * before["mse"], (before, after)


@pytest.mark.slow
@pytest.mark.parametrize("kind,changed", [("gaussian", 1.0), ("mask", 0.3)])
def test_denoising_corrupts_inputs_at_the_given_level(kind, changed, one_thread):
    cfg, dm, task = build(["model=autoencoder", f"model.corruption={kind}", "model.level=0.3"])
    net = split_model(task.model)[1]
    x = torch.full((200, 1, 8, 8), 0.5)
    torch.manual_seed(0)
    noisy = net.corrupt(x)
    assert float((noisy != x).float().mean()) == pytest.approx(changed, abs=0.03)
    if kind == "gaussian":
        assert float((noisy - x).std()) == pytest.approx(0.3, rel=0.05)


@pytest.mark.slow
def test_conv_variants_build_for_the_digit_images_and_keep_their_shape(one_thread):
    for model in ("autoencoder", "vae", "gan"):
        net = make_model([f"model={model}", "model.arch=conv"], (1, 8, 8), 10)
        assert any(isinstance(m, torch.nn.Conv2d) for m in net.modules())
        assert net.render(torch.randn(3, net.latent)).shape == (3, 1, 8, 8)
    gan = make_model(["model=gan", "model.arch=conv", "model.pack=2"], (1, 8, 8), 10)
    assert gan(torch.rand(6, 1, 8, 8)).shape == (3,)  # one judgement per pack of two


def test_mode_count_and_high_quality_share_follow_the_definition():
    centers = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
    samples = torch.cat([centers[0] + 0.05 * torch.ones(60, 2), centers[1].repeat(30, 1), torch.full((10, 2), 1.0)])
    modes, hq = mode_stats(samples, centers, std=0.1)
    assert float(modes) == 2 and float(hq) == pytest.approx(0.9)
    modes, _ = mode_stats(samples, centers, std=0.01)  # 0.05*sqrt(2) > 3 sigma: mode 0's points miss
    assert float(modes) == 1


@pytest.mark.slow
def test_mixture_data_has_its_modes_and_spread_from_the_seed():
    cfg, dm, task = build(["model=gan", "dataset=mixture", "dataset.name=grid"])
    assert dm.num_outputs == 25 and dm.task == "mixture"
    residual = dm.x_train - dm.centers[dm.y_train]
    assert float(residual.std()) == pytest.approx(0.05, rel=0.05)
    assert float(mode_stats(dm.x_train, dm.centers, 0.05)[0]) == 25


@pytest.mark.slow
@pytest.mark.parametrize("overrides,pattern", [
    (["model=vae", "objective.beta=-1"], r"objective\.beta=-1.*>= 0"),
    (["model=vae", "model.latent=0"], r"model\.latent=0.*>= 1"),
    (["model=gan", "dataset=diabetes"], r"objective='gan'.*regression dataset"),
    (["model=gan", "objective.d_steps=0"], r"objective\.d_steps=0"),
    (["model=autoencoder", "model.corruption=blur"], r"gaussian, mask"),
    (["model=vae", "dataset=mixture"], r"objective='vae'.*mixture"),
])
def test_bad_generative_options_are_refused_before_training(overrides, pattern):
    with pytest.raises(ConfigError, match=pattern):
        validate(make_cfg(overrides))


@pytest.mark.parametrize("overrides,moved", [(["model=vae", "model.beta=4"], "objective.beta"),
                                             (["model=gan", "model.d_steps=2"], "objective.d_steps")])
def test_training_settings_are_the_objectives_not_the_models(overrides, moved):
    """The models know nothing of training: their old keys are refused, naming the objective's key."""
    from aa.config.command_line import compose

    with pytest.raises(ConfigError) as refused_key:
        compose(overrides)
    problem = str(refused_key.value)
    value = overrides[1].split("=")[1]
    assert "training setting of the objective" in problem and f"Valid choices: {moved}={value}." in problem, problem
    assert str(OmegaConf.select(compose([overrides[0], f"{moved}={value}"]), moved)) == value


@pytest.mark.slow
def test_a_conv_model_on_2d_points_is_refused_while_building():
    refused(lambda: build(["model=gan", "dataset=mixture", "model.arch=conv"]), r"model\.arch='conv'.*images")


@pytest.mark.slow
def test_the_gan_alternates_its_players_with_d_steps_discriminator_updates_each(tmp_path, one_thread):
    overrides = ["model=gan", "dataset=mixture", "dataset.n_samples=640", "objective.d_steps=3", "batch.size=64",
                 "trainer.max_epochs=2", "optim_d=sgd", "scheduler=cosine", "scheduler.T_max=4"]
    dm, task, trainer = fit(overrides, tmp_path, quiet=True)
    g_opt, d_opt = (getattr(o, "optimizer", o) for o in trainer.optimizers)
    assert isinstance(d_opt, torch.optim.SGD) and isinstance(g_opt, torch.optim.Adam)
    # the schedule anneals both players: after 2 of T_max = 4 epochs each rate is half its start
    assert [o.param_groups[0]["lr"] for o in (g_opt, d_opt)] == pytest.approx([0.0005, 0.005])
    updates = 2 * math.ceil(len(dm.y_train) / 64)
    g_steps = [int(s["step"]) for s in g_opt.state.values()]
    assert g_steps and set(g_steps) == {updates // 3}, (g_steps, updates)
    assert trainer.global_step == updates + updates // 3


@pytest.mark.slow
def test_the_gan_spreads_its_samples_over_the_ring_it_learns(tmp_path, one_thread):
    """120 updates take G from a blob at the origin (no mode covered) to the ring's spread and onto its modes."""
    small = ["model=gan", "dataset=mixture", "dataset.n_samples=1600", "dataset.std=0.1", "model.latent=2",
             "batch.size=64", "scheduler=none"]  # a constant rate: recipe=gan's cosine over 8 epochs is slower
    cfg, dm, task = build(small)
    before = val_metrics(task, dm)
    dm, task, trainer = fit([*small, "trainer.max_epochs=8"], tmp_path, quiet=True)
    after = val_metrics(task, dm)
    assert after["fd"] < 0.1 * before["fd"] and after["modes"] >= 4 > before["modes"], (before, after)
    assert after["hq"] > before["hq"] + 0.05, (before, after)
