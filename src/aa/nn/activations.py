"""The lecture's activation functions g(z), each with its derivative g'(z) as written on the slides.

``derivative(z, s)`` takes phi (the pre-activation) and s = g(phi), because several formulas are
cheapest in terms of s (sigmoid: s(1-s)); the manual BackProp engine and the formula tests use it.
"""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn import functional as F


class Activation(nn.Module):
    """g applied element-wise; ``width_factor`` > 1 when g merges several linear pieces (maxout)."""

    width_factor = 1
    elementwise = True

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError


class Linear(Activation):
    def forward(self, z: Tensor) -> Tensor:
        return z

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        return torch.ones_like(z)


class ReLU(Activation):
    def forward(self, z: Tensor) -> Tensor:
        return torch.relu(z)

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        return (z > 0).to(z.dtype)


class _SignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, z: Tensor) -> Tensor:
        return torch.sign(z)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        return grad


class Step(Activation):
    """sgn(z). Its true derivative is 0 wherever defined, so nothing would learn; with
    ``straight_through`` the backward pass uses the identity's derivative instead (Bengio et al. 2013)."""

    def __init__(self, straight_through: bool = True) -> None:
        super().__init__()
        self.straight_through = straight_through

    def forward(self, z: Tensor) -> Tensor:
        return _SignSTE.apply(z) if self.straight_through else torch.sign(z)

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        return torch.ones_like(z) if self.straight_through else torch.zeros_like(z)


class Sigmoid(Activation):
    def forward(self, z: Tensor) -> Tensor:
        return torch.sigmoid(z)

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        return s * (1 - s)


class Tanh(Activation):
    def forward(self, z: Tensor) -> Tensor:
        return torch.tanh(z)

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        return 1 - s * s


class Fast(Activation):
    """The lecture's "fast" sigmoid-like g(z) = z / (1 + |z|)."""

    def forward(self, z: Tensor) -> Tensor:
        return z / (1 + z.abs())

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        return 1 / (1 + z.abs()) ** 2


class Softmax(Activation):
    """exp(z_i) / sum_j exp(z_j) over the last axis; the slide's diagonal g'(z_i) = s_i (1 - s_i)."""

    elementwise = False

    def forward(self, z: Tensor) -> Tensor:
        return torch.softmax(z, dim=-1)

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        return s * (1 - s)


class LeakyReLU(Activation):
    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, z: Tensor) -> Tensor:
        return F.leaky_relu(z, self.negative_slope)

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        return torch.where(z > 0, torch.ones_like(z), torch.full_like(z, self.negative_slope))


class PReLU(Activation):
    """max(alpha z, z) with alpha learned (one per layer)."""

    def __init__(self, init: float = 0.25) -> None:
        super().__init__()
        self.alpha = nn.Parameter(torch.tensor(float(init)))

    def forward(self, z: Tensor) -> Tensor:
        return torch.where(z > 0, z, self.alpha * z)

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        return torch.where(z > 0, torch.ones_like(z), self.alpha.detach().expand_as(z))


class ELU(Activation):
    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, z: Tensor) -> Tensor:
        return F.elu(z, self.alpha)

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        return torch.where(z >= 0, torch.ones_like(z), s + self.alpha)


class GELU(Activation):
    """z Phi(z), Phi the standard normal CDF (exact form)."""

    def forward(self, z: Tensor) -> Tensor:
        return F.gelu(z)

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        cdf = 0.5 * (1 + torch.erf(z / math.sqrt(2)))
        pdf = torch.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        return cdf + z * pdf


class SiLU(Activation):
    """z sigmoid(z)."""

    def forward(self, z: Tensor) -> Tensor:
        return F.silu(z)

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        sig = torch.sigmoid(z)
        return sig * (1 + z * (1 - sig))


class Maxout(Activation):
    """max over k linear pieces: the preceding layer is k times wider and this takes each group's max."""

    elementwise = False

    def __init__(self, pieces: int = 2) -> None:
        super().__init__()
        self.pieces = pieces
        self.width_factor = pieces

    def forward(self, z: Tensor) -> Tensor:
        shape = z.shape[:-1] + (z.shape[-1] // self.pieces, self.pieces)
        return z.reshape(shape).amax(dim=-1)

    def derivative(self, z: Tensor, s: Tensor) -> Tensor:
        raise NotImplementedError("maxout routes the gradient to the winning piece; it has no element-wise g'")
