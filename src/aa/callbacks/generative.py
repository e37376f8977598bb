"""TensorBoard pictures of generative models (``aa.models.contract.Generator``), added to the callbacks
by their model configs (autoencoder, vae, gan).

Every epoch: a grid of samples from fixed noise (so epochs compare; conditional models cycle the
classes along each row) and validation inputs above their reconstructions. After the first epoch,
every ``every_n_epochs`` and at the last: the latent map coloured by class, interpolations between
codes, and for 2-D mixtures the sample cloud over the true modes. The latest of each is kept as a PNG."""
from __future__ import annotations

import os
from typing import Any

import pytorch_lightning as pl
import torch

from aa.base import plotting
from aa.callbacks.figures import publish
from aa.data.contract import DataModule, KnownDensity
from aa.generative import figures
from aa.generative.batches import take
from aa.generative.parts import split_model
from aa.models.contract import Encoder, Generator, Sampler


class GenerativeFigures(pl.Callback):
    def __init__(self, samples: int = 64, every_n_epochs: int = 10) -> None:
        self.samples, self.every_n_epochs = samples, every_n_epochs

    @staticmethod
    def parts(pl_module: pl.LightningModule) -> tuple[Any, Generator | None]:
        prep, net = split_model(pl_module.model)
        return prep, (net if isinstance(net, Generator) else None)

    def image(self, trainer: pl.Trainer, tag: str, images: torch.Tensor, nrow: int, png: str,
              columns: list[str] | None = None, rows: list[str] | None = None) -> None:
        """A grid of ``nrow`` columns, enlarged without smoothing to a legible size, with optional labels
        over its columns (a conditional model's classes) and beside its rows; also kept as a PNG."""
        import numpy as np
        from PIL import Image

        picture = figures.grid(images, nrow)
        small = (picture.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
        big = plotting.legible(small)
        k = big.shape[0] // small.shape[0]
        if rows:
            big = plotting.side_labels(big, rows, (images.shape[-2] + 1) * k)
        if columns:
            left = big.shape[1] - small.shape[1] * k + k  # after the row labels and the grid's first padding
            cell = (images.shape[-1] + 1) * k
            big = plotting.header(big, [_fit(c, cell) for c in columns], cell, left)
        Image.fromarray(big).save(os.path.join(trainer.default_root_dir, png))
        for logger in trainer.loggers:
            if hasattr(logger.experiment, "add_image"):
                logger.experiment.add_image(tag, big, global_step=trainer.current_epoch, dataformats="HWC")

    @torch.no_grad()
    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        prep, net = self.parts(pl_module)
        dm = trainer.datamodule
        fitting = trainer.state.fn == "fit"  # not the re-validation of the best checkpoint after fit
        if trainer.sanity_checking or not fitting or net is None or dm is None:
            return
        was_training = net.training
        net.eval()
        try:
            self.draw(trainer, dm, prep, net)
        finally:
            net.train(was_training)

    def draw(self, trainer: pl.Trainer, dm: DataModule, prep: Any, net: Generator) -> None:
        epoch, device = trainer.current_epoch, next(net.parameters()).device
        x, y = (t.to(device) for t in take(dm, "val", self.samples))
        images = x.dim() == 4
        names = [str(n) for n in dm.class_names] if net.classes else None
        nrow = net.classes or 8
        n = max(1, self.samples // nrow) * nrow  # full rows: a conditional grid has one column per class
        g = torch.Generator().manual_seed(0)
        labels = torch.arange(n, device=device) % net.classes if net.classes else None
        z = torch.randn(n, net.latent, generator=g).to(device)
        sampler = isinstance(net, Sampler)
        if images and sampler:
            self.image(trainer, "samples", net.render(z, labels), nrow, "samples.png", columns=names)
        if images and isinstance(net, Encoder):
            c = y if net.classes else None
            recon = net.render(net.embed(prep(x), c), c)
            k = max(1, min(len(x), 32) // 8)  # rows of 8 inputs, each above its reconstructions
            w = min(8, len(x))
            blocks = torch.stack([x[:k * w].reshape(k, w, *x.shape[1:]), recon[:k * w].reshape(k, w, *x.shape[1:])], 1)
            self.image(trainer, "reconstructions", blocks.reshape(-1, *x.shape[1:]), w, "reconstructions.png",
                       rows=["input", "recon."] * k)
        last = epoch + 1 >= (trainer.max_epochs or 0) or trainer.should_stop
        if not ((epoch + 1) % self.every_n_epochs == 0 or last or epoch == 0):
            return
        if isinstance(net, Encoder):
            vx, vy = (t.to(device) for t in take(dm, "val"))
            codes = torch.cat([net.embed(prep(b), c if net.classes else None)
                               for b, c in zip(vx.split(1024), vy.split(1024))])
            fig = figures.latent_map(codes, vy, list(dm.class_names), epoch)
            publish(trainer, "latent/scatter", fig, epoch, "latent_scatter.png")
        if images:
            if isinstance(net, Encoder):
                c = y[:8] if net.classes else None
                c1 = y[8:16] if net.classes else None
                z0, z1 = net.embed(prep(x[:8]), c), net.embed(prep(x[8:16]), c1)
            else:
                z0, z1, c = z[:8], z[8:16], labels[:8] if labels is not None else None
            if len(z0) == len(z1) and len(z0):
                path = figures.interpolation(net, z0, z1, c, c, steps=10)
                rows = [names[int(i)] for i in c] if names and c is not None else None
                self.image(trainer, "latent/interpolation", path, 10, "interpolation.png", rows=rows,
                           columns=["z0"] + [""] * 8 + ["z1"])
        if isinstance(dm, KnownDensity) and sampler:
            cloud = net.sample(2000, None if not net.classes else torch.arange(2000, device=device) % net.classes,
                               generator=torch.Generator().manual_seed(0))
            fig = figures.mixture_cloud(cloud, dm.x_val, dm.centers, dm.std, epoch)
            publish(trainer, "samples/mixture", fig, epoch, "mixture_samples.png")


def _fit(label: str, width: int) -> str:
    """A column label cut to the column's width (about 8 pixels a character)."""
    most = max(1, width // 8)
    return label if len(label) <= most else label[:most - 1] + "."
