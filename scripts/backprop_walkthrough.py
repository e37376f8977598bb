#!/usr/bin/env python3
"""The lecture's 5-3-3 two-layer perceptron (section 2) taking one BackProp step on one sample, by hand.

Prints theta, and per layer phi, s = g(phi), g'(phi), delta and Delta theta_ij = rho delta_i s_j
(homogeneous coordinates: j = 0 is the bias, with s_0 = 1), then the slide's two illustrations
Delta theta^2_13 and Delta theta^1_34 with their numbers, then autograd's verdict. The weights have
one decimal so that every number can be checked with pencil and paper.

    python scripts/backprop_walkthrough.py [--rho 0.5] [--g sigmoid] [--loss mse|cross_entropy]
"""
from __future__ import annotations

import argparse
from typing import Any

import torch
from rich.console import Console
from rich.table import Table

from aa.backprop.engine import ManualBackprop
from aa.models.mlp import MLP
from aa.nn import activations as A
from aa.task.losses import CrossEntropy, SquaredError

G = {"sigmoid": A.Sigmoid, "tanh": A.Tanh, "relu": A.ReLU, "fast": A.Fast, "linear": A.Linear}
X = [1.0, 0.5, -0.5, 0.2, -1.0]
CLASS = 0


def slide_network(g: str = "sigmoid", seed: int = 0) -> MLP:
    """M0 = 5 inputs, M1 = 3 hidden, M2 = 3 outputs; weights in {-0.9, ..., 0.9} from a fixed seed."""
    net = MLP((5,), 3, hidden=[3], activation=G[g]).double()
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randint(-9, 10, p.shape, generator=gen).double() / 10)
    return net


def homogeneous(layer: torch.nn.Linear) -> torch.Tensor:
    """theta^l as the slides write it: column j = 0 is the bias theta_i0."""
    return torch.cat([layer.bias.unsqueeze(1), layer.weight], dim=1)


def matrix(title: str, m: torch.Tensor, row: str, col: str) -> Table:
    table = Table(title=title)
    table.add_column("i \\ j")
    for j in range(m.shape[1]):
        table.add_column(f"{col}{j}" + (" (bias)" if j == 0 else ""), justify="right")
    for i in range(m.shape[0]):
        table.add_row(f"{row}{i + 1}", *(f"{v:+.4f}" for v in m[i].tolist()))
    return table


def walkthrough(rho: float = 0.5, g: str = "sigmoid", loss: str = "mse",
                console: Console | None = None) -> dict[str, Any]:
    """Run one step; print the tables; return the numbers (trace, Delta theta, autograd's) for checking."""
    console = console or Console()
    net = slide_network(g)
    out_g = g if g in ("sigmoid", "tanh", "linear") else "linear"
    criterion = CrossEntropy() if loss == "cross_entropy" else SquaredError(output_activation=out_g)
    x, y = torch.tensor([X], dtype=torch.float64), torch.tensor([CLASS])
    engine = ManualBackprop(net, criterion)
    engine.record = True
    params = list(net.parameters())
    q, _ = engine(None, x, y, params)
    trace = engine.trace
    layers = [net.hidden[0].linear, net.out]
    delta_theta = [-rho * homogeneous_grad(layer) for layer in layers]
    for p in params:
        p.grad = None
    criterion(net(x), y).backward()
    autograd = [-rho * homogeneous_grad(layer) for layer in layers]

    out_g = "softmax" if loss == "cross_entropy" else out_g
    console.rule(f"BackProp, the lecture's 5-3-3 perceptron: g = {g}, output {out_g}, loss {loss}, rho = {rho}")
    t = [1.0 if c == CLASS else 0.0 for c in range(3)]
    console.print(f"sample x = {X} (x_0 = 1 for the bias), class {CLASS + 1}: t = {t}")
    for l, layer in enumerate(layers, 1):
        console.print(matrix(f"theta^{l} (before the step)", homogeneous(layer).detach(), "i=", "j="))
    for l, act in ((1, net.hidden[0].g), (2, None if loss == "cross_entropy" else criterion.output)):
        phi, s, delta = trace.phi[l - 1][0], trace.s[l][0], trace.delta[l - 1][0]
        slope = act.derivative(phi, s) if act is not None else None
        table = Table(title=f"layer {l}: forward phi = theta s, s = g(phi); backward delta")
        for name in ("i", f"phi^{l}_i", f"s^{l}_i", f"g'(phi^{l}_i)", f"delta^{l}_i"):
            table.add_column(name, justify="right")
        for i in range(3):
            table.add_row(str(i + 1), f"{phi[i]:+.4f}", f"{s[i]:+.4f}",
                          "-" if slope is None else f"{slope[i]:+.4f}", f"{delta[i]:+.4f}")
        console.print(table)
    output = "t_i - s^2_i (softmax + cross-entropy)" if loss == "cross_entropy" else "(t_i - s^2_i) g'(phi^2_i)"
    console.print(f"delta^2_i = {output};  delta^1_i = g'(phi^1_i) sum_r delta^2_r theta^2_ri")
    for l in (2, 1):
        title = f"Delta theta^{l}_ij = rho delta^{l}_i s^{l - 1}_j  (s^0 = x)"
        console.print(matrix(title, delta_theta[l - 1], "i=", "j="))
    s1, d1, d2 = trace.s[1][0], trace.delta[0][0], trace.delta[1][0]
    console.print(f"slide: Delta theta^2_13 = rho delta^2_1 s^1_3 = {rho} x {d2[0]:+.4f} x {s1[2]:.4f}"
                  f" = {rho * d2[0] * s1[2]:+.4f}")
    console.print(f"slide: Delta theta^1_34 = rho delta^1_3 x_4 = {rho} x {d1[2]:+.4f} x {X[3]}"
                  f" = {rho * d1[2] * X[3]:+.4f}")
    gap = max((a - b).abs().max().item() for a, b in zip(delta_theta, autograd))
    console.print(f"q = {q.item():.6f};  autograd's -rho dq/dtheta differs from these Delta theta by at most {gap:.1e}")
    return {"trace": trace, "delta_theta": delta_theta, "autograd": autograd, "rho": rho, "x": X}


def homogeneous_grad(layer: torch.nn.Linear) -> torch.Tensor:
    return torch.cat([layer.bias.grad.unsqueeze(1), layer.weight.grad], dim=1).detach()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rho", type=float, default=0.5, help="learning rate rho")
    parser.add_argument("--g", choices=sorted(G), default="sigmoid", help="activation g of both layers")
    parser.add_argument("--loss", choices=("mse", "cross_entropy"), default="mse")
    args = parser.parse_args()
    walkthrough(args.rho, args.g, args.loss)


if __name__ == "__main__":
    main()
