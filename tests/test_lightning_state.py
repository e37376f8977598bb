"""Lightning's private loop state that aa reads (aa.task.lightning_state): an upgrade that moves or renames it
fails here, with the attribute path in the message, rather than in the middle of a run."""
from __future__ import annotations

import pytorch_lightning as pl
import torch
from pytorch_lightning.loggers.logger import Logger
from torch.utils.data import DataLoader, TensorDataset

from aa.task.lightning_state import logging_step, optimizer_step_progress, time_budget


class StepLog(Logger):
    """Records the step of every epoch-level metric Lightning itself logs."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: list[int] = []

    name, version = "steps", 0

    def log_metrics(self, metrics: dict, step: int | None = None) -> None:
        if "seen" in metrics:
            self.steps.append(step)

    def log_hyperparams(self, params: object, *args: object, **kwargs: object) -> None:
        pass


class Manual(pl.LightningModule):
    """One linear layer under manual optimisation; every other batch steps its optimiser through torch
    directly and advances Lightning's counter by hand, as aa's task module does."""

    def __init__(self) -> None:
        super().__init__()
        self.automatic_optimization = False
        self.layer = torch.nn.Linear(2, 1)
        self.plain_updates = 0
        self.epoch_end_steps: list[int] = []

    def training_step(self, batch: list, batch_idx: int) -> None:
        opt = self.optimizers()
        loss = self.layer(batch[0]).pow(2).mean()
        opt.zero_grad()
        self.manual_backward(loss)
        if batch_idx % 2:
            opt.optimizer.step()
            progress = optimizer_step_progress(self.trainer)
            progress.increment_ready()
            progress.increment_completed()
            self.plain_updates += 1
        else:
            opt.step()
        self.log("seen", float(batch_idx), on_step=False, on_epoch=True)

    def on_train_epoch_end(self) -> None:
        self.epoch_end_steps.append(logging_step(self.trainer))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def test_the_private_loop_state_aa_reads_is_where_aa_reads_it():
    data = DataLoader(TensorDataset(torch.randn(12, 2)), batch_size=3)  # 4 batches an epoch
    log = StepLog()
    module = Manual()
    trainer = pl.Trainer(max_epochs=2, logger=log, enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, accelerator="cpu")
    trainer.fit(module, data)
    assert module.plain_updates == 4
    assert trainer.global_step == 8, "updates counted by hand reach trainer.global_step"
    assert optimizer_step_progress(trainer).total.completed == 8
    assert logging_step(trainer) == 8
    assert module.epoch_end_steps == [4, 8], "at an epoch's end: the batches that stepped an optimiser so far"
    assert log.steps == [s - 1 for s in module.epoch_end_steps], \
        f"Lightning's own epoch metrics went to steps {log.steps}, one below the counter; is that still so?"


def test_the_time_budget_is_read_from_lightnings_timer() -> None:
    from pytorch_lightning.callbacks import Timer

    assert time_budget(Timer(duration="00:00:01:30")) == 90.0
