"""Exact resume: a run killed with SIGKILL at several points and resumed with ``aa-train resume=RUN_DIR``
ends with the same metrics and bit-identical weights as the same run left alone (CPU); checkpoints carry
every random stream and are written atomically."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import aa_train, aa_train_start

RUN = ("batch.size=16", "regularization=[dropout,noise]", "trainer.max_epochs=5", "trainer=cpu",
       "+callbacks.kill={_target_:resume_probes.KillAt}",
       "allow_targets=[resume_probes]", "threads_per_job=1")


def weights(run_dir: Path, name: str = "last.ckpt") -> dict:
    return torch.load(run_dir / "checkpoints" / name, map_location="cpu", weights_only=True)["state_dict"]


@pytest.mark.slow
def test_killed_and_resumed_run_matches_the_run_left_alone(tmp_path: Path) -> None:
    whole = aa_train_start(*RUN, f"hydra.run.dir={tmp_path}/whole")  # the run left alone, beside the killed one
    run = tmp_path / "killed"
    first = aa_train(*RUN, f"hydra.run.dir={run}", env={"AA_TEST_KILL": "1:trained"})
    assert first.returncode == -9 and not (run / "metrics.json").exists()
    for point in ("2:val", "3:start"):  # each resume dies again at a later point, from its own stored config
        p = aa_train(f"resume={run}", env={"AA_TEST_KILL": point})
        assert p.returncode == -9, p.stderr[-2000:]
    last = aa_train(f"resume={run}")
    assert last.returncode == 0, last.stderr[-2000:]
    _, err = whole.communicate(timeout=300)
    assert whole.returncode == 0, err[-2000:]
    a, b = (json.loads((d / "metrics.json").read_text()) for d in (tmp_path / "whole", run))
    for split in ("train", "val", "test"):
        assert a[split] == b[split], split
    assert a["optimizer_steps"] == b["optimizer_steps"] and b["resumed_from"]
    for name in ("last.ckpt", "best.ckpt"):
        wa, wb = weights(tmp_path / "whole", name), weights(run, name)
        assert wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa), name


def test_checkpoint_carries_every_random_stream(tmp_path: Path) -> None:
    import random

    import numpy as np

    from aa.base.rng import restore_rng, rng_state

    state = rng_state()
    drawn = (random.random(), float(np.random.rand()), float(torch.rand(1)))
    path = tmp_path / "s.pt"
    torch.save(state, path)
    restore_rng(torch.load(path, weights_only=True))  # plain tensors and lists: loads with weights_only
    assert (random.random(), float(np.random.rand()), float(torch.rand(1))) == drawn


def test_data_order_generator_is_saved(tmp_path: Path) -> None:
    from conftest import build

    _, dm, _ = build(["trainer.max_epochs=1"])
    state = dm.state_dict()
    first = dm.plan(dm.generator)
    dm.load_state_dict(state)
    assert all(torch.equal(x, y) for x, y in zip(first, dm.plan(dm.generator)))


class Exploding:
    def __reduce__(self):
        raise RuntimeError("power lost in the middle of the write")


def test_checkpoint_write_is_atomic(tmp_path: Path) -> None:
    from aa.base.checkpoint_io import AtomicCheckpointIO

    io, path = AtomicCheckpointIO(), tmp_path / "last.ckpt"
    io.save_checkpoint({"w": torch.ones(3)}, path)
    with pytest.raises(RuntimeError, match="power lost"):
        io.save_checkpoint({"w": torch.zeros(1000), "later": Exploding()}, path)
    assert torch.equal(torch.load(path, weights_only=True)["w"], torch.ones(3))
    assert [p.name for p in tmp_path.iterdir()] == ["last.ckpt"]


@pytest.mark.slow
def test_a_finished_run_trains_further_as_if_asked_for_more_epochs_at_once(tmp_path: Path) -> None:
    base = ("trainer=cpu", "threads_per_job=1")
    whole = aa_train_start(*base, "trainer.max_epochs=6", f"hydra.run.dir={tmp_path}/whole")
    run = tmp_path / "extended"
    assert aa_train(*base, "trainer.max_epochs=3", f"hydra.run.dir={run}").returncode == 0
    again = aa_train(f"resume={run}", "trainer.max_epochs=6")
    assert again.returncode == 0, again.stderr[-2000:]
    assert whole.communicate(timeout=300)[0] is not None and whole.returncode == 0
    a, b = (json.loads((d / "metrics.json").read_text()) for d in (tmp_path / "whole", run))
    assert (b["epochs"], b["max_epochs"], b["optimizer_steps"]) == (6, 6, a["optimizer_steps"])
    assert b["resumed_from"].endswith("last.ckpt")
    for split in ("train", "val", "test"):
        assert a[split] == b[split], split
    wa, wb = weights(tmp_path / "whole"), weights(run)
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


def test_a_finished_run_refuses_overrides_that_would_change_it(tmp_path: Path) -> None:
    from aa.config.command_line import resume_argv

    (tmp_path / ".hydra").mkdir()
    (tmp_path / ".hydra" / "overrides.yaml").write_text("- trainer.max_epochs=3\n")
    _, problem = resume_argv([f"resume={tmp_path}", "optim.lr=0.1"])
    assert problem is None  # not finished yet: it continues as asked
    (tmp_path / "metrics.json").write_text("{}")
    _, problem = resume_argv([f"resume={tmp_path}", "optim.lr=0.1"])
    assert problem is not None and "'optim.lr=0.1'" in problem and "trainer.max_epochs=N" in problem
    argv, problem = resume_argv([f"resume={tmp_path}", "trainer.max_epochs=6"])
    assert problem is None and argv[:2] == ["trainer.max_epochs=3", "trainer.max_epochs=6"] and "resume=true" in argv
