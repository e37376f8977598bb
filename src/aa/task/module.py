"""The Lightning task module: one update per planned batch, metrics per epoch, knows no architecture.

Optimisation is manual so that one Lightning batch can carry a whole chunk of updates (see
``aa.data.tensor_data``); each update is forward, loss (+ penalties), backward, gradient limits,
optimiser step, exactly as the lecture's training loop.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import pytorch_lightning as pl
import torch
import torchmetrics
from torch import Tensor, nn

from aa.task.losses import Loss, flat
from aa.task.regularizers import Regularizer

STEP_SCHEDULERS = ("OneCycleLR",)


def split_aux(out: Tensor | tuple) -> tuple[Tensor, list[tuple[float, Tensor]]]:
    """Models with auxiliary heads (Inception) return (phi, [(weight, aux_phi), ...]) in training."""
    if isinstance(out, tuple):
        return out[0], list(out[1])
    return out, []


class TaskModule(pl.LightningModule):
    def __init__(self, model: nn.Module, loss: Loss, optimizer: Callable, task: str = "classification",
                 num_outputs: int = 2, scheduler: Callable | None = None, scheduler_monitor: str = "val/loss",
                 regularizers: Iterable[Regularizer] = (), backward: Any = None) -> None:
        super().__init__()
        self.automatic_optimization = False
        self.model, self.loss, self.task = model, loss, task
        self.optimizer_factory, self.scheduler_factory = optimizer, scheduler
        self.scheduler_monitor = scheduler_monitor
        regs = list(regularizers)
        self.penalties = [r for r in regs if type(r).penalty is not Regularizer.penalty]
        self.input_noise = [r for r in regs if type(r).transform_input is not Regularizer.transform_input]
        self.limits = [r for r in regs if type(r).limit is not Regularizer.limit]
        self.weight_noise = [r for r in regs if type(r).perturb_weights is not Regularizer.perturb_weights]
        self.backward_engine = backward
        classes = task == "classification"
        self.num_outputs = num_outputs
        for split in ("val", "test"):
            setattr(self, f"{split}_loss", torchmetrics.MeanMetric())
            metric = (torchmetrics.classification.MulticlassAccuracy(num_outputs, average="micro") if classes
                      else torchmetrics.MeanSquaredError())
            setattr(self, f"{split}_metric", metric)
        self.test_confusion = torchmetrics.classification.MulticlassConfusionMatrix(num_outputs) if classes else None
        self.metric_name = "acc" if classes else "mse"
        self._train_sums: list[Tensor] = []
        self._plain_steps = False

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)

    def configure_optimizers(self) -> Any:
        opt = self.optimizer_factory(params=self.model.parameters())
        if self.scheduler_factory is None:
            return opt
        return {"optimizer": opt, "lr_scheduler": self.scheduler_factory(opt)}

    def forward_backward(self, x: Tensor, y: Tensor, params: list[Tensor]) -> tuple[Tensor, Tensor]:
        """phi = model(x), q = loss + penalties, gradients into .grad; returns (loss, phi)."""
        if self.backward_engine is not None:
            return self.backward_engine(self, x, y, params)
        phi, aux = split_aux(self.model(x))
        loss = self.loss(phi, y)
        objective = loss
        for weight, aux_phi in aux:
            objective = objective + weight * self.loss(aux_phi, y)
        for r in self.penalties:
            objective = objective + r.penalty(params)
        if self._plain_steps:
            objective.backward()
        else:
            self.manual_backward(objective)
        return loss.detach(), phi.detach()

    def on_fit_start(self) -> None:
        """On one device in full precision, Lightning's per-update wrappers (hooks around backward and
        step) cost more than a small model's whole update, so updates call torch directly and only
        Lightning's step counter is advanced; other strategies (DDP, AMP) keep the wrappers."""
        from pytorch_lightning.plugins.precision import Precision
        from pytorch_lightning.strategies import SingleDeviceStrategy

        strategy = self.trainer.strategy
        self._plain_steps = isinstance(strategy, SingleDeviceStrategy) and type(strategy.precision_plugin) is Precision

    def _count_update(self) -> None:
        progress = self.trainer.fit_loop.epoch_loop.manual_optimization.optim_step_progress
        progress.increment_ready()
        progress.increment_completed()

    def training_step(self, chunk: Iterable[tuple[Tensor, Tensor]], batch_idx: int) -> None:
        opt = self.optimizers()
        if self._plain_steps:
            opt = opt.optimizer
        sched = self.lr_schedulers()
        step_sched = sched if sched is not None and type(sched).__name__ in STEP_SCHEDULERS else None
        params = [p for p in self.model.parameters() if p.requires_grad]
        loss_sum = torch.zeros((), device=self.device)
        hits = torch.zeros((), device=self.device, dtype=torch.long)
        count = 0
        for x, y in chunk:
            for r in self.input_noise:
                x = r.transform_input(x)
            opt.zero_grad(set_to_none=True)
            if self.weight_noise:
                with self.weight_noise[0].perturb_weights(params):
                    loss, phi = self.forward_backward(x, y, params)
            else:
                loss, phi = self.forward_backward(x, y, params)
            for r in self.limits:
                r.limit(params)
            opt.step()
            if self._plain_steps:
                self._count_update()
            if step_sched is not None:
                step_sched.step()
            n = y.numel() if self.task == "classification" else len(y)
            loss_sum += loss * n
            if self.task == "classification":
                pred, target = flat(phi, y)
                hits += (self.loss.predict(pred) == target).sum()
            count += n
        self._train_sums.append(torch.stack([loss_sum, hits.to(loss_sum.dtype), torch.tensor(float(count), device=self.device)]))

    def on_train_epoch_end(self) -> None:
        if self._train_sums:
            loss_sum, hits, count = torch.stack(self._train_sums).sum(0)
            self.log("train/loss", loss_sum / count)
            if self.task == "classification":
                self.log("train/acc", hits / count)
            self._train_sums.clear()
        sched = self.lr_schedulers()
        if sched is None or type(sched).__name__ in STEP_SCHEDULERS:
            return
        if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
            value = self.trainer.callback_metrics.get(self.scheduler_monitor)
            if value is not None:
                sched.step(value)
        else:
            sched.step()

    def _evaluate(self, batch: tuple[Tensor, Tensor], split: str) -> Tensor:
        x, y = batch
        phi, _ = split_aux(self.model(x))
        getattr(self, f"{split}_loss").update(self.loss(phi, y), weight=len(y))
        metric = getattr(self, f"{split}_metric")
        if self.task == "classification":
            phi, y = flat(phi, y)
            pred = self.loss.predict(phi)
            metric.update(pred, y)
            if split == "test":
                self.test_confusion.update(pred, y)
        else:
            metric.update(self.loss.outputs(phi).reshape(y.shape), y)
        return phi

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, "val")

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, "test")

    def _log_split(self, split: str) -> None:
        self.log(f"{split}/loss", getattr(self, f"{split}_loss").compute())
        self.log(f"{split}/{self.metric_name}", getattr(self, f"{split}_metric").compute())
        getattr(self, f"{split}_loss").reset()
        getattr(self, f"{split}_metric").reset()

    def on_validation_epoch_end(self) -> None:
        self._log_split("val")

    def on_test_epoch_end(self) -> None:
        self._log_split("test")
