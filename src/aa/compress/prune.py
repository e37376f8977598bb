"""Pruning as a Lightning callback: Lightning's ModelPruning (schedule, global or per-layer pruning,
lottery-ticket reset, masks made permanent in every checkpoint and at the end of training), with
importance scores from ``aa.compress.importance`` handed to ``torch.nn.utils.prune``.

Schedule: ``steps`` pruning steps, each followed by ``finetune_epochs`` epochs of training with the
mask fixed; the last step leaves exactly ``finetune_epochs`` epochs before the run's end. Each step
removes the same share of the weights still left, so after all steps ``amount`` of them are zero.
A step happens just before that epoch's validation, so the checkpoint of that epoch already holds
the pruned weights; the best-checkpoint record restarts at the last step, so the checkpoint that is
tested is a pruned one (a dense checkpoint would otherwise win on validation loss)."""
from __future__ import annotations

import copy
import logging
from typing import Any

import pytorch_lightning as pl
import torch
import torch.nn.utils.prune as torch_prune
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint, ModelPruning
from torch import Tensor, nn

from aa.compress.importance import scores, training_batches
from aa.compress.measure import PRUNABLE

log = logging.getLogger("aa")


class Threshold(torch_prune.BasePruningMethod):
    """Remove every entry whose importance is below ``threshold`` (pruning after an L1 penalty)."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def compute_mask(self, importance: Tensor, default_mask: Tensor) -> Tensor:
        return default_mask * (importance.abs() >= self.threshold).to(default_mask.dtype)


class Prune(ModelPruning):
    def __init__(self, method: str = "magnitude", amount: float = 0.8, scope: str = "global",
                 structure: str = "unstructured", steps: int = 1, finetune_epochs: int = 10, epochs: int = 60,
                 importance: str = "obd", hessian: str = "fisher", samples: int = 256, batches: int = 32,
                 threshold: float | None = None, l1: float | None = None, prune_bias: bool = False,
                 lottery_ticket: bool = False) -> None:
        structured = structure == "structured"
        super().__init__(pruning_fn="ln_structured" if structured else "l1_unstructured",
                         parameter_names=["weight", "bias"] if prune_bias else ["weight"],
                         use_global_unstructured=scope == "global" and not structured,
                         amount=self.step_amount, use_lottery_ticket_hypothesis=lottery_ticket,
                         pruning_dim=0 if structured else None, pruning_norm=1 if structured else None,
                         prune_on_train_epoch_end=True)
        self.method, self.target, self.structured = method, amount, structured
        self.kind = importance if method == "relevance" else "magnitude"
        self.hessian, self.samples, self.batches = hessian, samples, batches
        self.threshold, self.l1 = threshold, l1
        last = epochs - 1 - finetune_epochs
        self.epochs = [last - k * finetune_epochs for k in reversed(range(steps))]
        self.per_step = 1 - (1 - amount) ** (1 / steps)
        self.dense: nn.Module | None = None
        self._pl_module: pl.LightningModule | None = None

    def step_amount(self, epoch: int) -> float:
        """Share of the remaining weights removed at the end of ``epoch`` (0: no step then)."""
        return self.per_step if epoch in self.epochs else 0.0

    def filter_parameters_to_prune(self, parameters_to_prune: Any = ()) -> list[tuple[nn.Module, str]]:
        """Linear and conv layers only; structured pruning keeps every output unit (the classes)."""
        kept = [(m, n) for m, n in parameters_to_prune if isinstance(m, PRUNABLE)]
        if self.structured:
            last = kept[-1][0] if kept else None
            kept = [(m, n) for m, n in kept if m is not last]
        return kept

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        self._pl_module = pl_module
        super().setup(trainer, pl_module, stage)

    # pruning happens before an epoch's validation instead of after it (see the module docstring)
    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        pass

    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        pass

    def on_validation_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        epoch = pl_module.current_epoch
        if trainer.sanity_checking or trainer.state.fn != "fit" or epoch not in self.epochs:
            return
        if self.dense is None:
            self.dense = copy.deepcopy(pl_module.model).cpu()
        with torch.inference_mode(False), torch.enable_grad():  # validation runs in inference mode
            self._run_pruning(epoch)
        zeros = sum(int((getattr(m, n) == 0).sum()) for m, n in self._parameters_to_prune)
        total = sum(getattr(m, n).numel() for m, n in self._parameters_to_prune)
        log.info("pruning step at epoch %d: %d of %d prunable weights are zero", epoch, zeros, total)
        if epoch == self.epochs[-1]:
            restart_records(trainer)

    def _scores(self) -> dict:
        task = self._pl_module
        dm = task.trainer.datamodule
        was_training = task.model.training
        task.model.eval()  # saliency of the network as it predicts (dropout off, running statistics)

        def loss(batch: Any) -> Tensor:
            return task.objective.step(task, batch).objective

        data = list(training_batches(dm, self.batches)) if self.kind != "magnitude" else []
        out = scores(self.kind, list(self._parameters_to_prune), loss, data, self.hessian, self.samples)
        task.model.train(was_training)
        return out

    def _apply_global_pruning(self, amount: float) -> None:
        method, kwargs = (Threshold, {"threshold": self.threshold}) if self.threshold is not None else \
            (torch_prune.L1Unstructured, {"amount": amount})
        torch_prune.global_unstructured(self._parameters_to_prune, pruning_method=method,
                                        importance_scores=self._scores(), **kwargs)

    def _apply_local_pruning(self, amount: float) -> None:
        importance = self._scores()
        for module, name in self._parameters_to_prune:
            score = importance[(module, name)]
            if self.threshold is not None:
                Threshold.apply(module, name, threshold=self.threshold, importance_scores=score)
            elif self.structured:
                torch_prune.ln_structured(module, name, amount=amount, n=1, dim=0, importance_scores=score)
            else:
                torch_prune.l1_unstructured(module, name, amount=amount, importance_scores=score)

    def describe(self) -> dict[str, Any]:
        """The settings the report records."""
        out = {"importance": self.kind, "amount": self.target,
               "structure": "structured" if self.structured else "unstructured",
               "scope": "global" if self._use_global_unstructured else "layer", "steps": len(self.epochs),
               "pruned_at_epochs": self.epochs}
        if self.kind == "obd":
            out["hessian"] = self.hessian
        if self.threshold is not None:
            out["threshold"] = self.threshold
        if self.l1 is not None:
            out["l1"] = self.l1
        return out


def restart_records(trainer: pl.Trainer) -> None:
    """Forget the best checkpoint and early-stopping record: from here on the pruned model competes
    only with itself. The dense best checkpoint is removed so the pruned one takes its file name."""
    for cb in trainer.callbacks:
        if isinstance(cb, ModelCheckpoint) and cb.monitor:
            for path in list(cb.best_k_models):
                trainer.strategy.remove_checkpoint(path)
            cb.best_k_models, cb.best_model_path, cb.kth_best_model_path = {}, "", ""
            cb.best_model_score = None
            cb.kth_value = torch.tensor(float("inf") if cb.mode == "min" else float("-inf"))
        elif isinstance(cb, EarlyStopping):
            cb.wait_count = 0
            cb.best_score = torch.tensor(float("inf") if cb.mode == "min" else float("-inf"))
