"""The Lightning task module shared by every objective: the update loop, optimisers, schedules,
regularisers and per-epoch logging. It knows no architecture and no objective's loss.

Optimisation is manual so that one Lightning batch can carry a whole chunk of updates (see
``aa.data.tensor_data``); each update is forward, loss (+ penalties), backward, gradient limits,
optimiser step, exactly as the lecture's training loop. What one batch's loss is, and which metrics
an epoch reports, is the objective's (``aa.task.objective``).
"""
from __future__ import annotations

from contextlib import nullcontext
from typing import Any, Callable, Iterable

import pytorch_lightning as pl
import torch
from torch import Tensor, nn

from aa.base.rng import restore_rng, rng_state
from aa.task.lightning_state import optimizer_step_progress
from aa.task.objective import Objective, Step, WithLoss
from aa.task.regularizers import Regularizer

STEP_SCHEDULERS = ("OneCycleLR",)


class TaskModule(pl.LightningModule):
    def __init__(self, model: nn.Module, objective: Objective, optimizer: Callable,
                 scheduler: Callable | None = None, scheduler_monitor: str = "val/loss",
                 regularizers: Iterable[Regularizer] = ()) -> None:
        super().__init__()
        self.automatic_optimization = False
        self.model, self.objective = model, objective
        self.optimizer_factory, self.scheduler_factory = optimizer, scheduler
        self.scheduler_monitor = scheduler_monitor
        regs = list(regularizers)
        self.penalties = [r for r in regs if type(r).penalty is not Regularizer.penalty]
        self.input_noise = [r for r in regs if type(r).transform_input is not Regularizer.transform_input]
        self.limits = [r for r in regs if type(r).limit is not Regularizer.limit]
        self.weight_noise = [r for r in regs if type(r).perturb_weights is not Regularizer.perturb_weights]
        self._train_sums: dict[str, Tensor] = {}
        self._train_count = 0
        self._plain_steps = False
        self._step_progress: Any = None
        self._epoch_updates = 0
        self._saved_rng: dict[str, Any] | None = None
        self.val_history: dict[int, dict[str, float]] = {}
        self.run_overrides: list[str] | None = None  # aa-train's command line, kept in every checkpoint
        self.stop_requested = False  # set by a signal handler of the run: stop after the update under way
        self._timer: Any = None

    @property
    def loss(self) -> Any:
        """The objective's loss (supervised objectives), for figures and probes that need it."""
        return self.objective.loss if isinstance(self.objective, WithLoss) else None

    @property
    def task(self) -> str:
        return self.objective.task

    def forward(self, x: Any) -> Any:
        return self.objective(self.model, x)

    def configure_optimizers(self) -> Any:
        opts = self.objective.optimizers(self.model, self.optimizer_factory)
        if self.scheduler_factory is None:
            return opts
        return opts, [self.scheduler_factory(opt) for opt in opts]  # one schedule per optimiser

    def on_fit_start(self) -> None:
        """On one device in full precision, Lightning's per-update wrappers (hooks around backward and
        step) cost more than a small model's whole update, so updates call torch directly and only
        Lightning's step counter is advanced; other strategies (DDP, AMP) keep the wrappers."""
        from pytorch_lightning.plugins.precision import Precision
        from pytorch_lightning.strategies import SingleDeviceStrategy

        strategy = self.trainer.strategy
        self._plain_steps = isinstance(strategy, SingleDeviceStrategy) and type(strategy.precision_plugin) is Precision
        self._step_progress = optimizer_step_progress(self.trainer)

    def _count_update(self) -> None:
        progress = self._step_progress
        progress.increment_ready()
        progress.increment_completed()

    def _optimizers(self) -> list:
        opts = self.optimizers()
        opts = list(opts) if isinstance(opts, (list, tuple)) else [opts]
        return [o.optimizer for o in opts] if self._plain_steps else opts

    def _schedulers(self) -> list:
        sched = self.lr_schedulers()
        return [] if sched is None else list(sched) if isinstance(sched, (list, tuple)) else [sched]

    def descend(self, opt: torch.optim.Optimizer, closure: Callable[[], Step]) -> Step:
        """One optimiser step on the objective that ``closure`` computes: zero the gradients, loss plus
        penalties, backward (unless the objective wrote the gradients), gradient limits, step."""
        params = ([p for group in opt.param_groups for p in group["params"] if p.requires_grad]
                  if self.penalties or self.limits or self.weight_noise else [])
        opt.zero_grad(set_to_none=True)
        noise = self.weight_noise[0].perturb_weights(params) if self.weight_noise else nullcontext()
        with noise:
            step = closure()
            if step.objective is not None:
                objective = step.objective
                for r in self.penalties:
                    objective = objective + r.penalty(params)
                objective.backward() if self._plain_steps else self.manual_backward(objective)
        for r in self.limits:
            r.limit(params)
        opt.step()
        if self._plain_steps:
            self._count_update()
        return step

    def stepped(self, opt: torch.optim.Optimizer) -> None:
        """Count an update whose objective changed the weights itself (no gradients, no optimiser step):
        Lightning's step counter advances, directly or through its optimiser wrapper, as in ``descend``."""
        if self._plain_steps:
            self._count_update()
        else:
            opt.step()

    def training_step(self, chunk: Iterable[Any], batch_idx: int) -> None:
        opts = self._optimizers()
        step_scheds = [s for s in self._schedulers() if type(s).__name__ in STEP_SCHEDULERS]
        losses: list[Tensor] = []
        counts: list[int] = []
        batch_sums: dict[str, list[Tensor]] = {}
        for batch in chunk:
            if self.input_noise and isinstance(batch, (tuple, list)) and isinstance(batch[0], Tensor):
                x = batch[0]
                for r in self.input_noise:
                    x = r.transform_input(x)
                batch = (x, *batch[1:])
            step = self.objective.update(self, batch, opts)
            for s in step_scheds:
                s.step()
            losses.append(step.loss.detach())
            counts.append(step.n)
            for name, value in step.sums.items():
                batch_sums.setdefault(name, []).append(value.detach())
            if self._stop_now():
                break
        if losses:  # the chunk's sums in one go: per-update tensor arithmetic costs more than a small update
            self._add_train_sums(losses, counts, batch_sums)

    def _add_train_sums(self, losses: list[Tensor], counts: list[int], batch_sums: dict[str, list[Tensor]]) -> None:
        loss = torch.stack(losses).float()
        chunk = {"loss": (loss * torch.tensor(counts, device=loss.device)).sum()}
        chunk.update({name: torch.stack(values).sum().to(loss.dtype) for name, values in batch_sums.items()})
        sums = self._train_sums
        for name, value in chunk.items():
            sums[name] = sums[name] + value if name in sums else value
        self._train_count += sum(counts)
        if not torch.isfinite(sums["loss"]):  # one check per chunk, not a sync per update
            self._diverged(losses)

    def _diverged(self, losses: list[Tensor]) -> None:
        """Stop at the first non-finite training loss of this chunk, naming its epoch and update."""
        from aa.task.divergence import Diverged

        bad = (~torch.isfinite(torch.stack(losses).float())).nonzero()
        first = int(bad[0]) if len(bad) else len(losses) - 1
        epoch_update = self._epoch_updates + first + 1
        raise Diverged("train/loss", float(losses[first]), self.current_epoch, self.global_step - len(losses)
                       + first + 1, epoch_update)

    def _stop_now(self) -> bool:
        """After each update: a signal asked to stop, or the time budget (trainer.max_time, Lightning's
        Timer) ran out. One Lightning batch may hold a whole epoch of updates, so Lightning's own checks at
        batch and epoch ends come too late; the rest of the chunk is skipped and Lightning stops."""
        if not self.stop_requested and not (self._timer is not None and self._timer.time_remaining() <= 0):
            return False
        self.trainer.should_stop = True
        return True

    def on_train_start(self) -> None:
        """Random streams of a resumed run are restored here, after every start-up hook (model summary,
        graph, probes) that might draw from them, i.e. as they stood when the checkpoint was written."""
        from pytorch_lightning.callbacks import Timer

        self._timer = next((c for c in self.trainer.callbacks if isinstance(c, Timer)
                            and c.time_remaining() is not None), None)
        if self._saved_rng is not None:
            restore_rng(self._saved_rng)
            self._saved_rng = None

    def on_train_epoch_start(self) -> None:
        self._epoch_updates = 0

    def on_train_batch_end(self, outputs: Any, batch: Any, batch_idx: int) -> None:
        self._epoch_updates += len(batch) if hasattr(batch, "__len__") else 1

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Every random stream training draws from (Python, NumPy, torch CPU and GPU: dropout, noise,
        augmentation), so a resumed run continues bit for bit."""
        checkpoint["aa_rng"] = rng_state()
        if self.run_overrides is not None:  # with the configs, what rebuilds the run: aa-eval needs no run folder
            checkpoint["aa_overrides"] = list(self.run_overrides)

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self._saved_rng = checkpoint.get("aa_rng")

    def on_train_epoch_end(self) -> None:
        if self._train_sums:
            self.publish({f"train/{name}": value / self._train_count for name, value in self._train_sums.items()},
                         flush=True)
            self._train_sums, self._train_count = {}, 0
        for sched in self._schedulers():
            if type(sched).__name__ in STEP_SCHEDULERS:
                continue
            if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
                value = self.trainer.callback_metrics.get(self.scheduler_monitor)
                if value is not None:
                    sched.step(value)
            else:
                sched.step()

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        self.objective.evaluate(self.model, batch, "val")

    def test_step(self, batch: Any, batch_idx: int) -> None:
        self.objective.evaluate(self.model, batch, "test")

    def on_validation_epoch_end(self) -> None:
        values = self.objective.compute("val")
        fitting = self.trainer.state.fn == "fit"
        # within fit the epoch's training metrics follow at once and flush both
        self.publish({f"val/{name}": value for name, value in values.items()}, flush=not fitting)
        if fitting:  # per epoch, to report the best one's
            self.val_history[self.current_epoch] = {k: float(v) for k, v in values.items()}

    def on_test_epoch_end(self) -> None:
        values = {f"test/{name}": value for name, value in self.objective.compute("test").items()}
        self.publish(values, to_loggers=False)  # measured once: the final metrics' text card and metrics.json

    def publish(self, metrics: dict[str, Any], flush: bool = False, to_loggers: bool = True) -> None:
        """Epoch metrics to what monitors them (checkpoints, early stopping, plateau schedules and the run's
        report read ``trainer.callback_metrics``) and to every logger with the epoch as the step, so every
        family's curves share one x-axis (no separate ``epoch`` series); ``flush`` writes the loggers'
        files, so the dashboard shows the epoch. Not ``self.log``: its result collection moves a
        torchmetrics state per value and call, about 1 ms each, more than a small model's whole epoch. A
        sanity check's values are dropped, as Lightning drops them."""
        trainer = self.trainer
        if trainer.sanity_checking or not metrics:
            return
        values = {name: torch.as_tensor(value).detach() for name, value in metrics.items()}
        trainer.callback_metrics.update(values)
        if not to_loggers:
            return
        scalars: dict[str, float] = {name: float(value) for name, value in values.items()}
        for logger in trainer.loggers:
            logger.log_metrics(scalars, trainer.current_epoch)
            if flush:
                logger.save()
