"""The learning rate of each optimiser per epoch, named by the player it trains (``lr/model``, or
``lr/generator`` and ``lr/discriminator`` for a GAN), on the same epoch axis as the metrics.

Lightning's LearningRateMonitor names a series after the optimiser's class (``lr-Adam``, ``lr-Adam-1``)
unless a scheduler names it, and logs at the update count; a GAN's two players then read alike."""
from __future__ import annotations

import pytorch_lightning as pl


class LearningRates(pl.Callback):
    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        """The rates this epoch trains with (after the previous epoch's schedule step)."""
        opts = trainer.optimizers
        players = [*pl_module.objective.players, *(f"optimizer{i}" for i in range(1, len(opts)))][:len(opts)]
        rates: dict[str, float] = {}
        for player, opt in zip(players, opts):
            groups = opt.param_groups
            for i, group in enumerate(groups):
                rates[f"lr/{player}" + (f"/group{i}" if len(groups) > 1 else "")] = float(group["lr"])
        for logger in trainer.loggers:
            logger.log_metrics(rates, trainer.current_epoch)
