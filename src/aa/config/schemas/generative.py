"""Schemas of the generative family: autoencoder, VAE and GAN models, their objectives, the 2-D mixtures
and the generative figures. Objectives train on classification data (images with labels) and, for the
GAN, on the mixtures; a regression table is refused before torch loads."""
from __future__ import annotations

from typing import Optional

from aa.config.schema import NodeSchema, opt, schema

ARCH = ("mlp", "conv")
READS = {"inputs": ("image", "vector")}  # images when the data has them (conv needs them), else vectors


class Coder(NodeSchema):
    info = READS
    latent: int = opt(16, ge=1, doc="size of the code z")
    hidden: list[int] = opt([128], ge=1, doc="hidden widths of the reading net; the writing net mirrors them")
    arch: str = opt("mlp", choices=ARCH, doc="mlp, or conv (stride-2 convolutions, DCGAN-style)")


@schema("aa.models.autoencoder.Autoencoder")
class Autoencoder(Coder):
    corruption: str = opt("none", choices=("none", "gaussian", "mask"), doc="denoising: corrupt inputs in training")
    level: float = opt(0.3, ge=0, le=1, doc="noise std (gaussian) or share of inputs zeroed (mask)")
    recon: str = opt("bernoulli", choices=("bernoulli", "mse"), doc="reconstruction loss")


@schema("aa.models.vae.VAE")
class VAE(Coder):
    latent: int = opt(20, ge=1, doc="size of the code z")
    hidden: list[int] = opt([400], ge=1, doc="hidden widths of the encoder; the decoder mirrors them")
    decoder: str = opt("bernoulli", choices=("bernoulli", "gaussian"), doc="p(x|z)")
    conditional: bool = opt(False, doc="condition encoder and decoder on the class")


@schema("aa.models.gan.GAN")
class GAN(Coder):
    latent: Optional[int] = opt(None, ge=1, doc="size of the code z; null: the data's width up to 16")
    hidden: list[int] = opt([128, 128], ge=1, doc="hidden widths of the generator; the discriminator mirrors them")
    pack: int = opt(2, ge=1, le=16, doc="samples D judges together (PacGAN); 1: the plain GAN")
    conditional: bool = opt(False, doc="condition generator and discriminator on the class")


@schema("aa.task.autoencoder.Reconstruction")
class Reconstruction(NodeSchema):
    info = {"tasks": ("classification",), "metric": "recon", "uses_loss": False}


@schema("aa.task.vae.VariationalBound")
class VariationalBound(NodeSchema):
    info = {"tasks": ("classification",), "metric": "elbo", "uses_loss": False}
    classifier: Optional[str] = opt(None, doc="checkpoint of a classifier of the same data (null: train and cache one)")
    quality: bool = opt(True, doc="judge prior samples: Frechet distance, class accuracy")
    beta: float = opt(1.0, ge=0, doc="weight of the KL term in training (beta-VAE)")
    warmup: int = opt(0, ge=0, doc="epochs over which the KL weight ramps from 0 to beta")


@schema("aa.task.gan.Adversarial")
class Adversarial(NodeSchema):
    info = {"tasks": ("classification", "mixture"), "metric": "fd", "uses_loss": False}
    classifier: Optional[str] = opt(None, doc="checkpoint of a classifier of the same data (null: train and cache one)")
    d_steps: int = opt(1, ge=1, doc="discriminator updates per generator update")
    label_smoothing: float = opt(0.0, ge=0, lt=0.5, doc="real target 1 - label_smoothing (one-sided)")


@schema("aa.data.mixture.MixtureData")
class Mixture(NodeSchema):
    info = {"task": "mixture", "inputs": ("vector",)}
    name: str = opt("ring", choices=("ring", "grid"), doc="8 Gaussians on a ring or 25 on a grid")
    n_samples: int = opt(10000, ge=100, le=10_000_000)
    std: Optional[float] = opt(None, gt=0, doc="std of every mode; null: 0.02 (ring), 0.05 (grid)")
    val_fraction: float = opt(0.2, gt=0, lt=1)
    test_fraction: float = opt(0.2, gt=0, lt=1)
    standardize: bool = opt(False, doc="z-score inputs with training-split statistics")


@schema("aa.callbacks.generative.GenerativeFigures")
class GenerativeFigures(NodeSchema):
    samples: int = opt(64, ge=1, le=1024, doc="samples in the grid (fixed noise, so epochs compare)")
    every_n_epochs: int = opt(10, ge=1, doc="latent scatter, interpolation and mixture cloud every n epochs")
