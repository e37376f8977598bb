"""Run folders work as arguments whatever their names, folder names keep every swept value, and printed
paths are whole lines (never wrapped at the console's 80 columns)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import aa_train

from aa.config.command_line import parse, quoted
from aa.config.resolvers import MAX_SUFFIX, run_suffix

ODD = "run a=b,c [1] it's"


def test_a_short_override_list_is_the_folder_suffix_as_it_is():
    assert run_suffix("optim.lr=0.01,trainer.max_epochs=2") == "_optim.lr=0.01,trainer.max_epochs=2"
    assert run_suffix("") == ""


def test_long_override_lists_keep_every_value_and_differ():
    shared = "dataset.n_samples=200,dataset.name=two_blobs,experiment=decision_regions,regularization.l2.weight=0.001"
    jobs = [f"{shared},model.hidden=[{w},{w}],optim.lr={lr}" for w in (4, 8) for lr in (0.01, 0.1)]
    names = [run_suffix(j) for j in jobs]
    assert len(set(names)) == len(jobs) and all(len(n) <= MAX_SUFFIX + 1 for n in names)
    for name, (w, lr) in zip(names, [(w, lr) for w in (4, 8) for lr in (0.01, 0.1)]):
        assert f"hidden=-{w},{w}-" in name and f"lr={lr}" in name and "n_samples=200" in name, name


@pytest.mark.parametrize("path", ["/tmp/a=b,c", f"/tmp/{ODD}", "/tmp/end\\", "/tmp/q\"d", "/tmp/a\\'b"])
def test_any_path_is_one_value_of_hydras_grammar(path: str):
    assert parse([f"hydra.run.dir={quoted(path)}"])[0].value() == path


@pytest.mark.slow
def test_an_oddly_named_run_resumes_evaluates_through_a_link_and_prints_whole_paths(tmp_path: Path, capsys):
    from aa.entry.eval import main as aa_eval

    run = tmp_path / ("deep" * 12) / ODD  # longer than the console's 80 columns
    first = aa_train("trainer.max_epochs=1", "threads_per_job=1", f"hydra.run.dir={quoted(str(run))}")
    assert first.returncode == 0, first.stderr[-1500:]
    assert f"run dir:         {run}" in first.stdout.splitlines() or \
        f"run dir:         {os.path.relpath(run)}" in first.stdout.splitlines(), first.stdout
    more = aa_train(f"resume={run}", "trainer.max_epochs=2")
    assert more.returncode == 0, more.stderr[-1500:]
    assert json.loads((run / "metrics.json").read_text())["max_epochs"] == 2
    link = tmp_path / "latest.ckpt"
    link.symlink_to(run / "checkpoints" / "best.ckpt")
    aa_eval([f"ckpt={link}", f"output={tmp_path / 'eval'}"])
    evaluated = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert evaluated["checkpoint"] == str(run / "checkpoints" / "best.ckpt") and evaluated["test"]["acc"] > 0.5
