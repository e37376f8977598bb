"""Bad input: one paragraph naming key, value and choices; non-zero exit; no traceback; no run dir."""
from __future__ import annotations

import os
import subprocess

import pytest

CASES = [
    (["model=mpl"], ["model", "mpl", "mlp", "perceptron"]),
    (["optim=adamm"], ["optim", "adamm", "sgd", "adam"]),
    (["optim.lr=fast"], ["optim.lr", "fast", "float"]),
    (["optim.lr=-1"], ["optim.lr", "-1", "> 0"]),
    (["dataset.val_fraction=2"], ["dataset.val_fraction", "2", "< 1"]),
    (["+nonsense_key=3"], ["nonsense_key", "3", "seed"]),
    (["optim.lrr=0.1"], ["optim.lrr", "lr"]),
    (["seed=???"], ["seed", "required"]),
    (["model.hidden=abc"], ["model.hidden", "abc", "list"]),
    (["dataset=playground", "dataset.name=moons"], ["dataset.name", "moons", "spiral", "xor"]),
    (["batch.size=0"], ["batch.size", "0", ">= 1"]),
    (["model.skip=dense"], ["model.skip", "dense", "residual"]),
    (["activation=relu6"], ["activation", "relu6", "tanh"]),
    (["-m", "optim=sgd,adamm"], ["optim", "adamm"]),
    (["trainer.max_epochs=0"], ["trainer.max_epochs", "0"]),
    (["+optim.foo=1"], ["optim.foo", "lr"]),
]


@pytest.mark.parametrize("args,words", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input_is_refused_cleanly(tmp_path, args: list[str], words: list[str]) -> None:
    run_dir = tmp_path / "run"
    p = subprocess.run(["aa-train", *args, f"hydra.run.dir={run_dir}", f"hydra.sweep.dir={tmp_path}/sweep"],
                       capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    assert p.returncode != 0
    assert "Traceback" not in out
    assert "Invalid config" in out
    for w in words:
        assert w in out, f"{w!r} missing from: {out}"
    assert len([line for line in out.strip().splitlines() if line.strip()]) <= 3
    assert not run_dir.exists()
    assert not any(tmp_path.glob("sweep/*/metrics.json"))


def test_bad_input_leaves_an_earlier_run_untouched(tmp_path) -> None:
    run_dir = tmp_path / "earlier"
    (run_dir / ".hydra").mkdir(parents=True)
    (run_dir / "metrics.json").write_text('{"kept": true}')
    (run_dir / ".hydra" / "config.yaml").write_text("kept: true\n")
    p = subprocess.run(["aa-train", "optim.lr=-1", f"hydra.run.dir={run_dir}"], capture_output=True, text=True)
    assert p.returncode != 0
    assert (run_dir / "metrics.json").read_text() == '{"kept": true}'
    assert (run_dir / ".hydra" / "config.yaml").read_text() == "kept: true\n"


def test_invalid_combination_is_refused_before_training(tmp_path) -> None:
    """A schema-level check: squared error with an output activation the loss does not know."""
    p = subprocess.run(["aa-train", "loss=mse", "loss.output_activation=relu", f"hydra.run.dir={tmp_path}/r"],
                       capture_output=True, text=True)
    assert p.returncode != 0 and "loss.output_activation" in p.stderr and "softmax" in p.stderr
    assert not os.path.exists(tmp_path / "r")
