"""`aa-train -m` sweeps sequentially; each job gets its own directory named by number and overrides,
trains with its own overrides, and `debug=fast` makes each job one epoch of three updates."""
from __future__ import annotations

import json

import pytest
from conftest import Events, aa_train
from omegaconf import OmegaConf


@pytest.mark.slow  # four trainings in a new process
def test_sweep_runs_every_job_in_its_own_directory(tmp_path) -> None:
    sweep = tmp_path / "sweep"
    p = aa_train("-m", "optim=sgd,adam", "optim.lr=0.01,0.1", "debug=fast", f"hydra.sweep.dir={sweep}", timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    jobs = sorted(d.name for d in sweep.iterdir() if d.is_dir() and (d / "metrics.json").exists())
    assert jobs == [f"{n}_debug=fast,optim.lr={lr},optim={o}"
                    for n, (o, lr) in enumerate((o, lr) for o in ("sgd", "adam") for lr in ("0.01", "0.1"))]
    for j in jobs:
        named = dict(o.split("=") for o in j.split("_", 1)[1].split(","))
        optim, lr = named["optim"], named["optim.lr"]
        cfg = OmegaConf.load(sweep / j / ".hydra" / "config.yaml")
        assert cfg.optim._target_ == {"sgd": "torch.optim.SGD", "adam": "torch.optim.Adam"}[optim]
        assert cfg.optim.lr == float(lr)
        m = json.loads((sweep / j / "metrics.json").read_text())
        assert (m["epochs"], m["optimizer_steps"]) == (1, 3)  # debug=fast
        events = Events(sweep / j)
        assert events.scalars("lr/model") == [pytest.approx(float(lr))]
        hparams, metrics = events.hparams()  # what the sweep varied, then the model and data set; no debug
        assert hparams == {"optim": optim, "optim/lr": pytest.approx(float(lr)), "model": "mlp", "dataset": "digits"}
        assert events.trial() == f"optim={optim},optim.lr={lr}" and next(iter(metrics)) == "val/acc"
