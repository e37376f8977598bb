"""aa-train --help and config errors never import torch or Lightning; --cfg job prints the config."""
from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import aa_train

PROBE = """
import sys
sys.argv = ["aa-train", *{args!r}]
from aa.entry.train import main
try:
    main()
except SystemExit:
    pass
print("HEAVY:", sorted(m for m in ("torch", "pytorch_lightning", "torchvision") if m in sys.modules))
"""


def _heavy(args: list[str]) -> str:
    p = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, timeout=60)
    return p.stdout.strip().splitlines()[-1]


def test_help_imports_no_torch() -> None:
    assert _heavy(["--help"]) == "HEAVY: []"


@pytest.mark.slow
def test_config_errors_import_no_torch(tmp_path) -> None:
    assert _heavy(["model=mpl"]) == "HEAVY: []"
    assert _heavy(["optim.lr=-1", f"hydra.run.dir={tmp_path}/r"]) == "HEAVY: []"


def test_help_lists_groups_and_options() -> None:
    out = aa_train("--help", timeout=60).stdout
    for word in ("mlp*", "perceptron", "optim:", "activation:", "relu*", "seed=42", "tensorboard --logdir outputs"):
        assert word in out


@pytest.mark.slow
def test_cfg_job_prints_the_composed_config() -> None:
    p = aa_train("--cfg", "job", "model.hidden=[7,5]", "optim=sgd", timeout=60)
    assert p.returncode == 0
    assert "aa.models.mlp.MLP" in p.stdout and "- 7" in p.stdout and "torch.optim.SGD" in p.stdout


def test_a_single_run_is_composed_and_validated_once(monkeypatch, tmp_path) -> None:
    """aa-train checks the command line once, before Hydra starts; Hydra's callback does not check it again."""
    import aa.config.validate as validation
    import aa.run.train as training
    from aa.entry.train import main

    calls: list[int] = []
    real = validation.validate
    monkeypatch.setattr(validation, "validate", lambda cfg: calls.append(1) or real(cfg))
    monkeypatch.setattr(training, "hydra_task", lambda cfg: None)  # stop where training would start
    monkeypatch.setattr(sys, "argv", ["aa-train", "optim.lr=0.01", f"hydra.run.dir={tmp_path / 'run'}",
                                      "hydra.output_subdir=null"])
    main()
    assert len(calls) == 1


def test_composing_inside_a_running_app_leaves_its_hydra_state(tmp_path) -> None:
    """A teacher or judge restored while aa-train runs composes its own config; the run's Hydra state stays."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig

    from aa.config import command_line
    from aa.config.paths import config_dir

    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        outer = compose(config_name="train", overrides=["model=cnn"], return_hydra_config=True)
        HydraConfig.instance().set_config(outer)
        app = GlobalHydra.instance().hydra
        inner = command_line.compose(["model=mlp", "optim=sgd"])
        assert inner.model._target_ == "aa.models.mlp.MLP" and inner.optim._target_ == "torch.optim.SGD"
        assert GlobalHydra.instance().hydra is app
        assert HydraConfig.get().runtime.choices.model == "cnn"
