"""The lecture's deltas: delta_i = -dq_n/dphi_i for the output layer of each loss, and through g.

Output layer, squared error q_n = 1/2 sum_i (t_i - s_i)^2:  delta_i = (t_i - s_i) g'(phi_i).
Output layer, softmax + cross-entropy q_n = -sum_i t_i log s_i:  delta_i = t_i - s_i.
Hidden layer: delta_i = g'(phi_i) e_i with e_i = sum_r delta_r theta_ri from the layer above.
"""
from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F

from aa.nn import activations as A
from aa.task.losses import CrossEntropy, Loss, SquaredError


def through_g(g: A.Activation, phi: Tensor, s: Tensor, e: Tensor) -> Tensor:
    """delta = g'(phi) e for an element-wise g. Softmax mixes its inputs, so its full Jacobian
    ds_r/dphi_i = s_r (1[r=i] - s_i) gives delta_i = s_i (e_i - sum_r e_r s_r), not the slide's diagonal."""
    if isinstance(g, A.Softmax):
        return s * (e - (e * s).sum(dim=-1, keepdim=True))
    if not g.elementwise:
        raise NotImplementedError(f"{type(g).__name__} has no element-wise derivative for the delta rule")
    return g.derivative(phi, s) * e


def targets(phi: Tensor, y: Tensor) -> Tensor:
    """t: one-hot rows for class labels, the targets themselves otherwise."""
    return F.one_hot(y, phi.shape[-1]).to(phi.dtype) if y.dtype == torch.long else y.reshape(phi.shape).to(phi.dtype)


def output_delta(loss: Loss, phi: Tensor, y: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(q, s^L, delta^L): the loss q = 1/N sum_n q_n, the outputs s = g(phi) and the per-sample delta."""
    if isinstance(loss, CrossEntropy):
        log_s = torch.log_softmax(phi, dim=-1)
        s = log_s.exp()
        if y.dtype == torch.long:
            q = -log_s.gather(1, y.unsqueeze(1)).mean()
        else:
            q = -(targets(phi, y) * log_s).sum(dim=-1).mean()
        return q, s, targets(phi, y) - s
    if isinstance(loss, SquaredError):
        s = loss.output(phi)
        diff = loss.target(phi, y) - s
        q = 0.5 * diff.pow(2).sum(dim=-1).mean()
        return q, s, through_g(loss.output, phi, s, diff)
    raise NotImplementedError(f"backprop=manual has no output delta for {type(loss).__name__}")
