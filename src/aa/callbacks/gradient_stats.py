"""Per-layer gradient statistics every epoch, for both engines: the lecture's vanishing gradients, measured.

For each layer l (a module computing phi^l = theta^l s^{l-1}) it logs ``grad/delta_mean_abs/layerNN``, the
mean |delta^l| with delta_i = -dq_n/dphi_i per sample, ``grad/norm/layerNN``, the norm of dq/dtheta^l, and
``grad/delta_first_over_last``: how much of the output's delta still reaches the first layer.
"""
from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
from torch import Tensor, nn
from torch.nn.modules.dropout import _DropoutNd

from aa.task.supervised import split_aux

PHI_MODULES = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


class GradientStats(pl.Callback):
    """Before an epoch's first update, the gradient on a fixed probe batch of training data.

    The probe runs in training mode with dropout off (no random draw) and restores ``.grad`` and the
    buffers (batch-norm running statistics), so a run with it follows the same trajectory as one without.
    ``every_n_epochs`` spaces the probes; ``None`` keeps about ``POINTS`` of them over the run (the first
    and last epoch always), enough for a curve: a probe is a forward and backward pass on ``probe_size``
    samples, which on a small model costs as much as several updates."""

    POINTS = 10

    def __init__(self, probe_size: int = 256, every_n_epochs: int | None = None) -> None:
        if every_n_epochs is not None and every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be at least 1 or None, not {every_n_epochs}")
        self.probe_size, self.every_n_epochs = probe_size, every_n_epochs

    def probes_epoch(self, epoch: int, max_epochs: int | None) -> bool:
        """Whether ``epoch`` (from 0) is probed in a run of ``max_epochs`` (None or -1: unbounded)."""
        bounded = max_epochs is not None and max_epochs > 0
        every = self.every_n_epochs or (max(1, -(-max_epochs // self.POINTS)) if bounded else 1)
        return epoch % every == 0 or (bounded and epoch == max_epochs - 1)

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any,
                             batch_idx: int) -> None:
        if batch_idx != 0 or not self.probes_epoch(trainer.current_epoch, trainer.max_epochs):
            return
        probe = self.probe_batch(batch)
        if probe is None or pl_module.loss is None:  # objectives without a supervised loss (GAN, VAE)
            return
        pl_module.publish(layer_stats(pl_module, *probe))  # the task module's epoch metrics, at their step

    def probe_batch(self, batch: Any) -> tuple[Tensor, Tensor] | None:
        """The first ``probe_size`` samples: of the training tensors for a chunk of updates, else of the batch."""
        k = self.probe_size
        if hasattr(batch, "plan"):
            x = batch.x[:k]
            return (batch.transform(x) if batch.transform is not None else x), batch.y[:k]
        if isinstance(batch, (tuple, list)) and len(batch) >= 2 and isinstance(batch[0], Tensor):
            return batch[0][:k], batch[1][:k]
        return None


def layer_stats(task: Any, x: Tensor, y: Tensor) -> dict[str, Tensor]:
    """Mean |delta^l| and ||dq/dtheta^l|| per layer, from the run's own engine (manual or autograd)."""
    model = task.model
    params = [p for p in model.parameters() if p.requires_grad]
    saved = [p.grad for p in params]
    for p in params:
        p.grad = None
    buffers = [(b, b.clone()) for b in model.buffers()]
    dropouts = [m for m in model.modules() if isinstance(m, _DropoutNd) and m.training]
    for m in dropouts:
        m.eval()
    try:
        engine = getattr(task, "backward_engine", None)
        pairs = manual_deltas(engine, task, x, y, params) if engine is not None else autograd_deltas(task, x, y, params)
        stats: dict[str, Tensor] = {}
        for l, (module, delta) in enumerate(pairs, 1):
            grads = [p.grad for p in module.parameters(recurse=False) if p.grad is not None]
            stats[f"grad/delta_mean_abs/layer{l:02d}"] = delta
            if grads:
                stats[f"grad/norm/layer{l:02d}"] = torch.sqrt(sum(g.pow(2).sum() for g in grads))
        if len(pairs) > 1:
            stats["grad/delta_first_over_last"] = pairs[0][1] / pairs[-1][1].clamp_min(1e-30)
        return stats
    finally:
        for m in dropouts:
            m.train()
        with torch.no_grad():
            for b, value in buffers:
                b.copy_(value)
        for p, g in zip(params, saved):
            p.grad = g


def manual_deltas(engine: Any, task: Any, x: Tensor, y: Tensor, params: list[Tensor]) -> list[tuple[nn.Module, Tensor]]:
    """The manual engine keeps its deltas when asked to record."""
    engine.record = True
    try:
        engine(task, x, y, params)
    finally:
        engine.record = False
    return [(layer.theta, d.abs().mean()) for layer, d in zip(engine.layers, engine.trace.delta)]


def autograd_deltas(task: Any, x: Tensor, y: Tensor, params: list[Tensor]) -> list[tuple[nn.Module, Tensor]]:
    """Autograd's dq/dphi per layer via tensor hooks; q is a mean over N samples, so delta_n = -N dq/dphi_n."""
    captured: list[list] = []

    def keep_phi(module: nn.Module, inputs: Any, phi: Any) -> None:
        if isinstance(phi, Tensor) and phi.requires_grad:
            slot: list = [module, None]
            captured.append(slot)
            phi.register_hook(lambda g, slot=slot: slot.__setitem__(1, g.abs().mean() * g.shape[0]))

    handles = [m.register_forward_hook(keep_phi) for m in task.model.modules() if isinstance(m, PHI_MODULES)]
    try:
        with torch.enable_grad():
            phi, aux = split_aux(task.model(x))
            objective = task.loss(phi, y)
            for weight, aux_phi in aux:
                objective = objective + weight * task.loss(aux_phi, y)
            for r in getattr(task, "penalties", ()):
                objective = objective + r.penalty(params)
            objective.backward()
    finally:
        for h in handles:
            h.remove()
    return [(m, d) for m, d in captured if d is not None]
