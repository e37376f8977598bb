"""Knowledge distillation (Hinton, Vinyals and Dean 2015): a student classifier learns from a trained
teacher's softened outputs as well as from the labels,

    q = alpha * T^2 * KL(softmax(phi_teacher / T) || softmax(phi_student / T)) + (1 - alpha) * CE(phi_student, y).

T^2 keeps the soft term's gradients on the scale of the hard term's as T grows. The teacher is a
checkpoint of this project, restored by load_run from its own run's config; it runs in evaluation mode without gradients and is no part of the student's checkpoint."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from omegaconf import DictConfig
from torch import Tensor, nn
from torch.nn import functional as F

from aa.base.errors import ConfigError
from aa.task.classification import Classification
from aa.task.losses import Loss
from aa.task.objective import Step
from aa.task.supervised import split_aux

if TYPE_CHECKING:
    from aa.data.contract import DataModule
    from aa.task.module import TaskModule


class KD:
    """The distill node: the teacher checkpoint, the temperature T and the weight alpha of the soft term."""

    def __init__(self, teacher: str, temperature: float = 4.0, alpha: float = 0.9) -> None:
        self.path, self.temperature, self.alpha = teacher, temperature, alpha

    def loss(self, student: Tensor, teacher: Tensor, y: Tensor) -> Tensor:
        t = self.temperature
        c = student.shape[-1]
        student, teacher, y = student.reshape(-1, c), teacher.reshape(-1, c), y.reshape(-1)
        soft = F.kl_div(F.log_softmax(student / t, -1), F.log_softmax(teacher / t, -1), log_target=True,
                        reduction="batchmean")
        return self.alpha * t * t * soft + (1 - self.alpha) * F.cross_entropy(student, y)

    def load(self, data: "DataModule", cfg: DictConfig) -> nn.Module:
        """The teacher run restored by load_run (its own config builds it), frozen, in evaluation mode."""
        from aa.run.load import load_run, read_run  # the run floor, reached only when a config names another run

        read = read_run(self.path, key="distill.teacher")
        tcfg = read[3]
        if tcfg.dataset.get("_target_") != cfg.dataset.get("_target_") or \
                tcfg.dataset.get("name") != cfg.dataset.get("name"):
            raise ConfigError("distill.teacher", self.path, f"was trained on other classes "
                              f"({tcfg.dataset.get('_target_')} {tcfg.dataset.get('name') or ''}) than this "
                              f"run's dataset ({cfg.dataset.get('_target_')} {cfg.dataset.get('name') or ''})",
                              "a checkpoint of a run on the same dataset")
        run = load_run(self.path, key="distill.teacher", read=read)
        if tuple(run.data.input_shape) != tuple(data.input_shape) or run.data.num_outputs != data.num_outputs:
            raise ConfigError("distill.teacher", self.path, f"reads inputs of shape {tuple(run.data.input_shape)} "
                              f"into {run.data.num_outputs} classes; this run has {tuple(data.input_shape)} and "
                              f"{data.num_outputs}", "a checkpoint of a run on the same dataset")
        return run.model.cpu().eval().requires_grad_(False)


class Distillation(Classification):
    """Classification whose training loss is the distillation loss; val/test metrics are the student's."""

    def __init__(self, loss: Loss, num_outputs: int, data: "DataModule", cfg: DictConfig, kd: Any = None) -> None:
        super().__init__(loss, num_outputs)
        if not isinstance(kd, KD):
            raise ConfigError("objective", "distillation", "needs a teacher", "distill=kd distill.teacher=PATH")
        self.kd = kd
        self._teacher = [kd.load(data, cfg)]  # a list: not a sub-module, so not in the student's checkpoint

    @property
    def teacher(self) -> nn.Module:
        return self._teacher[0]

    def step(self, task: "TaskModule", batch: tuple[Tensor, Tensor]) -> Step:
        x, y = batch
        phi, _ = split_aux(task.model(x))
        teacher = self.teacher.to(x.device)
        with torch.no_grad():
            phi_t, _ = split_aux(teacher(x))
        objective = self.kd.loss(phi, phi_t, y)
        return Step(objective, objective.detach(), *self.tally(phi.detach(), y))
