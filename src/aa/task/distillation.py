"""Knowledge distillation (Hinton, Vinyals and Dean 2015): a student classifier learns from a trained
teacher's softened outputs as well as from the labels,

    q = alpha * T^2 * KL(softmax(phi_teacher / T) || softmax(phi_student / T)) + (1 - alpha) * CE(phi_student, y).

T^2 keeps the soft term's gradients on the scale of the hard term's as T grows. The teacher is a run of
this project, restored by the run floor (aa.run.other_runs.teacher, through load_run); it runs in
evaluation mode without gradients and is no part of the student's checkpoint."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from aa.base.errors import ConfigError
from aa.task.classification import Classification
from aa.task.losses import Loss
from aa.task.objective import Step
from aa.task.supervised import split_aux

if TYPE_CHECKING:
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


class Distillation(Classification):
    """Classification whose training loss is the distillation loss; val/test metrics are the student's."""

    def __init__(self, loss: Loss, num_outputs: int, kd: Any = None, teacher: nn.Module | None = None) -> None:
        super().__init__(loss, num_outputs)
        if not isinstance(kd, KD) or teacher is None:
            raise ConfigError("objective", "distillation", "needs a teacher", "distill=kd distill.teacher=PATH")
        self.kd = kd
        self._teacher = [teacher]  # a list: not a sub-module, so not in the student's checkpoint

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
