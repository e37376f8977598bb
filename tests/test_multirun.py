"""`aa-train -m` sweeps sequentially; each job gets its own directory named by number and overrides."""
from __future__ import annotations

import json
import subprocess


def test_sweep_runs_every_job_in_its_own_directory(tmp_path) -> None:
    sweep = tmp_path / "sweep"
    p = subprocess.run(["aa-train", "-m", "optim=sgd,adam", "optim.lr=0.01,0.1", "debug=fast",
                        f"hydra.sweep.dir={sweep}"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    jobs = sorted(d.name for d in sweep.iterdir() if d.is_dir() and (d / "metrics.json").exists())
    assert len(jobs) == 4
    assert jobs[0].startswith("0_") and "optim=sgd" in jobs[0] and "optim.lr=0.01" in jobs[0]
    assert len({j.split("_", 1)[1] for j in jobs}) == 4
    for j in jobs:
        m = json.load(open(sweep / j / "metrics.json"))
        assert 0 <= m["test"]["acc"] <= 1
        assert list((sweep / j / "tb").glob("events.out.tfevents*"))
        cfg = (sweep / j / ".hydra" / "config.yaml").read_text()
        assert "lr: 0.1" in cfg or "lr: 0.01" in cfg
