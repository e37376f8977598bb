"""The adversarial game with the non-saturating loss: D maximises log D(x) + log(1 - D(G(z))) (real
targets 1 - label_smoothing), G maximises log D(G(z)). Two optimisers: ``optim`` for G, ``optim_d`` for D;
D updates on every batch, G after every ``d_steps`` D updates."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import torch
from hydra.utils import instantiate
from torch import Tensor, nn
from torch.nn import functional as F

from aa.generative.parts import split_model
from aa.generative.quality import SampleQuality
from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from torch.optim import Optimizer

    from aa.data.contract import DataModule
    from aa.task.module import TaskModule


class Adversarial(Objective):
    """val/test ``fd`` (Frechet distance of samples to the split, also ``loss`` on images so the best
    checkpoint is the closest generator); ``modes`` and ``hq`` on mixtures, ``class_acc`` for conditional models.
    ``d_steps`` D updates per G update; ``label_smoothing`` s makes D's real target 1 - s (one-sided)."""

    task = "generation"
    metric = "fd"
    players = ("generator", "discriminator")

    def __init__(self, data: "DataModule", model: nn.Module, cfg: Any, classifier: nn.Module | None = None, d_steps: int = 1,
                 label_smoothing: float = 0.0) -> None:
        super().__init__()
        self.d_steps, self.label_smoothing = d_steps, label_smoothing
        optim_d = cfg.get("optim_d")
        self.d_optimizer = instantiate(optim_d, _convert_="all") if optim_d else None
        self.quality = SampleQuality(data, classifier, bool(split_model(model)[1].classes))
        self.updates = 0
        self.g_loss = torch.zeros(())

    def optimizers(self, model: nn.Module, optimizer: Callable[..., "Optimizer"]) -> list["Optimizer"]:
        net = split_model(model)[1]
        make_d = self.d_optimizer or optimizer
        return [optimizer(params=net.generator.parameters()), make_d(params=net.discriminator.parameters())]

    @staticmethod
    def judge(net: nn.Module, prep: nn.Module, x: Tensor, c: Tensor | None) -> Tensor:
        return net(prep(x), c)

    def d_step(self, net: nn.Module, prep: nn.Module, x: Tensor, c: Tensor | None) -> Step:
        real = self.judge(net, prep, x, c)
        fake = self.judge(net, prep, net.sample(len(x), c).detach(), c)
        q = (F.binary_cross_entropy_with_logits(real, torch.full_like(real, 1.0 - self.label_smoothing))
             + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))
        return Step(q, q.detach(), len(x))

    def g_step(self, net: nn.Module, prep: nn.Module, n: int, c: Tensor | None) -> Step:
        fake = self.judge(net, prep, net.sample(n, c), c)
        q = F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))
        return Step(q, q.detach(), n)

    def update(self, task: "TaskModule", batch: Any, optimizers: Sequence["Optimizer"]) -> Step:
        g_opt, d_opt = optimizers
        x, y = batch
        prep, net = split_model(task.model)
        c = y if net.classes else None
        d = task.descend(d_opt, lambda: self.d_step(net, prep, x, c))
        self.updates += 1
        if self.updates % self.d_steps == 0:
            self.g_loss = task.descend(g_opt, lambda: self.g_step(net, prep, len(x), c)).loss
        n = len(x)
        return Step(None, d.loss, n, {"d_loss": d.loss * n, "g_loss": self.g_loss.to(d.loss.device) * n})

    def step(self, task: "TaskModule", batch: Any) -> Step:
        x, y = batch
        prep, net = split_model(task.model)
        return self.d_step(net, prep, x, y if net.classes else None)

    @torch.no_grad()
    def evaluate(self, model: nn.Module, batch: Any, split: str) -> None:
        x, y = batch
        net = split_model(model)[1]
        labels = y if net.classes else None
        self.quality.update(x, net.sample(len(x), labels), labels)

    def compute(self, split: str) -> dict[str, Tensor]:
        """On mixtures ``loss`` is 1 - hq * modes / K (0: every sample near a mode, every mode covered),
        since the Frechet distance of 2-D points sees only their mean and covariance."""
        out = self.quality.compute()
        out["loss"] = 1 - out["hq"] * out["modes"] / len(self.quality.centers) if "modes" in out else out["fd"]
        return out
