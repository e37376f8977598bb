"""Importance scores for pruning: the smallest scores go first (``torch.nn.utils.prune`` takes them as
``importance_scores``).

- magnitude: |theta_k|;
- obd (Optimal Brain Damage, LeCun et al. 1990): s_k = 1/2 h_kk theta_k^2, the loss increase a
  second-order expansion predicts for theta_k -> 0 at a minimum, with h_kk a diagonal Hessian estimate:
  ``fisher`` (the mean squared per-sample gradient, the Gauss-Newton approximation OBD's own
  derivation uses for squared error and cross-entropy) or ``hutchinson`` (E[z * Hz] over Rademacher
  probes z, unbiased but noisy);
- taylor: |theta_k dq/dtheta_k|, the first-order estimate, averaged over mini-batches (the gradient
  of the whole training set is near zero at a minimum, a single batch's is not).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import torch
from torch import Tensor, nn

if TYPE_CHECKING:
    from aa.data.contract import DataModule

Params = list[tuple[nn.Module, str]]
KINDS = ("magnitude", "obd", "taylor")
HESSIANS = ("fisher", "hutchinson")


def leaf(module: nn.Module, name: str) -> Tensor:
    """The trainable tensor behind ``module.<name>`` (``<name>_orig`` once torch's pruning wrapped it)."""
    return getattr(module, name + "_orig", None) if hasattr(module, name + "_orig") else getattr(module, name)


def training_batches(dm: "DataModule", limit: int) -> Iterator[Any]:
    """Up to ``limit`` training batches, drawn with their own generator where the data module can (so
    the run's own batch order is untouched), else from its training loader (batches or chunks of them)."""
    from aa.data.contract import EpochUpdates

    if isinstance(dm, EpochUpdates):
        loader: Iterable[Any] = [dm.epoch_updates(torch.Generator().manual_seed(0))]
    else:
        loader = dm.train_dataloader()
    n = 0
    for item in loader:
        for batch in ([item] if isinstance(item, (tuple, list)) else item):
            if n >= limit:
                return
            n += 1
            yield batch


def scores(kind: str, params: Params, loss: Callable[[Any], Tensor] | None = None,
           data: Iterable[Any] = (), hessian: str = "fisher", samples: int = 256) -> dict:
    """{(module, name): score} for each pruned tensor. ``loss(batch)`` is the training objective of a
    batch (mean over its samples); ``data`` yields training batches."""
    theta = [getattr(m, n).detach() for m, n in params]
    if kind == "magnitude":
        return {p: t.abs() for p, t in zip(params, theta)}
    if kind not in KINDS:
        raise ValueError(f"importance must be one of {KINDS}, not {kind!r}")
    leaves = [leaf(m, n) for m, n in params]
    if kind == "taylor":
        acc = _taylor(loss, data, leaves, theta)
    elif hessian == "fisher":
        acc = [0.5 * h * t.pow(2) for h, t in zip(_fisher(loss, data, leaves, samples), theta)]
    elif hessian == "hutchinson":
        acc = [0.5 * h * t.pow(2) for h, t in zip(_hutchinson(loss, data, leaves), theta)]
    else:
        raise ValueError(f"hessian must be one of {HESSIANS}, not {hessian!r}")
    return dict(zip(params, acc))


def _taylor(loss: Callable, data: Iterable[Any], leaves: list[Tensor], theta: list[Tensor]) -> list[Tensor]:
    acc, n = [torch.zeros_like(t) for t in theta], 0
    for batch in data:
        grads = torch.autograd.grad(loss(batch), leaves, allow_unused=True)
        for a, g, t in zip(acc, grads, theta):
            if g is not None:
                a += (t * g).abs()
        n += 1
    return [a / max(n, 1) for a in acc]


def _fisher(loss: Callable, data: Iterable[Any], leaves: list[Tensor], samples: int) -> list[Tensor]:
    """h_kk ~ mean over samples of (dq_i/dtheta_k)^2, one sample at a time."""
    acc, n = [torch.zeros_like(p) for p in leaves], 0
    for x, y, *rest in data:
        for i in range(len(y)):
            if n >= samples:
                break
            grads = torch.autograd.grad(loss((x[i:i + 1], y[i:i + 1], *rest)), leaves, allow_unused=True)
            for a, g in zip(acc, grads):
                if g is not None:
                    a += g.pow(2)
            n += 1
    return [a / max(n, 1) for a in acc]


def _hutchinson(loss: Callable, data: Iterable[Any], leaves: list[Tensor]) -> list[Tensor]:
    """h_kk ~ |mean of z_k (H z)_k| over one Rademacher probe z per batch (|.|: OBD assumes h_kk >= 0)."""
    acc, n = [torch.zeros_like(p) for p in leaves], 0
    for batch in data:
        grads = torch.autograd.grad(loss(batch), leaves, create_graph=True)
        probes = [torch.randint_like(p, 2) * 2 - 1 for p in leaves]
        hz = torch.autograd.grad(grads, leaves, grad_outputs=probes, allow_unused=True)
        for a, z, h in zip(acc, probes, hz):
            if h is not None:
                a += z * h.detach()
        n += 1
    return [(a / max(n, 1)).abs() for a in acc]
