"""The lecture's two losses, q_S = mean over samples of a per-sample loss.

Models output the discriminant phi of the last layer; each loss owns the output activation g,
so prediction (argmax of g(phi)) and the output delta of the manual BackProp agree with it.
"""
from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F

from aa.nn import activations as A

OUTPUT_ACTIVATIONS = {"linear": A.Linear, "sigmoid": A.Sigmoid, "tanh": A.Tanh, "softmax": A.Softmax}


class Loss:
    task_kinds: tuple[str, ...] = ("classification",)
    output: A.Activation = A.Softmax()

    def __call__(self, phi: Tensor, y: Tensor) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def outputs(self, phi: Tensor) -> Tensor:
        """s = g(phi) of the output layer: class posteriors for softmax, the estimate for regression."""
        return self.output(phi)

    def predict(self, phi: Tensor) -> Tensor:
        return phi.argmax(dim=-1)


def flat(phi: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Per-step outputs (N, T, C) with labels (N, T) become N*T samples; plain (N, C) pass through."""
    if phi.dim() > 2 and y.dtype == torch.long:
        return phi.reshape(-1, phi.shape[-1]), y.reshape(-1)
    return phi, y


class CrossEntropy(Loss):
    """-sum_c t_c log s_c with s = softmax(phi); its output delta is t - s."""

    def __call__(self, phi: Tensor, y: Tensor) -> Tensor:
        return F.cross_entropy(*flat(phi, y))


class SquaredError(Loss):
    """1/2 sum_c (t_c - s_c)^2 with s = g(phi); class targets one-hot in {0,1} or in {-1,1}."""

    task_kinds = ("classification", "regression")

    def __init__(self, output_activation: str = "linear", targets: str = "one_hot") -> None:
        self.output = OUTPUT_ACTIVATIONS[output_activation]()
        self.targets = targets

    def target(self, phi: Tensor, y: Tensor) -> Tensor:
        if y.dtype == torch.long:
            t = F.one_hot(y, phi.shape[-1]).to(phi.dtype)
            return 2 * t - 1 if self.targets == "plus_minus" else t
        return y.reshape(phi.shape).to(phi.dtype)

    def __call__(self, phi: Tensor, y: Tensor) -> Tensor:
        phi, y = flat(phi, y)
        diff = self.target(phi, y) - self.output(phi)
        return 0.5 * diff.pow(2).sum(dim=-1).mean()
