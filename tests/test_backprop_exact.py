"""The manual BackProp against autograd and against finite differences, in float64, over random networks."""
from __future__ import annotations

import functools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from aa.backprop.delta import through_g
from aa.backprop.engine import ManualBackprop
from aa.models.mlp import MLP
from aa.models.perceptron import Perceptron
from aa.nn import activations as A
from aa.nn.input import Standardize
from aa.task.classification import Classification
from aa.task.losses import CrossEntropy, SquaredError
from aa.task.module import TaskModule
from aa.task.regularizers import L1, L2

ACTIVATIONS = {"linear": A.Linear, "relu": A.ReLU, "sigmoid": A.Sigmoid, "tanh": A.Tanh, "fast": A.Fast,
               "softmax": A.Softmax, "leaky_relu": functools.partial(A.LeakyReLU, 0.1), "prelu": A.PReLU,
               "elu": A.ELU, "gelu": A.GELU, "silu": A.SiLU, "step": A.Step,
               "step_exact": functools.partial(A.Step, straight_through=False)}
LOSSES = {"cross_entropy": CrossEntropy,
          **{f"mse_{g}_{t}": functools.partial(SquaredError, g, t)
             for g in ("linear", "sigmoid", "tanh", "softmax") for t in ("one_hot", "plus_minus")}}
RELATIVE = 1e-10


@st.composite
def networks(draw, activations=tuple(ACTIVATIONS), dropout=True):
    """A random perceptron or MLP (depth, widths, g, skip, dropout), loss, penalties and batch, in float64."""
    depth = draw(st.integers(0, 4))
    d, c, n = draw(st.integers(1, 6)), draw(st.integers(2, 5)), draw(st.integers(1, 9))
    hidden = draw(st.lists(st.integers(1, 6), min_size=depth, max_size=depth))
    g = draw(st.sampled_from(activations))
    if depth == 0:
        net = Perceptron((d,), c)
    else:
        p = draw(st.sampled_from((0.0, 0.3))) if dropout else 0.0
        skip = draw(st.sampled_from(("none", "input", "residual")))
        net = MLP((d,), c, hidden=hidden, activation=ACTIVATIONS[g], skip=skip, dropout=p)
    seed = draw(st.integers(0, 2**16))
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=gen, dtype=torch.float64) * 2
    y = torch.randint(0, c, (n,), generator=gen)
    model = nn.Sequential(Standardize.fit(x), net) if draw(st.booleans()) else net
    model = model.double()
    for prm in model.parameters():  # wider weights than the default init, so every g works off its linear part
        with torch.no_grad():
            prm.normal_(0, 0.8, generator=gen)
    loss = LOSSES[draw(st.sampled_from(tuple(LOSSES)))]()
    regs = draw(st.sampled_from(((), (L2(0.05),), (L1(0.01), L2(0.02)))))
    task = TaskModule(model=model, objective=Classification(loss, c),
                      optimizer=functools.partial(torch.optim.SGD, lr=0.1), regularizers=regs)
    return task, x, y, seed


def autograd_grads(task, x, y, seed):
    params = list(task.model.parameters())
    torch.manual_seed(seed)
    objective = task.loss(task.model(x), y) + sum((r.penalty(params) for r in task.penalties), torch.zeros(()))
    return torch.autograd.grad(objective, params)


def manual_grads(task, x, y, seed):
    params = list(task.model.parameters())
    for p in params:
        p.grad = None
    torch.manual_seed(seed)
    q, phi = ManualBackprop(task.model, task.loss)(task, x, y, params)
    return q, phi, [p.grad for p in params]


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(networks())
def test_manual_gradients_equal_autograd_within_1e_10(case):
    task, x, y, seed = case
    expected = autograd_grads(task, x, y, seed)
    q, phi, got = manual_grads(task, x, y, seed)
    torch.manual_seed(seed)
    assert torch.allclose(q, task.loss(task.model(x), y), rtol=1e-12, atol=0)
    for (name, _), g, e in zip(task.model.named_parameters(), got, expected):
        assert g is not None and g.dtype == torch.float64, name
        assert (g - e).norm() <= RELATIVE * e.norm(), (name, (g - e).norm().item(), e.norm().item())


SMOOTH = tuple(a for a in ACTIVATIONS if not a.startswith("step"))  # the straight-through step is not g' on purpose


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(networks(activations=SMOOTH, dropout=False), st.integers(0, 2**16))
def test_manual_gradients_pass_a_finite_difference_check(case, direction_seed):
    """Central differences of q along random directions v equal grad . v (one evaluation pair per direction)."""
    task, x, y, seed = case
    _, _, grads = manual_grads(task, x, y, seed)
    params = list(task.model.parameters())
    gen = torch.Generator().manual_seed(direction_seed)

    def q_at(shift: list[torch.Tensor], eps: float) -> float:
        with torch.no_grad():
            for p, v in zip(params, shift):
                p.add_(eps * v)
            q = task.loss(task.model(x), y) + sum((r.penalty(params) for r in task.penalties), torch.zeros(()))
            for p, v in zip(params, shift):
                p.sub_(eps * v)
        return q.item()

    eps = 1e-6
    for _ in range(3):
        v = [torch.randn(p.shape, generator=gen, dtype=p.dtype) for p in params]
        numeric = (q_at(v, eps) - q_at(v, -eps)) / (2 * eps)
        analytic = sum((g * d).sum() for g, d in zip(grads, v)).item()
        assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(analytic)), (numeric, analytic)


def test_no_autograd_graph_is_built():
    """Autograd saves tensors for every op it may differentiate; the manual engine makes it save none."""
    torch.manual_seed(0)
    model = MLP((4,), 3, hidden=[5, 5], activation=A.Tanh, dropout=0.2)
    loss = CrossEntropy()
    params = list(model.parameters())
    x, y = torch.randn(8, 4), torch.randint(0, 3, (8,))
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        q, phi = ManualBackprop(model, loss)(None, x, y, params)
        manual_saves = len(saved)
        loss(model(x), y)
    assert manual_saves == 0 and len(saved) > 0
    assert q.grad_fn is None and phi.grad_fn is None and not q.requires_grad
    assert all(p.grad is not None and p.grad.grad_fn is None and not p.grad.requires_grad for p in params)


def test_softmax_with_squared_error_needs_the_full_jacobian_not_the_slides_diagonal():
    torch.manual_seed(0)
    phi = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    t = torch.eye(3, dtype=torch.float64)[[0, 2, 1, 0]]
    s = torch.softmax(phi, -1)
    (-(0.5 * (t - s).pow(2).sum())).backward()  # -dq/dphi = delta
    g = A.Softmax()
    full = through_g(g, phi.detach(), s.detach(), (t - s).detach())
    diagonal = g.derivative(phi, s).detach() * (t - s).detach()
    assert torch.allclose(full, phi.grad, rtol=1e-12, atol=1e-15)
    assert (diagonal - phi.grad).abs().max() > 1e-3


def test_engine_refuses_a_network_it_has_no_delta_rule_for():
    with pytest.raises(ValueError, match="normalization"):
        ManualBackprop(MLP((4,), 3, hidden=[5], normalization=lambda n: nn.LayerNorm(n)), CrossEntropy())
    with pytest.raises(ValueError, match="Maxout"):
        ManualBackprop(MLP((4,), 3, hidden=[5], activation=A.Maxout), CrossEntropy())
    with pytest.raises(ValueError, match="perceptron and mlp"):
        ManualBackprop(nn.Sequential(nn.Flatten(), nn.Linear(4, 3)), CrossEntropy())
