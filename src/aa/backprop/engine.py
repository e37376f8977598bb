"""The lecture's BackProp written by hand, symbol for symbol, without autograd.

Forward, l = 1..L:  phi^l = theta^l s^{l-1} (homogeneous: theta_i0 is the bias, s_0 = 1),  s^l = g(phi^l).
Backward, l = L..1: delta^L from the loss (``delta.output_delta``),
                    delta_i^l = g'(phi_i^l) sum_r delta_r^{l+1} theta_ri^{l+1},
                    dq/dtheta_ij^l = -1/N sum_n delta_i^l s_j^{l-1}.
The gradients go into each parameter's ``.grad``: the optimiser's step is then the lecture's
Delta theta_ij = rho 1/N sum_n delta_i s_j with plain SGD, and any other rule of the ``optim`` group.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from aa.backprop.delta import output_delta, through_g
from aa.models.mlp import MLP
from aa.models.perceptron import Perceptron
from aa.nn import activations as A
from aa.task.losses import Loss


@dataclass
class Layer:
    """Layer l: theta^l as an nn.Linear (weight: theta_ij for j >= 1, bias: theta_i0); g and dropout if hidden."""

    theta: nn.Linear
    g: A.Activation | None = None
    drop: nn.Module | None = None
    reads_input: bool = False
    """skip=input: the layer also reads x through its own weights theta^{l,0} (the slides' feed-forward net)."""
    residual: bool = False
    """skip=residual: s^l = s^{l-1} + g(phi^l)."""


@dataclass
class Trace:
    """One call, layer by layer: s[0] = x, then phi^l, s^l = g(phi^l) (before dropout and a residual sum)
    and the per-sample delta^l for l = 1..L."""

    s: list[Tensor] = field(default_factory=list)
    phi: list[Tensor] = field(default_factory=list)
    delta: list[Tensor] = field(default_factory=list)


def split_input(model: nn.Module) -> tuple[list[nn.Module], nn.Module]:
    """A run may wrap the network as Sequential(Standardize, net): fixed input transforms, then the net."""
    if not isinstance(model, nn.Sequential):
        return [], model
    *fixed, net = model
    if any(True for m in fixed for _ in m.parameters()):
        raise ValueError("backprop=manual: only parameter-free transforms may precede the network")
    return fixed, net


def layers_of(net: nn.Module) -> list[Layer]:
    """The lecture's layers l = 1..L of a perceptron or an MLP."""
    if isinstance(net, Perceptron):
        return [Layer(net.out)]
    if not isinstance(net, MLP):
        raise ValueError(f"backprop=manual trains perceptron and mlp models, not {type(net).__name__}")
    layers = []
    for k, h in enumerate(net.hidden):
        if not isinstance(h.norm, nn.Identity):
            raise ValueError("backprop=manual has no delta rule through normalization layers")
        if not h.g.elementwise and not isinstance(h.g, A.Softmax):
            raise ValueError(f"backprop=manual: {type(h.g).__name__} has no element-wise derivative g'")
        residual = net.skip == "residual" and k > 0 and h.linear.in_features == h.linear.out_features
        drop = h.drop if isinstance(h.drop, nn.Dropout) else None
        layers.append(Layer(h.linear, h.g, drop, reads_input=net.skip == "input" and k > 0, residual=residual))
    layers.append(Layer(net.out, reads_input=net.skip == "input" and bool(layers)))
    return layers


class ManualBackprop:
    """Called by the task module for each update as ``engine(task, x, y, params) -> (q, phi^L)``."""

    def __init__(self, model: nn.Module, loss: Loss) -> None:
        self.fixed, net = split_input(model)
        self.layers = layers_of(net)
        self.flatten = net.flatten
        self.loss = loss
        self.record = False
        """When set, each call keeps its Trace (the walkthrough and the gradient statistics read it)."""
        self.trace: Trace | None = None
        modules = [m for layer in self.layers for m in (layer.theta, layer.g) if m is not None]
        known = {id(p) for m in modules for p in m.parameters()}
        unknown = [name for name, p in model.named_parameters() if id(p) not in known]
        if unknown:
            raise ValueError(f"backprop=manual has no delta rule for the parameters {unknown}")

    def __call__(self, task: Any, x: Tensor, y: Tensor, params: list[Tensor]) -> tuple[Tensor, Tensor]:
        with torch.no_grad():
            for transform in self.fixed:
                x = transform(x)
            x = self.flatten(x)
            s_in, phi, s, masks = self.forward(x)
            q, s_out, delta_out = output_delta(self.loss, phi[-1], y)
            delta, grads = self.backward(delta_out, s_in, phi, s, masks)
            self.write(grads, params, getattr(task, "penalties", ()))
            if self.record:
                self.trace = Trace([x, *s[1:], s_out], phi, delta)
        return q, phi[-1]

    def forward(self, x: Tensor) -> tuple[list[Tensor], list[Tensor], list[Tensor], list[Tensor | None]]:
        """Per layer: what theta^l multiplies (s^{l-1}, with x for skip=input), phi^l, g(phi^l), dropout mask.
        ``s`` holds s^0 = x, then the g(phi^l) of hidden layers before their mask and residual."""
        s_prev, s_in, phi, s, masks = x, [], [], [x], []
        for layer in self.layers:
            s_in.append(torch.cat([s_prev, x], dim=1) if layer.reads_input else s_prev)
            phi.append(torch.addmm(layer.theta.bias, s_in[-1], layer.theta.weight.t()))
            if layer.g is None:
                break
            s.append(layer.g(phi[-1]))
            # the mask nn.Dropout would draw for this shape, from the same random stream
            mask = layer.drop(torch.ones_like(s[-1])) if layer.drop is not None and layer.drop.training else None
            masks.append(mask)
            out = s[-1] * mask if mask is not None else s[-1]
            s_prev = s_prev + out if layer.residual else out
        return s_in, phi, s, masks

    def backward(self, delta_out: Tensor, s_in: list[Tensor], phi: list[Tensor], s: list[Tensor],
                 masks: list[Tensor | None]) -> tuple[list[Tensor], list[tuple[Tensor, Tensor]]]:
        """delta^l from l = L down to 1, and dq/dtheta^l = -1/N delta^l^T [1, s^{l-1}] per layer."""
        n = delta_out.shape[0]
        delta: list[Tensor] = [delta_out]
        grads: list[tuple[Tensor, Tensor]] = []
        e = delta_out
        for l in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[l]
            if layer.g is not None:
                e_s = e if masks[l] is None else e * masks[l]
                delta.insert(0, through_g(layer.g, phi[l], s[l + 1], e_s))
                if isinstance(layer.g, A.PReLU):
                    # s = alpha phi where phi <= 0, so ds/dalpha = min(phi, 0)
                    grads.append((layer.g.alpha, (e_s * phi[l].clamp(max=0)).sum() * (-1.0 / n)))
            # homogeneous coordinates: the bias theta_i0 multiplies s_0 = 1, so its gradient sums the deltas
            scaled = delta[0] * (-1.0 / n)
            grads.append((layer.theta.weight, scaled.t() @ s_in[l]))
            grads.append((layer.theta.bias, scaled.sum(dim=0)))
            if l > 0:
                theta = layer.theta.weight
                if layer.reads_input:
                    theta = theta[:, : s_in[l].shape[1] - s[0].shape[1]]
                # e_i = sum_r delta_r theta_ri: the error that reaches s_i^{l-1}
                e_below = delta[0] @ theta
                e = e_below + e if layer.residual else e_below
        return delta, grads

    @staticmethod
    def write(grads: list[tuple[Tensor, Tensor]], params: list[Tensor], penalties: Any) -> None:
        """Accumulate into .grad as autograd does, adding the gradients of the loss penalties (L1, L2)."""
        trained = {id(p) for p in params}
        for p, g in grads:
            if id(p) not in trained:
                continue
            for r in penalties:
                extra = r.penalty_grad(p)
                if extra is not None:
                    g = g + extra
            g = g.to(p.dtype)  # under bf16 autocast the products come out in bf16
            p.grad = g if p.grad is None else p.grad.add_(g)
