"""ResNet-18 training throughput on CIFAR-shaped images: aa's path against a plain PyTorch loop.

Both sides train the ResNet-18 aa builds for 32x32 images and 10 classes (``model=resnet18``, CIFAR stem)
with the same optimiser (aa's default Adam), batch size and number of updates, on the same synthetic
CIFAR-shaped images (uint8, 3x32x32, a colour and a stripe per class plus noise; no download), held whole
on the device. aa's side is a real Lightning fit through aa's data module (its uint8 images on the device,
sliced per update), task module and Trainer, with validation, checkpoints and logging off. The first
epoch of each side is warm-up (cuDNN autotuning, torch.compile) and is not timed. Prints the device
and, per side, one line, then their ratio:

    device=cuda name=NVIDIA H100 ... threads=16
    plain images/s=... (bf16=False channels_last=False compile=False batch_size=256 updates=...)
    aa images/s=... (...)
    aa_vs_plain images/s ratio=...   (aa's rate over the plain loop's; 1.0: aa costs nothing)

Switches: ``--bf16`` (autocast to bfloat16: Lightning's ``bf16-mixed`` on aa's side), ``--channels-last``
(model and images in NHWC), ``--compile`` (torch.compile the model on both sides); ``--tiny`` a CPU-sized
run (batch 4, one warm-up and one timed update a side) that checks the script works in seconds, not a figure to report.

    python scripts/bench_gpu.py                               # fp32
    python scripts/bench_gpu.py --bf16 --channels-last        # what trainer=gpu is expected to want
    python scripts/bench_gpu.py --bf16 --channels-last --compile
"""
from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
import warnings

import torch

from aa.data.cifar import CIFAR10Data

warnings.filterwarnings("ignore")


def synthetic_images(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """CIFAR-shaped uint8 images a ResNet can learn: each class has its own mean colour and a stripe at
    its own row, under noise, so the loss falls as on real data and no update is wasted on a constant."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(10, (n,), generator=g)
    colour = torch.rand(10, 3, 1, 1, generator=g) * 160 + 40
    x = colour[y] + 40 * torch.randn(n, 3, 32, 32, generator=g)
    rows = torch.arange(32).view(1, 1, 32, 1)
    x = x + 60 * ((rows // 3) == y.view(-1, 1, 1, 1)).float()
    return x.clamp(0, 255).to(torch.uint8), y


class SyntheticCIFAR(CIFAR10Data):
    """aa's CIFAR-10 data module with synthetic images in place of the download (the same uint8 layout)."""

    n_train = 50_000

    def load_splits(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        self.class_names = [f"class{k}" for k in range(10)]
        x, y = synthetic_images(self.n_train + 64, self.seed)
        return x[:-64], y[:-64], x[-64:], y[-64:]


def compose(args: argparse.Namespace):
    from hydra import compose as hydra_compose, initialize_config_dir
    from omegaconf import open_dict

    from aa.config import resolvers
    from aa.config.paths import config_dir

    resolvers.register()
    overrides = ["model=resnet18", "dataset=cifar10", f"batch.size={args.batch_size}", "scheduler=none",
                 f"trainer.accelerator={args.device}", "trainer.enable_progress_bar=false"]
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = hydra_compose(config_name="train", overrides=overrides)
    with open_dict(cfg):
        cfg.callbacks, cfg.logger = {}, None
        cfg.trainer.precision = "bf16-mixed" if args.bf16 else "32-true"
        cfg.trainer.limit_val_batches, cfg.trainer.enable_checkpointing = 0, False
    return cfg


def build(cfg, args: argparse.Namespace):
    """aa's data module (synthetic images in place of cfg.dataset's download) and task module, with the
    switches applied to its model."""
    from hydra.utils import instantiate

    from aa.run import build as aa_build

    SyntheticCIFAR.n_train = args.batch_size * args.updates
    torch.manual_seed(0)
    extra = {"seed": cfg.seed, "batch_mode": instantiate(cfg.batch), "input_kind": "image"}
    dm = SyntheticCIFAR(root=tempfile.mkdtemp(prefix="aa-bench-gpu-"), download=False, val_fraction=0.0,
                        standardize=True, **extra)
    dm.setup("fit")
    task = aa_build.build_task(cfg, dm)
    if args.channels_last:
        task.model.to(memory_format=torch.channels_last)
    if args.compile:
        task.model.compile()
    return dm, task


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def plain_rate(cfg, args: argparse.Namespace) -> float:
    """The textbook loop on the device: slice a batch of images, scale, forward (autocast if bf16),
    cross-entropy, zero_grad, backward, step; epoch 0 is warm-up, the rest timed."""
    from torch.nn import functional as F

    dm, task = build(cfg, args)
    model = task.model.to(args.device).train()
    opt = task.optimizer_factory(params=model.parameters())
    x, y = dm.x_train.to(args.device), dm.y_train.to(args.device)
    fmt = torch.channels_last if args.channels_last else torch.contiguous_format
    autocast = (lambda: torch.autocast(args.device, dtype=torch.bfloat16)) if args.bf16 else contextlib.nullcontext
    g = torch.Generator().manual_seed(0)
    start, images = 0.0, 0
    for epoch in range(args.epochs):
        if epoch == 1:
            sync(args.device)
            start = time.perf_counter()
        for idx in torch.randperm(len(y), generator=g).to(args.device).split(args.batch_size):
            xb = x[idx].float().div_(255).contiguous(memory_format=fmt)
            with autocast():
                loss = F.cross_entropy(model(xb), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            images += len(idx) if epoch else 0
    sync(args.device)
    return images / (time.perf_counter() - start)


def aa_rate(cfg, args: argparse.Namespace) -> float:
    """aa's fit (its data module on the device, TaskModule's update loop, Lightning's Trainer); epoch 0
    is warm-up, the others are timed from the start of epoch 1 to the end of the fit."""
    import pytorch_lightning as pl
    from omegaconf import open_dict

    from aa.run import build as aa_build
    from aa.run.cuda_check import runtime_cuda_check

    class Clock(pl.Callback):
        start = 0.0

        def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
            if trainer.current_epoch == 1:
                sync(args.device)
                self.start = time.perf_counter()

    with open_dict(cfg):
        cfg.trainer.max_epochs = args.epochs
    dm, task = build(cfg, args)
    trainer = aa_build.build_trainer(cfg, tempfile.mkdtemp(prefix="aa-bench-gpu-"), dm)
    clock = Clock()
    trainer.callbacks.append(clock)
    with runtime_cuda_check(trainer):
        trainer.fit(task, datamodule=dm)
    sync(args.device)
    return (args.epochs - 1) * len(dm.y_train) / (time.perf_counter() - clock.start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bf16", action="store_true", help="autocast to bfloat16 (aa: trainer.precision=bf16-mixed)")
    p.add_argument("--channels-last", action="store_true", help="model and images in NHWC memory format")
    p.add_argument("--compile", action="store_true", help="torch.compile the model on both sides")
    p.add_argument("--tiny", action="store_true", help="CPU-sized check: batch 4, one timed update a side")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--updates", type=int, default=40, help="updates per epoch")
    p.add_argument("--epochs", type=int, default=3, help="epochs per side; the first is warm-up")
    p.add_argument("--device", default=None, help="cuda or cpu (default: cuda if available)")
    args = p.parse_args()
    if args.tiny:
        args.batch_size, args.updates, args.epochs = 4, 1, 2
    args.device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    name = torch.cuda.get_device_name() if args.device == "cuda" else "cpu"
    print(f"device={args.device} name={name} threads={torch.get_num_threads()} torch={torch.__version__}", flush=True)
    cfg = compose(args)
    what = (f"(bf16={args.bf16} channels_last={args.channels_last} compile={args.compile} "
            f"batch_size={args.batch_size} updates={(args.epochs - 1) * args.updates} timed)")
    plain = round(plain_rate(cfg.copy(), args), 3)
    print(f"plain images/s={plain:.3f} {what}", flush=True)
    aa = round(aa_rate(cfg.copy(), args), 3)
    print(f"aa images/s={aa:.3f} {what}", flush=True)
    print(f"aa_vs_plain images/s ratio={aa / plain:.4f} (aa={aa:.3f} plain={plain:.3f})", flush=True)


if __name__ == "__main__":
    main()
