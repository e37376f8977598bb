"""Learning-rate range test (Smith 2017) before training: a geometric sweep, Lightning's smoothing and stop.

Lightning's ``Tuner.lr_find`` needs one optimiser step per Lightning batch and a loss returned by
``training_step``; aa's task module runs a whole chunk of updates per batch with manual
optimisation, so this runs the same algorithm on a copy of the model: the rate grows
geometrically from min_lr to max_lr, one update each, the loss is smoothed (beta 0.98, bias
corrected), the test stops once it exceeds ``early_stop_threshold`` x its best, and the
suggestion is the rate where the smoothed loss falls fastest (skipping the first 10 and last 1
points); unlike Lightning, that slope is measured across one decade of lr (see ``suggest``).
"""
from __future__ import annotations

import copy
import logging
import math
from dataclasses import dataclass

import pytorch_lightning as pl
import torch
from omegaconf import DictConfig, open_dict

log = logging.getLogger("aa")
BETA, SKIP_BEGIN, SKIP_END = 0.98, 10, 1


@dataclass
class RangeTest:
    lrs: list[float]
    losses: list[float]
    suggestion: float | None


def range_test(task: pl.LightningModule, dm: pl.LightningDataModule, min_lr: float = 1e-6, max_lr: float = 1.0,
               num_steps: int = 100, early_stop_threshold: float | None = 4.0, seed: int = 0,
               device: torch.device | str = "cpu") -> RangeTest:
    """Train a copy of ``task.model`` one update per rate with the run's loss, penalties, input noise and
    gradient limits (not weight noise); ``task`` and the data module's order stay untouched."""
    probe = copy.deepcopy(task.model).to(device).train()
    params = [p for p in probe.parameters() if p.requires_grad]
    opt = task.optimizer_factory(params=params)
    generator = torch.Generator().manual_seed(seed)
    lrs, losses, avg, best = [], [], 0.0, math.inf
    updates = iter(())
    for k in range(num_steps):
        batch = next(updates, None)
        if batch is None:
            updates = iter(dm.epoch_updates(generator))
            batch = next(updates)
        x, y = batch[0].to(device), batch[1].to(device)
        for r in task.input_noise:
            x = r.transform_input(x)
        lr = min_lr * (max_lr / min_lr) ** (k / (num_steps - 1))
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad(set_to_none=True)
        out = probe(x)
        loss = task.loss(out[0] if isinstance(out, tuple) else out, y)
        for r in task.penalties:
            loss = loss + r.penalty(params)
        loss.backward()
        for r in task.limits:  # clipping changes the step a rate makes, so the test keeps it
            r.limit(params)
        opt.step()
        avg = BETA * avg + (1 - BETA) * loss.item()
        smoothed = avg / (1 - BETA ** (k + 1))
        lrs.append(lr)
        losses.append(smoothed)
        if not math.isfinite(smoothed) or (early_stop_threshold and k > 0 and smoothed > early_stop_threshold * best):
            break
        best = min(best, smoothed)
    return RangeTest(lrs, losses, suggest(lrs, losses))


def suggest(lrs: list[float], losses: list[float], half_window: float = 0.5) -> float | None:
    """The rate where the smoothed loss falls fastest per decade, the slope measured across one decade.

    Lightning takes d loss / d lr between neighbouring points; on a geometric sweep that divides the
    first steps' noise by tiny lr gaps, and even per decade a one-step dip of noise can beat the real
    descent, so the slope at each rate is (loss(lr 10^h) - loss(lr 10^-h)) over the 2h decades between."""
    keep = [i for i in range(SKIP_BEGIN, len(losses) - SKIP_END) if math.isfinite(losses[i])]
    if len(keep) < 2:
        return None
    x = torch.tensor([math.log10(lrs[i]) for i in keep], dtype=torch.float64)
    y = torch.tensor([losses[i] for i in keep], dtype=torch.float64)
    lo = torch.searchsorted(x, x - half_window)
    hi = torch.searchsorted(x, x + half_window, right=True) - 1
    slope = (y[hi] - y[lo]) / (x[hi] - x[lo]).clamp_min(1e-12)
    return lrs[keep[int(torch.argmin(slope))]]


def publish(result: RangeTest, trainer: pl.Trainer) -> None:
    """The loss-vs-rate curve as TensorBoard scalars and figure, and as lr_find.png in the run directory."""
    from aa.callbacks.figures import pyplot, publish

    for logger in trainer.loggers:
        writer = logger.experiment
        if hasattr(writer, "add_scalar"):
            for k, (lr, loss) in enumerate(zip(result.lrs, result.losses)):
                writer.add_scalar("lr_find/loss", loss, global_step=k)
                writer.add_scalar("lr_find/lr", lr, global_step=k)
    fig, ax = pyplot().subplots(figsize=(5, 3.5))
    ax.plot(result.lrs, result.losses)
    if result.suggestion is not None:
        i = result.lrs.index(result.suggestion)
        ax.plot(result.suggestion, result.losses[i], marker="o", color="red", markersize=8,
                label=f"suggestion {result.suggestion:.3g}")
        ax.legend(fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log)"), ax.set_ylabel("smoothed training loss")
    ax.set_title("learning-rate range test")
    publish(trainer, "lr_find", fig, 0, "lr_find.png")


def maybe_find_lr(cfg: DictConfig, dm: pl.LightningDataModule, task: pl.LightningModule,
                  trainer: pl.Trainer) -> pl.LightningModule:
    """Run the range test if ``lr_find.enabled``; with ``lr_find.apply`` rebuild the task with the suggestion."""
    node = cfg.get("lr_find")
    if not node or not node.enabled:
        return task
    result = range_test(task, dm, node.min_lr, node.max_lr, node.num_steps, node.early_stop_threshold,
                        cfg.seed, trainer.strategy.root_device)
    publish(result, trainer)
    if result.suggestion is None:
        log.warning("lr_find: no suggestion (the loss diverged within %d steps); training with optim.lr=%g",
                    len(result.losses), cfg.optim.lr)
        return task
    log.info("lr_find: suggested learning rate %.4g (range test of %d steps from %g to %g); %s",
             result.suggestion, len(result.losses), node.min_lr, node.max_lr,
             "training with it" if node.apply else f"training with optim.lr={cfg.optim.lr:g}")
    if not node.apply:
        return task
    from aa.run.build import build_task

    with open_dict(cfg):
        cfg.optim.lr = float(result.suggestion)
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    return build_task(cfg, dm)
