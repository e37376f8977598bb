"""Sweeps run as a user runs them (aa-train -m in a subprocess, one tiny epoch per job): parallel
launchers, Optuna with a diverging trial, a crashing job, and a resumed sweep. Whether jobs ran at
the same time, and when a job dies, is decided inside the jobs (tests/probes.py), never by a clock."""
from __future__ import annotations

import csv
import glob
import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import aa_train
from omegaconf import OmegaConf

pytestmark = pytest.mark.slow


def aa_sweep(sweep_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return aa_train("-m", *args, "debug=fast", f"hydra.sweep.dir={sweep_dir}", "allow_targets=[probes]", env=env,
                    timeout=600)


def summary(sweep_dir: Path) -> list[dict]:
    with open(sweep_dir / "sweep_summary.csv") as f:
        return list(csv.DictReader(f))


def job_file(sweep_dir: Path, num: int, name: str) -> dict:
    (path,) = glob.glob(str(sweep_dir / f"{num}_*" / name))
    with open(path) as f:
        return json.load(f)


def rendezvous(folder: Path, parties: int = 2) -> str:
    """Jobs wait for each other when training starts: a launcher that runs them one by one fails them."""
    return f"+callbacks.meet={{_target_:probes.Rendezvous,folder:'{folder}',parties:{parties}}}"


def meetings(folder: Path) -> list[dict]:
    """Per job that passed the rendezvous: its device and the jobs that arrived while it waited."""
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.met"))]


def test_joblib_runs_two_jobs_at_once_each_with_its_share_of_the_cores(tmp_path):
    sweep, meet = tmp_path / "sweep", tmp_path / "meet"
    p = aa_sweep(sweep, "launcher=joblib", "hydra.launcher.n_jobs=2", "optim.lr=0.01,0.1", rendezvous(meet))
    assert p.returncode == 0, p.stderr[-2000:]
    a, b = job_file(sweep, 0, "job.json"), job_file(sweep, 1, "job.json")
    met = meetings(meet)
    assert a["pid"] != b["pid"] and {m["pid"] for m in met} == {a["pid"], b["pid"]}
    assert any(m["joined_by"] for m in met), "neither job saw the other start while it waited"
    assert a["threads"] == b["threads"] == max(1, os.cpu_count() // 2)
    rows = summary(sweep)
    assert [r["status"] for r in rows] == ["ok", "ok"]
    assert float(rows[0]["val/acc"]) >= float(rows[1]["val/acc"])  # ranked best first
    for r in rows:  # each row is its own job's result
        assert float(r["val/acc"]) == pytest.approx(job_file(sweep, int(r["job"]), "metrics.json")["val"]["acc"], abs=1e-4)
    assert (sweep / "sweep_optim.lr.png").stat().st_size > 1000


def test_ray_gives_jobs_running_at_once_different_gpus(tmp_path):
    """Two GPUs declared to Ray on this CPU machine: Ray hands each running job its own device id."""
    sweep, meet = tmp_path / "sweep", tmp_path / "meet"
    p = aa_sweep(sweep, "launcher=ray", "hydra.launcher.ray.init.num_gpus=2", "hydra.launcher.ray.init.num_cpus=2",
                 "trainer=cpu", "optim.lr=0.01,0.02,0.03", rendezvous(meet))
    assert p.returncode == 0, p.stderr[-2000:]
    jobs = [job_file(sweep, n, "job.json") for n in range(3)]
    assert {j["cuda_visible_devices"] for j in jobs} <= {"0", "1"}
    assert len({j["pid"] for j in jobs}) == 3  # a fresh worker per job: CUDA reads the id once
    pairs = [(m, j) for m in meetings(meet) for j in m["joined_by"]]
    assert pairs, "no two jobs ran at the same time"
    assert all(a["cuda_visible_devices"] != b["cuda_visible_devices"] for a, b in pairs)
    assert {r["cuda_visible_devices"] for r in summary(sweep)} <= {"0", "1"}


def test_optuna_records_a_diverging_trial_as_failed_and_goes_on(tmp_path):
    """SGD with lr=100 on a linear network overflows to NaN in ten updates; lr=0.05 learns."""
    p = aa_sweep(tmp_path, "hparams_search=optuna", "hydra.sweeper.n_trials=3",
                 "hydra.sweeper.params={optim.lr:'choice(0.05, 100)'}", "optim=sgd", "activation=linear",
                 "batch.limit=10")
    assert p.returncode == 0, p.stderr[-2000:]
    rows = summary(tmp_path)
    assert len(rows) == 3
    status = {(r["optim.lr"], r["status"]) for r in rows}
    assert status == {("100", "diverged"), ("0.05", "ok")}
    assert "Failed experiment" in p.stdout + p.stderr  # Optuna marked the trial failed
    best = OmegaConf.load(tmp_path / "optimization_results.yaml")
    assert best.best_params["optim.lr"] == 0.05 and best.best_value > 0.3


def test_a_crashing_job_is_recorded_and_the_others_finish(tmp_path):
    """torch refuses Nesterov momentum without momentum: that job fails, the sweep exits 1 after the rest."""
    p = aa_sweep(tmp_path, "optim=sgd", "+optim.nesterov=true,false")
    assert p.returncode == 1
    assert "1 of 2 jobs failed" in p.stdout
    ok, failed = summary(tmp_path)  # finished jobs rank first
    assert failed["job"] == "0" and failed["status"] == "failed"
    assert "Nesterov momentum requires a momentum" in failed["error"] and failed["val/acc"] == "nan"
    assert ok["job"] == "1" and ok["status"] == "ok" and 0 < float(ok["val/acc"]) <= 1
    assert job_file(tmp_path, 0, "job.json")["status"] == "failed"
    assert not glob.glob(str(tmp_path / "0_*" / "metrics.json"))


def test_resume_skips_finished_jobs_and_continues_an_interrupted_one(tmp_path):
    """Job 1 kills the sweep from inside at the start of its third epoch, its second checkpoint saved."""
    args = ("trainer.max_epochs=1,6", "+callbacks.kill={_target_:probes.KillAt,epoch:2}")
    killed = aa_sweep(tmp_path, *args, env={"AA_TEST_KILL": "1"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert glob.glob(str(tmp_path / "1_*" / "checkpoints" / "last.ckpt")), "job 1 never saved a checkpoint"
    assert not glob.glob(str(tmp_path / "1_*" / "metrics.json"))
    assert job_file(tmp_path, 1, "job.json")["status"] == "running"
    finished = glob.glob(str(tmp_path / "0_*" / "metrics.json"))[0]
    before = os.stat(finished).st_mtime_ns

    p = aa_sweep(tmp_path, *args, "resume=true")
    assert p.returncode == 0, p.stderr[-2000:]
    assert os.stat(finished).st_mtime_ns == before and "finished before; skipped" in p.stderr + p.stdout
    resumed = job_file(tmp_path, 1, "metrics.json")
    assert resumed["resumed_from"].endswith(os.path.join("checkpoints", "last.ckpt"))
    assert resumed["epochs"] == 6 and resumed["val"]["acc"] > 0.3
    assert [r["status"] for r in summary(tmp_path)] == ["ok", "ok"]


def test_ddp_trains_one_run_in_two_processes(tmp_path):
    """trainer=ddp on two CPU processes (gloo): Lightning re-launches aa-train for rank 1 in the same
    run directory; rank 0 alone writes the results."""
    p = aa_train("trainer=ddp", "trainer.accelerator=cpu", "trainer.devices=2", "debug=fast",
                 "trainer.max_epochs=5", f"hydra.run.dir={tmp_path}", timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "Error executing job" not in p.stdout + p.stderr
    assert (tmp_path / "train_ddp_process_1.log").is_file()
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["val"]["acc"] > 0.3 and json.loads((tmp_path / "job.json").read_text())["status"] == "ok"
