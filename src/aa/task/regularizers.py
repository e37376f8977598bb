"""The regularization group: loss penalties, gradient limits, training noise, dropout.

Each regulariser acts at one point of an update, so the task module keeps them in lists by kind:
``penalty`` adds to the loss (and ``penalty_grad`` gives its gradient, for the manual BackProp),
``transform_input`` perturbs a training batch, ``limit`` edits gradients before the step.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch
from torch import Tensor, nn


class Regularizer:
    def penalty(self, params: list[Tensor]) -> Tensor | None:
        return None

    def penalty_grad(self, p: Tensor) -> Tensor | None:
        return None

    def transform_input(self, x: Tensor) -> Tensor:
        return x

    def limit(self, params: list[Tensor]) -> None:
        return None

    @contextmanager
    def perturb_weights(self, params: list[Tensor]) -> Iterator[None]:
        yield


class L2(Regularizer):
    """lambda/2 sum theta^2 in the loss. Unlike an optimiser's weight_decay, this term passes through
    the optimiser's gradient scaling: with Adam it is divided by sqrt(v), so it is not AdamW's decay."""

    def __init__(self, weight: float = 1e-4) -> None:
        self.weight = weight

    def penalty(self, params):
        return 0.5 * self.weight * sum(p.pow(2).sum() for p in params)

    def penalty_grad(self, p):
        return self.weight * p


class L1(Regularizer):
    """lambda sum |theta| in the loss; its constant-size pull drives small weights to exactly zero."""

    def __init__(self, weight: float = 1e-4) -> None:
        self.weight = weight

    def penalty(self, params):
        return self.weight * sum(p.abs().sum() for p in params)

    def penalty_grad(self, p):
        return self.weight * torch.sign(p)


class Dropout(Regularizer):
    """Handled by the model builder: models that take ``dropout`` get it; nn.Dropout is off in eval."""

    def __init__(self, p: float = 0.2) -> None:
        self.p = p


class ClipValue(Regularizer):
    """Gradient clipping: each component to [-value, value]."""

    def __init__(self, value: float = 0.5) -> None:
        self.value = value

    def limit(self, params):
        nn.utils.clip_grad_value_(params, self.value)


class ClipNorm(Regularizer):
    """Gradient scaling: the whole gradient vector rescaled to norm at most max_norm."""

    def __init__(self, max_norm: float = 1.0) -> None:
        self.max_norm = max_norm

    def limit(self, params):
        nn.utils.clip_grad_norm_(params, self.max_norm)


class Noise(Regularizer):
    """Gaussian noise during training only: on the inputs of each batch, or on the weights for one update."""

    def __init__(self, std: float = 0.1, applies_to: str = "inputs") -> None:
        self.std, self.applies_to = std, applies_to

    def transform_input(self, x):
        return x + self.std * torch.randn_like(x) if self.applies_to == "inputs" and x.is_floating_point() else x

    @contextmanager
    def perturb_weights(self, params):
        if self.applies_to != "weights":
            yield
            return
        noise = [self.std * torch.randn_like(p) for p in params]
        with torch.no_grad():
            for p, e in zip(params, noise):
                p.add_(e)
        try:
            yield
        finally:
            with torch.no_grad():
                for p, e in zip(params, noise):
                    p.sub_(e)
