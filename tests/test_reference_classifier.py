"""objective.classifier=PATH: a VAE's or GAN's samples are judged by a classifier run the user trained, restored
through load_run (aa.run.load); a run that cannot judge this data is refused in one paragraph."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import build, refused, runner

from aa.generative.classifier import Features

CLASSIFIER = ["model.hidden=[32]", "trainer.max_epochs=4", "trainer.enable_progress_bar=false"]


@pytest.fixture(scope="module")
def classifier(tmp_path_factory) -> Path:
    """A digits classifier run; its checkpoints carry its command line, as aa-train's do."""
    root = tmp_path_factory.mktemp("classifier")
    torch.set_num_threads(1)
    runner(root)(CLASSIFIER, name="run")
    return root / "run"


@pytest.mark.slow
@pytest.mark.parametrize("model", ["vae", "gan"])
def test_a_named_classifier_run_is_the_judge_of_the_samples(classifier, model, one_thread):
    _, dm, task = build([f"model={model}", f"objective.classifier={classifier}"])
    judge = task.objective.quality.judge
    assert isinstance(judge, Features)
    saved = torch.load(classifier / "checkpoints" / "best.ckpt", weights_only=True)["state_dict"]
    ours = {f"model.{k}": v for k, v in judge.net.state_dict().items()}
    assert ours.keys() == saved.keys() and all(torch.equal(ours[k], saved[k]) for k in saved)
    x, y = dm.x_val, dm.y_val
    assert (judge.classify(x).argmax(1) == y).float().mean() > 0.8  # the trained classifier, not a fresh net
    assert judge(x[:5]).shape == (5, 32)  # features: the input of its last layer


@pytest.mark.slow
def test_a_classifier_of_other_data_is_refused(tmp_path, one_thread):
    runner(tmp_path)(["dataset=playground", "trainer.max_epochs=1", "trainer.enable_progress_bar=false"], name="xor")
    refused(lambda: build(["model=vae", f"objective.classifier={tmp_path / 'xor'}"]),
            r"objective.classifier=.*inputs of shape \(2,\).*Valid choices")
    refused(lambda: build(["model=vae", f"objective.classifier={tmp_path / 'nothing'}"]),
            r"objective.classifier=.*does not exist")
