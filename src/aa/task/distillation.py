"""Knowledge distillation (Hinton, Vinyals and Dean 2015): a student classifier learns from a trained
teacher's softened outputs as well as from the labels,

    q = alpha * T^2 * KL(softmax(phi_teacher / T) || softmax(phi_student / T)) + (1 - alpha) * CE(phi_student, y).

T^2 keeps the soft term's gradients on the scale of the hard term's as T grows. The teacher is a
checkpoint of this project: its run's ``.hydra/config.yaml`` (beside ``checkpoints/``) says how to
build it; it runs in evaluation mode without gradients and is no part of the student's checkpoint."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from omegaconf import DictConfig, OmegaConf
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


def run_config(checkpoint: str) -> Path:
    """The composed config of the run that wrote ``checkpoint`` (``<run>/checkpoints/x.ckpt``)."""
    return Path(checkpoint).resolve().parent.parent / ".hydra" / "config.yaml"


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
        """The teacher model with its trained weights, frozen, in evaluation mode."""
        from aa.models.build import build_model
        from aa.nn.input import Standardize

        if not run_config(self.path).is_file():
            raise ConfigError("distill.teacher", self.path, f"is not inside an aa run directory "
                              f"({run_config(self.path)} is missing, and it says which model the weights belong to)",
                              "<run>/checkpoints/best.ckpt of an aa-train run")
        tcfg = OmegaConf.load(run_config(self.path))
        if tcfg.dataset.get("_target_") != cfg.dataset.get("_target_") or \
                tcfg.dataset.get("name") != cfg.dataset.get("name"):
            raise ConfigError("distill.teacher", self.path, f"was trained on other classes "
                              f"({tcfg.dataset.get('_target_')} {tcfg.dataset.get('name') or ''}) than this "
                              f"run's dataset ({cfg.dataset.get('_target_')} {cfg.dataset.get('name') or ''})",
                              "a checkpoint of a run on the same dataset")
        ckpt = torch.load(self.path, map_location="cpu", weights_only=True)
        state = ckpt.get("state_dict", {}) if isinstance(ckpt, dict) else {}
        weights = {k[len("model."):]: v for k, v in state.items() if k.startswith("model.")}
        if not weights:
            raise ConfigError("distill.teacher", self.path, "is not a checkpoint of an aa run (no model.* weights)",
                              "checkpoints/best.ckpt or last.ckpt of an aa-train run")
        standardize = None
        if "0.mean" in weights and "0.scale" in weights:  # the teacher standardised its inputs itself
            standardize = Standardize(torch.zeros_like(weights["0.mean"]), torch.ones_like(weights["0.scale"]))
        model = build_model(tcfg, data.input_shape, data.num_outputs, standardize,
                            data.model_args())
        try:
            model.load_state_dict(weights)
        except RuntimeError as e:
            raise ConfigError("distill.teacher", self.path, "does not fit this run's inputs and "
                              f"{data.num_outputs} classes ({str(e).splitlines()[1].strip()[:200]})",
                              "a checkpoint of a run on the same dataset") from e
        model.eval().requires_grad_(False)
        return model


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
