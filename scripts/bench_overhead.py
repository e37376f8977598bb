"""Per-step cost of aa's training path against a plain PyTorch loop, same MLP, same digits data.

Both sides train the model aa builds for `aa-train` (defaults: MLP [128], Adam) for the same number
of updates; rounds alternate plain / aa so that machine noise hits both. aa's side is a real
Lightning fit through aa's data module and task module, with validation, checkpoints and logging
off (per-epoch costs that a run pays once per epoch, not per update). Prints one line per batch size:

    batch_size=64 plain_ms_per_step=... aa_ms_per_step=... ratio=...

and one line for the hand-written BackProp (``backprop=manual``) against autograd, both on aa's path
(``--engine-only`` prints just that line):

    engine=manual batch_size=64 autograd_ms_per_step=... manual_ms_per_step=... ratio=...

and one line for a whole run as users run it (``--whole-only`` prints just that line): the default
configuration's fit + test (validation every epoch, best checkpoint, TensorBoard, default callbacks)
against a plain PyTorch loop that also validates every epoch, keeps the best weights and tests them,
same model, data split, epochs and updates:

    whole_run epochs=60 plain_s=... aa_s=... ratio=...

and the same training in Lightning's own idiom at its cheapest, without aa (``--floor-only`` prints just
these lines): what Lightning's loops alone cost against the plain loop, the floor under aa's ratios, per
update at full batch and for the whole run:

    lightning_floor batch_size=1168 plain_ms_per_step=... lightning_ms_per_step=... ratio=...
    lightning_floor epochs=60 plain_s=... lightning_s=... ratio=...
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import time
import warnings
from collections.abc import Callable

import torch

from aa.run.cuda_check import runtime_cuda_check, without_nvml_request

warnings.filterwarnings("ignore")


def compose(overrides: list[str]):
    from hydra import compose as hydra_compose, initialize_config_dir

    from aa.config import resolvers
    from aa.config.paths import config_dir

    resolvers.register()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return hydra_compose(config_name="train", overrides=["trainer=cpu", *overrides])


def plain_loop(cfg, steps: int, batch_size: int) -> float:
    """The textbook loop: slice a batch, forward, loss, zero_grad, backward, step."""
    from aa.run import build

    torch.manual_seed(0)
    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    model, loss_fn = task.model, task.loss
    opt = task.optimizer_factory(params=model.parameters())
    x, y = dm.x_train, dm.y_train
    n = len(y)
    order = torch.randperm(n)
    gc.collect()  # both sides start without garbage to collect: a full collection costs up to 0.4 s here
    start = time.perf_counter()
    for i in range(steps):
        idx = order[(i * batch_size) % n:(i * batch_size) % n + batch_size]
        out = model(x[idx])
        loss = loss_fn(out, y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return (time.perf_counter() - start) / steps * 1e3


def aa_path(cfg, steps: int) -> float:
    """aa's fit: data module chunks, TaskModule manual-optimisation loop, Lightning Trainer."""
    from omegaconf import open_dict

    from aa.run import build

    torch.manual_seed(0)
    dm = build.build_data(cfg)
    per_epoch = dm.batch_mode.updates_per_epoch(len(dm.y_train))
    epochs = max(1, steps // per_epoch)
    with open_dict(cfg):
        cfg.trainer.max_epochs = epochs
        cfg.trainer.limit_val_batches = 0
        cfg.trainer.enable_progress_bar = False
        cfg.trainer.enable_checkpointing = False
        cfg.callbacks = {}
        cfg.logger = None
    task = build.build_task(cfg, dm)
    import tempfile

    trainer = build.build_trainer(cfg, tempfile.mkdtemp(prefix="aa-bench-"), dm)
    gc.collect()
    start = time.perf_counter()
    with runtime_cuda_check(trainer):  # as aa.run.train.train fits
        trainer.fit(task, datamodule=dm)
    return (time.perf_counter() - start) / (epochs * per_epoch) * 1e3


def textbook_epoch(model, loss_fn, opt, x, y, size: int, generator: torch.Generator,
                   losses: list | None = None) -> int:
    """One epoch of shuffled mini-batch updates (slice, forward, loss, zero_grad, backward, step); the
    number of updates, and the last update's loss appended to ``losses``. The plain run and the bare
    LightningModule both train with it."""
    updates = 0
    for idx in torch.randperm(len(y), generator=generator).split(size):
        loss = loss_fn(model(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        updates += 1
    if losses is not None:
        losses.append(loss.detach())
    return updates


def plain_run(cfg) -> float:
    """The textbook whole run: per epoch, shuffled mini-batch updates, then a validation pass; the weights
    with the lowest validation loss are kept and tested at the end."""
    import copy

    from aa.run import build

    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    model, loss_fn = task.model, task.loss
    opt = task.optimizer_factory(params=model.parameters())
    x, y, size = dm.x_train, dm.y_train, int(cfg.batch.size)
    g = torch.Generator().manual_seed(cfg.seed)
    gc.collect()
    start = time.perf_counter()
    best, best_state = float("inf"), None
    for _ in range(int(cfg.trainer.max_epochs)):
        model.train()
        textbook_epoch(model, loss_fn, opt, x, y, size, g)
        model.eval()
        with torch.no_grad():
            out = model(dm.x_val)
            val = float(loss_fn(out, dm.y_val))
            _ = (out.argmax(1) == dm.y_val).float().mean()
        if val < best:
            best, best_state = val, copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        _ = (model(dm.x_test).argmax(1) == dm.y_test).float().mean()
    return time.perf_counter() - start


def aa_run(cfg) -> float:
    """aa's whole run as aa-train does it (aa.run.train.train: build, fit, validate and test the best
    checkpoint, metrics.json, HParams), without the Python start-up both sides share."""
    import io
    import tempfile

    from aa.run.train import train

    gc.collect()
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        train(cfg, tempfile.mkdtemp(prefix="aa-bench-"))
    return time.perf_counter() - start


def lightning_run(cfg, steps: int | None = None, batch_size: int | None = None) -> float:
    """The whole run as a bare LightningModule: training_step holds one epoch of textbook updates (one
    Lightning batch an epoch, as aa's chunks) and logs the epoch's last training loss, validation_step one
    pass over the validation tensors with two ``self.log`` values, Lightning's ModelCheckpoint keeps the
    best weights (a file only when val/loss improves), the Trainer's default logger (TensorBoard) records
    what is logged; no progress bar, model summary or other callback; then the best checkpoint is tested.
    Same model, data split, optimiser, epochs and updates as ``plain_run``; nothing of aa's task module.
    Returns seconds. With ``steps``, only the updates (no validation, checkpoint or test), as ``aa_path``:
    milliseconds per update at ``batch_size``."""
    import io
    import tempfile

    import pytorch_lightning as pl
    from pytorch_lightning.callbacks import ModelCheckpoint
    from torch.utils.data import DataLoader, TensorDataset

    from aa.run import build

    gc.collect()
    built = time.perf_counter()  # a whole run loads its data and builds its model, as aa_run's does
    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    built = time.perf_counter() - built
    model, loss_fn, make_opt = task.model, task.loss, task.optimizer_factory
    x, y = dm.x_train, dm.y_train
    size = batch_size or int(cfg.batch.size)
    g = torch.Generator().manual_seed(cfg.seed)
    losses: list[torch.Tensor] = []

    class Bare(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.model, self.automatic_optimization = model, False

        def configure_optimizers(self):
            return make_opt(params=self.model.parameters())

        def training_step(self, batch, batch_idx):
            updates = textbook_epoch(self.model, loss_fn, self.optimizers().optimizer, x, y, size, g, losses)
            steps = self.trainer.fit_loop.epoch_loop.manual_optimization.optim_step_progress
            for _ in range(updates):  # global_step, as aa counts (checkpoints skip a step count saved)
                steps.increment_completed()
            if steps is None:
                self.log("train/loss", losses[-1])

        def validation_step(self, batch, batch_idx):
            out = self.model(dm.x_val)
            self.log("val/loss", loss_fn(out, dm.y_val))
            self.log("val/acc", (out.argmax(1) == dm.y_val).float().mean())

        def test_step(self, batch, batch_idx):
            self.log("test/acc", (self.model(dm.x_test).argmax(1) == dm.y_test).float().mean())

    per_epoch = -(-len(y) // size)
    epochs = int(cfg.trainer.max_epochs) if steps is None else max(1, steps // per_epoch)
    root = tempfile.mkdtemp(prefix="aa-bench-")
    if steps is None:
        extra = {"callbacks": [ModelCheckpoint(dirpath=root, monitor="val/loss", mode="min", save_top_k=1)],
                 "default_root_dir": root}
    else:
        extra = {"enable_checkpointing": False, "limit_val_batches": 0, "logger": False}
    one = DataLoader(TensorDataset(torch.zeros(1)), batch_size=1)  # one Lightning batch an epoch
    module = Bare()
    gc.collect()
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        trainer = pl.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, enable_progress_bar=False,
                             enable_model_summary=False, num_sanity_val_steps=0, **extra)
        trainer.fit(module, train_dataloaders=one, val_dataloaders=None if steps else one)
        if steps is None:
            trainer.test(module, dataloaders=one, ckpt_path="best", verbose=False)
    elapsed = time.perf_counter() - start
    return elapsed + built if steps is None else elapsed / (epochs * per_epoch) * 1e3


def alternate(rounds: int, plain: Callable[[], float], other: Callable[[], float],
              nvml: bool = False) -> tuple[float, float]:
    """Medians of ``plain`` and ``other`` run in turn, so machine noise hits both; the plain side runs
    without Lightning's NVML request, as a process without Lightning would (or aa's path runs), unless
    ``nvml`` keeps it, as a bare Lightning fit runs by default."""
    p, o = [], []
    for _ in range(rounds):
        with without_nvml_request() if not nvml else contextlib.nullcontext():
            p.append(plain())
        o.append(other())
    return statistics.median(p), statistics.median(o)


def lightning_floor_line(rounds: int, steps: int) -> None:
    """The bare LightningModule against the plain loop: per update at full batch (one update an epoch,
    so Lightning's per-epoch cost shows), then the whole run."""
    cfg = compose([])
    from aa.run import build

    n_train = len(build.build_data(cfg).y_train)
    p, b = alternate(rounds, lambda: plain_loop(compose(["batch=full"]), steps, n_train),
                     lambda: lightning_run(compose(["batch=full"]), steps, n_train))
    print(f"lightning_floor batch_size={n_train} plain_ms_per_step={p:.3f} lightning_ms_per_step={b:.3f} "
          f"ratio={b / p:.2f}", flush=True)
    p, b = alternate(rounds, lambda: plain_run(compose([])), lambda: lightning_run(compose([])))
    print(f"lightning_floor epochs={cfg.trainer.max_epochs} plain_s={p:.2f} lightning_s={b:.2f} ratio={b / p:.2f}",
          flush=True)


def whole_run_line(rounds: int) -> None:
    cfg = compose([])
    p, a = alternate(rounds, lambda: plain_run(compose([])), lambda: aa_run(compose([])))
    print(f"whole_run epochs={cfg.trainer.max_epochs} plain_s={p:.2f} aa_s={a:.2f} ratio={a / p:.2f}", flush=True)


def aa_vs_lightning_lines(rounds: int, steps: int) -> None:
    """aa's own cost above a bare Lightning fit: per update at batch 1 and 64 (updates only, as ``aa_path``),
    then the default whole run (validation, checkpoints, TensorBoard and aa's callbacks on) against the bare
    LightningModule's whole run; medians of alternating rounds. The whole run twice: the bare fit as Lightning
    runs it (``aa_vs_lightning_as_run``), then, the strict reading printed last, with the bare fit spared the
    NVML request as aa's path is (aa.run.cuda_check), so that only what aa adds is left."""
    for bs in (1, 64):
        overrides = ["batch=mini", f"batch.size={bs}"]
        n = steps * 2 if bs == 1 else steps
        b, a = alternate(rounds, lambda o=overrides: lightning_run(compose(o), n, bs),
                         lambda o=overrides: aa_path(compose(o), n))
        print(f"aa_vs_lightning batch_size={bs} lightning_ms_per_step={b:.3f} aa_ms_per_step={a:.3f} "
              f"ratio={a / b:.2f}", flush=True)
    cfg = compose([])
    b, a = alternate(rounds, lambda: lightning_run(compose([])), lambda: aa_run(compose([])), nvml=True)
    print(f"aa_vs_lightning_as_run epochs={cfg.trainer.max_epochs} lightning_s={b:.2f} aa_s={a:.2f} "
          f"ratio={a / b:.2f} (the bare fit asks NVML at every Adam step, as Lightning sets it up)", flush=True)
    b, a = alternate(rounds, lambda: lightning_run(compose([])), lambda: aa_run(compose([])))
    print(f"aa_vs_lightning epochs={cfg.trainer.max_epochs} lightning_s={b:.2f} aa_s={a:.2f} ratio={a / b:.2f}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds; medians are reported")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for both sides")
    parser.add_argument("--engine-only", action="store_true", help="only the backprop=manual vs autograd line")
    parser.add_argument("--whole-only", action="store_true", help="only the whole-run line")
    parser.add_argument("--floor-only", action="store_true", help="only the bare-Lightning lines (full batch, whole run)")
    parser.add_argument("--vs-lightning-only", action="store_true", help="only aa against a bare Lightning fit")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import logging

    import pytorch_lightning  # noqa: F401  (it sets its logger's level on import; quiet it afterwards)

    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    if args.whole_only:
        whole_run_line(args.rounds)
        return
    if args.floor_only:
        lightning_floor_line(args.rounds, args.steps)
        return
    if args.vs_lightning_only:
        aa_vs_lightning_lines(args.rounds, args.steps)
        return
    probe = compose([])
    from aa.run import build

    n_train = len(build.build_data(probe).y_train)
    for label, overrides, bs in () if args.engine_only else (("1", ["batch=mini", "batch.size=1"], 1),
                                 ("64", ["batch=mini", "batch.size=64"], 64),
                                 (str(n_train), ["batch=full"], n_train)):
        steps = args.steps if bs > 1 else args.steps * 2
        p, a = alternate(args.rounds, lambda o=overrides, s=steps, b=bs: plain_loop(compose(o), s, b),
                         lambda o=overrides, s=steps: aa_path(compose(o), s))
        print(f"batch_size={label} plain_ms_per_step={p:.3f} aa_ms_per_step={a:.3f} ratio={a / p:.2f}", flush=True)
    manual_engine_line(args.steps, args.rounds)
    if args.engine_only:
        return
    whole_run_line(args.rounds)
    lightning_floor_line(args.rounds, args.steps)
    aa_vs_lightning_lines(args.rounds, args.steps)


def manual_engine_line(steps: int, rounds: int) -> None:
    """backprop=manual against autograd, both through aa's fit of the default MLP on digits, batch 64."""
    overrides = ["batch=mini", "batch.size=64"]
    auto, manual = [], []
    for _ in range(rounds):
        auto.append(aa_path(compose(overrides), steps))
        manual.append(aa_path(compose([*overrides, "backprop=manual"]), steps))
    a, m = statistics.median(auto), statistics.median(manual)
    print(f"engine=manual batch_size=64 autograd_ms_per_step={a:.3f} manual_ms_per_step={m:.3f} ratio={m / a:.2f}",
          flush=True)


if __name__ == "__main__":
    main()
