"""Autoencoding: rebuild the input from its code; the reconstruction error in nats or squared error per sample."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import torchmetrics
from torch import Tensor, nn
from torch.nn import functional as F

from aa.generative.parts import split_model
from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from aa.task.module import TaskModule


def reconstruction_nll(phi: Tensor, x: Tensor, kind: str, log_scale: Tensor | None = None) -> Tensor:
    """Per sample, summed over its values: bernoulli -log p(x|z) with phi the logits; gaussian -log N(x;
    phi, sigma^2) with log sigma = ``log_scale``; mse the lecture's 1/2 sum (x - phi)^2."""
    if kind == "bernoulli":
        per = F.binary_cross_entropy_with_logits(phi, x, reduction="none")
    elif kind == "gaussian":
        per = 0.5 * ((x - phi) * (-log_scale).exp()).pow(2) + log_scale + 0.5 * math.log(2 * math.pi)
    else:
        per = 0.5 * (x - phi).pow(2)
    return per.flatten(1).sum(1)


class Reconstruction(Objective):
    """Batches are (x, class); the class is ignored. ``recon`` is the loss per sample, ``mse`` the mean
    squared error per input value of the reconstruction (comparable across losses)."""

    task = "reconstruction"
    metric = "recon"

    def __init__(self) -> None:
        super().__init__()
        for split in ("val", "test"):
            setattr(self, f"{split}_recon", torchmetrics.MeanMetric())
            setattr(self, f"{split}_mse", torchmetrics.MeanMetric())

    @staticmethod
    def rebuild(model: nn.Module, x: Tensor, corrupt: bool = False) -> tuple[nn.Module, Tensor]:
        prep, net = split_model(model)
        return net, net.decode(net.embed(prep(net.corrupt(x) if corrupt else x)))

    def step(self, task: "TaskModule", batch: Any) -> Step:
        x = batch[0]
        net, phi = self.rebuild(task.model, x, corrupt=True)
        nll = reconstruction_nll(phi, x, net.recon)
        q = nll.mean()
        mse = (net.mean(phi.detach()) - x).pow(2).flatten(1).mean(1).sum()
        return Step(q, q.detach(), len(x), {"mse": mse})

    def evaluate(self, model: nn.Module, batch: Any, split: str) -> None:
        x = batch[0]
        net, phi = self.rebuild(model, x)
        getattr(self, f"{split}_recon").update(reconstruction_nll(phi, x, net.recon))
        getattr(self, f"{split}_mse").update((net.mean(phi) - x).pow(2).flatten(1).mean(1))

    def compute(self, split: str) -> dict[str, Tensor]:
        recon, mse = getattr(self, f"{split}_recon"), getattr(self, f"{split}_mse")
        out = {"loss": recon.compute(), "recon": recon.compute(), "mse": mse.compute()}
        recon.reset(), mse.reset()
        return out
