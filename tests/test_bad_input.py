"""Bad input: one paragraph naming key, value and choices; exit 2; no traceback; no run dir."""
from __future__ import annotations

import os
import sys

import pytest
from conftest import aa_train

CASES = [
    (["model=mpl"], ["model='mpl'", "there is no model option named 'mpl'", "Valid choices: ", " mlp,", " perceptron"]),
    (["optim=adamm"], ["optim='adamm'", "Valid choices: adadelta, adagrad, adam, adam_gan, adam_gnn, adamax, adamw, momentum, nadam"]),
    (["optim.lr=fast"], ["optim.lr='fast'", "expected float"]),
    (["optim.lr=-1"], ["optim.lr=-1", "it must be > 0 and <= 100"]),
    (["dataset.val_fraction=2"], ["dataset.val_fraction=2", "it must be > 0 and < 1"]),
    (["+nonsense_key=3"], ["nonsense_key=3", "is not a known key of the top-level config", "Valid choices: ", " seed"]),
    (["optim.lrr=0.1"], ["optim.lrr='0.1'", "has no key 'lrr'", "Valid choices: betas, lr, weight_decay"]),
    (["seed=???"], ["seed='???'", "is required but has no value"]),
    (["model.hidden=abc"], ["model.hidden='abc'", "expected a list"]),
    (["dataset=playground", "dataset.name=moons"], ["dataset.name='moons'", "Valid choices: circle, xor, gauss, spiral"]),
    (["batch.size=0"], ["batch.size=0", "it must be >= 1"]),
    (["model.skip=dense"], ["model.skip='dense'", "Valid choices: none, input, residual"]),
    (["activation=relu6"], ["activation='relu6'", "Valid choices: elu, fast, gelu"]),
    (["-m", "optim=sgd,adamm"], ["optim='adamm'", "Valid choices: adadelta, adagrad, adam"]),
    (["trainer.max_epochs=0"], ["trainer.max_epochs=0", "it must be >= 1"]),
    (["+optim.foo=1"], ["optim.foo=1", "is not a known key of optim", "Valid choices: amsgrad, betas, eps, lr"]),
]


@pytest.mark.parametrize("args,words", CASES, ids=[" ".join(a) for a in (c[0] for c in CASES)])
def test_bad_input_is_refused_cleanly(tmp_path, capsys, monkeypatch, args: list[str], words: list[str]) -> None:
    """aa-train's entry point (aa.entry.train:main) in this process: the same checks without a new interpreter."""
    from aa.entry.train import main

    run_dir = tmp_path / "run"
    monkeypatch.setattr(sys, "argv", ["aa-train", *args, f"hydra.run.dir={run_dir}", f"hydra.sweep.dir={tmp_path}/sweep"])
    with pytest.raises(SystemExit) as exit_:
        main()
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert exit_.value.code == 2 and captured.out == ""
    assert out.startswith("Invalid config: ") and "Traceback" not in out
    for w in words:
        assert w in out, f"{w!r} missing from: {out}"
    assert len([line for line in out.strip().splitlines() if line.strip()]) == 1
    assert not run_dir.exists() and not (tmp_path / "sweep").exists()


@pytest.mark.slow
def test_bad_input_leaves_an_earlier_run_untouched(tmp_path) -> None:
    run_dir = tmp_path / "earlier"
    (run_dir / ".hydra").mkdir(parents=True)
    (run_dir / "metrics.json").write_text('{"kept": true}')
    (run_dir / ".hydra" / "config.yaml").write_text("kept: true\n")
    p = aa_train("optim.lr=-1", f"hydra.run.dir={run_dir}", timeout=120)
    assert p.returncode == 2 and p.stderr.startswith("Invalid config: optim.lr=-1") and "Traceback" not in p.stderr
    assert (run_dir / "metrics.json").read_text() == '{"kept": true}'
    assert (run_dir / ".hydra" / "config.yaml").read_text() == "kept: true\n"


@pytest.mark.slow
def test_invalid_combination_is_refused_before_training(tmp_path) -> None:
    """A schema-level check: squared error with an output activation the loss does not know."""
    p = aa_train("loss=mse", "loss.output_activation=relu", f"hydra.run.dir={tmp_path}/r", timeout=120)
    assert p.returncode == 2 and "loss.output_activation='relu'" in p.stderr
    assert "Valid choices: linear, sigmoid, tanh, softmax" in p.stderr
    assert not os.path.exists(tmp_path / "r")
