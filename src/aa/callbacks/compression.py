"""Lightning callbacks that make a trained model smaller and report what that bought.

``Prune`` (``aa.compress.prune``, on Lightning's ModelPruning) prunes during fit, so the tested best
checkpoint holds the pruned weights. ``Quantize`` turns the model into int8 after the best checkpoint
was reloaded for testing (``on_test_start``), so the test metrics are the int8 model's; for QAT it
puts fake quantisation into the model before the optimiser is built. ``CompressionReport`` measures
the reference (dense, fp32 or the distillation teacher) and the compressed model the same way."""
from __future__ import annotations

import copy
from typing import Any, Callable

import pytorch_lightning as pl
from omegaconf import DictConfig
from torch import nn

from aa.compress import quantize as q
from aa.compress import report
from aa.compress.importance import training_batches
from aa.compress.measure import quantized_layers
from aa.compress.prune import Prune
from aa.base.errors import ConfigError
from aa.task.distillation import Distillation

RECURRENT = (nn.RNNBase, nn.Embedding, nn.EmbeddingBag)


class Quantize(pl.Callback):
    """int8 copy of the tested model (``aa.compress.quantize``); ``model`` names the configured model in
    error messages."""

    def __init__(self, mode: str = "dynamic", calibration_batches: int = 32, model: str | None = None) -> None:
        self.mode, self.calibration_batches, self.model_name = mode, calibration_batches, model
        self.fp32: nn.Module | None = None
        self.int8: nn.Module | None = None
        self._prepared = False

    def _check(self, model: nn.Module) -> None:
        if self.mode != "dynamic" and any(isinstance(m, RECURRENT) for m in model.modules()):
            raise ConfigError("quantize", self.mode, f"cannot handle the recurrent or embedding layers of "
                              f"{self.model_name or type(model).__name__} (no static int8 kernels for them)",
                              "dynamic (int8 Linear, LSTM and GRU weights)")

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        """QAT: fake-quantise before configure_optimizers runs (the parameters stay the same objects)."""
        self._check(pl_module.model)
        if self.mode == "qat" and stage == "fit" and not self._prepared:
            x = next(training_batches(trainer.datamodule, 1))[0]
            pl_module.model = self._traced(lambda: q.prepare_qat(pl_module.model, x))
            self._prepared = True

    def _traced(self, build: Callable[[], nn.Module]) -> nn.Module:
        try:
            return build()
        except (TypeError, NotImplementedError, RuntimeError, AttributeError) as e:  # FX cannot trace it
            raise ConfigError("quantize", self.mode, f"cannot trace {self.model_name or 'this model'} into a "
                              f"graph ({type(e).__name__}: {str(e).splitlines()[0][:200]})",
                              "dynamic (no tracing needed)") from e

    def on_test_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.fp32 = pl_module.model
        if self.mode == "dynamic":
            self.int8 = q.dynamic(self.fp32)
        elif self.mode == "static":
            xs = [b[0] for b in training_batches(trainer.datamodule, self.calibration_batches)]
            self.int8 = self._traced(lambda: q.static(self.fp32, xs))
        else:
            self.int8 = q.convert_qat(self.fp32)
        pl_module.model = q.OnCPU(self.int8)

    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        pl_module.model = self.fp32  # the run's parameter count and any later use see the trained model

    def describe(self) -> dict[str, Any]:
        return {"quantize": self.mode, "engine": q.ENGINE}


class CompressionReport(pl.Callback):
    """Before/after measurements at the end of testing: metrics.json ``compression``, CSV, TensorBoard."""

    def __init__(self, prune: Prune | None = None, quantize: Quantize | None = None, repeats: int = 30) -> None:
        self.prune, self.quantize, self.repeats = prune, quantize, repeats
        self.section: dict[str, Any] = {}

    def _reference(self, pl_module: pl.LightningModule) -> tuple[nn.Module | None, str]:
        if self.prune is not None and self.prune.dense is not None:
            return self.prune.dense, "dense"
        if self.quantize is not None and self.quantize.fp32 is not None:
            return self.quantize.fp32, "fp32"
        if isinstance(pl_module.objective, Distillation):
            return pl_module.objective.teacher, "teacher"
        return None, "none"

    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        before, reference = self._reference(pl_module)
        if before is None or trainer.state.fn != "test":
            return
        after = self.quantize.int8 if self.quantize is not None and self.quantize.int8 is not None else pl_module.model
        after = copy.deepcopy(after)
        before = copy.deepcopy(before)
        metric = pl_module.objective.metric
        batches = list(trainer.datamodule.test_dataloader())
        layers = quantized_layers(after)
        models = {"before": before, "after": after}
        side = {name: report.profile(m, pl_module.objective, batches, metric, layers) for name, m in models.items()}
        timings, timed = report.latencies(models, batches, self.repeats)
        for name, timing in timings.items():
            side[name].update(timing)
        method = " + ".join(filter(None, [self.prune and f"prune={self.prune.method}",
                                           self.quantize and f"quantize={self.quantize.mode}",
                                           reference == "teacher" and "distill=kd"]))
        self.section = {"sparsity": side["after"]["sparsity"], **report.ratios(side["before"], side["after"]),
                        "method": method, "reference": reference, "quantized_layers": layers,
                        **{k: v for c in (self.prune, self.quantize) if c is not None for k, v in c.describe().items()},
                        "latency": timed,
                        "before": side["before"], "after": side["after"]}
        report.print_table(self.section, metric, reference)
        start = (self.prune.describe().get("pruned_at_epochs") or [0])[0] if self.prune is not None else 0
        report.save(self.section, trainer.default_root_dir, trainer.logger, metric, (start, trainer.current_epoch))

    def report(self) -> dict[str, Any]:
        return {"compression": self.section} if self.section else {}


def compression_callbacks(cfg: DictConfig) -> list[pl.Callback]:
    """The configured compression steps and their report (none when nothing is compressed)."""
    from hydra.utils import instantiate

    prune = instantiate(cfg.prune) if cfg.get("prune") else None
    quantize = instantiate(cfg.quantize) if cfg.get("quantize") else None
    if prune is None and quantize is None and not cfg.get("distill"):
        return []
    return [c for c in (prune, quantize) if c is not None] + [CompressionReport(prune, quantize)]
