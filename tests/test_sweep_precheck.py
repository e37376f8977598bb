"""A sweep is validated as a whole before its first job: a bad combination refuses the sweep, listing it."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aa.sweep.precheck import check_sweep


@pytest.mark.slow
def test_bad_combination_refuses_the_whole_sweep() -> None:
    problem = check_sweep(["-m", "model=mlp,lenet5", "dataset=playground"])
    assert problem is not None and "1 of 2 combinations" in problem
    assert "model=lenet5 dataset=playground" in problem and "lenet5" in problem
    assert "model=mlp dataset=playground" not in problem


@pytest.mark.slow
def test_valid_sweep_passes() -> None:
    assert check_sweep(["-m", "optim=sgd,adam", "optim.lr=0.01,0.1"]) is None


@pytest.mark.slow
def test_experiment_sweep_params_are_expanded() -> None:
    assert check_sweep(["-m", "experiment=batch_modes_digits"]) is None
    problem = check_sweep(["-m", "experiment=batch_modes_digits", "model.hidden=[0]"])
    assert problem is not None and "model.hidden[0]" in problem


@pytest.mark.slow
def test_no_job_runs_when_refused(tmp_path: Path) -> None:
    p = subprocess.run(["aa-train", "-m", "model=lenet5,mlp", "dataset=playground", f"hydra.sweep.dir={tmp_path}/s"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stdout + p.stderr
    assert "Invalid sweep" in p.stderr
    assert not (tmp_path / "s").exists()
