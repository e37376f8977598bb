"""Knowledge distillation: the loss is the stated formula, the teacher is a frozen checkpoint of an aa
run outside the student's weights, a student learns from the teacher alone, and wrong teachers are refused."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from conftest import build, make_cfg, refused, runner
from omegaconf import OmegaConf
from test_pruning import LEAN
from torch.nn import functional as F

from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.task.distillation import KD

TEACHER = ["model.hidden=[64]", "trainer.max_epochs=6", *LEAN]


@pytest.fixture(scope="module")
def teacher(tmp_path_factory) -> str:
    """best.ckpt of a digits run, with the run's composed config and command line beside it as aa-train writes them."""
    root = tmp_path_factory.mktemp("teacher")
    torch.set_num_threads(1)
    m = runner(root)(TEACHER, name="run")
    (root / "run" / ".hydra").mkdir()
    OmegaConf.save(make_cfg(TEACHER), root / "run" / ".hydra" / "config.yaml")
    OmegaConf.save(OmegaConf.create(list(TEACHER)), root / "run" / ".hydra" / "overrides.yaml")
    return m["best_checkpoint"]


def test_kd_loss_is_alpha_t2_kl_plus_one_minus_alpha_cross_entropy():
    torch.manual_seed(0)
    s, t, y = torch.randn(6, 4), torch.randn(6, 4), torch.randint(0, 4, (6,))
    T, alpha = 3.0, 0.7
    p_t, p_s = F.softmax(t / T, 1), F.softmax(s / T, 1)
    kl = (p_t * (p_t.log() - p_s.log())).sum(1).mean()
    expected = alpha * T * T * kl + (1 - alpha) * F.cross_entropy(s, y)
    assert torch.allclose(KD("x", T, alpha).loss(s, t, y), expected, atol=1e-6)
    assert torch.allclose(KD("x", T, 0.0).loss(s, t, y), F.cross_entropy(s, y))


@pytest.mark.slow
def test_teacher_is_frozen_in_eval_mode_and_not_in_the_students_weights(teacher, one_thread):
    cfg, dm, task = build(["distill=kd", f"distill.teacher={teacher}", "model.hidden=[16]"])
    t = task.objective.teacher
    assert not t.training and not any(p.requires_grad for p in t.parameters())
    assert not [k for k in task.state_dict() if "teacher" in k]
    ckpt = torch.load(teacher, weights_only=True)["state_dict"]
    assert torch.equal(t[1].hidden[0].linear.weight, ckpt["model.1.hidden.0.linear.weight"])
    x, y = dm.x_test, dm.y_test
    assert (t(x).argmax(1) == y).float().mean() > 0.9  # the trained teacher, not a fresh net
    task.train()  # as Lightning does before every training epoch: the teacher is no sub-module, it stays in eval
    assert not t.training
    x, y = dm.x_train[:16], dm.y_train[:16]
    step = task.objective.step(task, (x, y))
    assert torch.allclose(step.objective, task.objective.kd.loss(task.model(x), t(x), y))
    step.objective.backward()
    assert all(p.grad is None for p in t.parameters())
    assert all(p.grad is not None for p in task.model.parameters())


@pytest.mark.slow
def test_a_student_learns_from_the_teacher_alone_and_reports_test_accuracy(teacher, run, one_thread):
    m = run(["distill=kd", f"distill.teacher={teacher}", "distill.alpha=1.0", "model.hidden=[16]",
             "trainer.max_epochs=6", *LEAN])
    assert m["test"]["acc"] > 0.75  # no label term (chance: 0.1): everything it knows came through the teacher
    c = m["compression"]
    assert c["reference"] == "teacher" and c["before"]["parameters"] == 64 * 64 + 64 + 64 * 10 + 10
    assert c["after"]["parameters"] == 64 * 16 + 16 + 16 * 10 + 10


@pytest.mark.slow
def test_a_missing_teacher_is_refused_before_torch_and_one_outside_a_run_when_built(tmp_path):
    with pytest.raises(ConfigError, match="distill.teacher"):
        validate(make_cfg(["distill=kd", "distill.teacher=/nonexistent.ckpt"]))
    stray = tmp_path / "x.ckpt"
    stray.write_bytes(b"")
    refused(lambda: build(["distill=kd", f"distill.teacher={stray}"]), "not a checkpoint aa-train wrote")


def copy_run(teacher: str, dest: Path, edit=None) -> Path:
    run = Path(teacher).parent.parent
    shutil.copytree(run / ".hydra", dest / ".hydra")
    (dest / "checkpoints").mkdir()
    shutil.copy(teacher, dest / "checkpoints" / "best.ckpt")
    if edit is not None:
        overrides = OmegaConf.load(dest / ".hydra" / "overrides.yaml")
        OmegaConf.save(OmegaConf.create(edit(list(overrides))), dest / ".hydra" / "overrides.yaml")
    return dest / "checkpoints" / "best.ckpt"


@pytest.mark.slow
def test_a_teacher_of_other_classes_or_another_kind_of_checkpoint_is_refused(teacher, tmp_path):
    other = copy_run(teacher, tmp_path / "other", lambda o: [*o, "dataset=playground", "dataset.name=spiral"])
    refused(lambda: build(["distill=kd", f"distill.teacher={other}"]), "other classes")
    foreign = copy_run(teacher, tmp_path / "foreign")
    torch.save({"weights": torch.zeros(3)}, foreign)
    refused(lambda: build(["distill=kd", f"distill.teacher={foreign}"]), "no state_dict")
