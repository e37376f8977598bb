"""What a generative run leaves behind: pictures in TensorBoard and PNGs, metrics.json, and a checkpoint
that aa-sample turns into a grid of chosen-class samples without training."""
from __future__ import annotations

import os

import pytest
from conftest import Events, runner
from PIL import Image

CVAE = ["model=vae", "model.conditional=true", "model.hidden=[64]", "model.latent=2", "trainer.max_epochs=2",
        "objective.quality=false", "batch.size=64"]


@pytest.fixture(scope="module")
def cvae_run(tmp_path_factory):
    """A tiny conditional VAE on the digits, with its overrides stored as aa-train stores them."""
    import torch

    root = tmp_path_factory.mktemp("cvae")
    torch.set_num_threads(1)
    metrics = runner(root)(CVAE)
    os.makedirs(root / "run" / ".hydra", exist_ok=True)
    (root / "run" / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in CVAE))
    return root / "run", metrics


@pytest.mark.slow
def test_a_vae_run_reports_its_bound_and_draws_samples_reconstructions_and_latent_maps(cvae_run):
    run_dir, metrics = cvae_run
    assert metrics["task"] == "generation"
    assert metrics["test"]["elbo"] == pytest.approx(metrics["test"]["recon"] + metrics["test"]["kl"], rel=1e-5)
    events = Events(run_dir)
    assert {"samples", "reconstructions", "latent/interpolation", "latent/scatter"} <= events.tags("images")
    assert [e.step for e in events.images("samples")] == [0, 1]  # every epoch, from the same noise
    assert {"val/elbo", "val/kl", "train/elbo"} <= events.tags()
    for png in ("samples.png", "reconstructions.png", "latent_scatter.png", "interpolation.png"):
        assert (run_dir / png).stat().st_size > 0


@pytest.mark.slow
def test_aa_sample_writes_a_grid_of_the_chosen_class_without_training(cvae_run, tmp_path, capsys):
    from aa.entry.sample import main

    run_dir, _ = cvae_run
    out = tmp_path / "threes.png"
    main([f"ckpt={run_dir}", "n=16", "class=3", f"output={out}", "nrow=8"])
    assert Image.open(out).size == (8 * 9 + 1, 2 * 9 + 1)  # 8x8 digits, 1-pixel padding
    assert "16 samples of class 3" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main([f"ckpt={run_dir}", "class=10", f"output={tmp_path / 'x.png'}"])
    assert e.value.code == 2 and not (tmp_path / "x.png").exists()
    assert "Valid choices: 0-9" in capsys.readouterr().err


@pytest.mark.slow
def test_a_run_stored_with_a_moved_key_still_restores(cvae_run, tmp_path):
    """model.beta became objective.beta: a run whose stored command line says model.beta=2 restores with it."""
    import shutil

    from aa.run.load import load_run

    run_dir, _ = cvae_run
    old = tmp_path / "old"
    shutil.copytree(run_dir / ".hydra", old / ".hydra")
    shutil.copytree(run_dir / "checkpoints", old / "checkpoints")
    (old / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in [*CVAE, "model.beta=2"]))
    assert load_run(str(old)).cfg.objective.beta == 2
