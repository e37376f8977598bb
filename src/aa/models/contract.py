"""What a generative net provides, and what a graph network shows of its nodes: the written contract
that figures, sample quality and aa-sample rely on instead of probing a model's attributes.

A ``Generator`` turns latent codes into data (``render``); a ``Sampler`` also draws codes from its
prior (VAE, GAN; an autoencoder has none), and an ``Encoder`` maps data to codes (autoencoder, VAE).
``classes`` is 0 for unconditional nets, else the number of classes they are conditioned on.
Models know nothing of training: these are what a trained net can be asked for.
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import torch
from torch import Tensor


@runtime_checkable
class Generator(Protocol):
    """Latent codes of size ``latent`` (and, if conditional, class labels) to data."""

    latent: int
    classes: int

    def render(self, z: Tensor, y: Tensor | None = None) -> Tensor: ...


@runtime_checkable
class Sampler(Generator, Protocol):
    """A generator with a prior: ``n`` samples, of the given classes when conditional."""

    def sample(self, n: int, y: Tensor | None = None, generator: torch.Generator | None = None) -> Tensor: ...


@runtime_checkable
class Encoder(Generator, Protocol):
    """A generator that can also map data (and labels) to their codes."""

    def embed(self, x: Tensor, y: Tensor | None = None) -> Tensor: ...


@runtime_checkable
class NodeEmbedder(Protocol):
    """A graph network's last hidden layer for every node of a graph (the node-embedding figure)."""

    def embed(self, graph: Any) -> Tensor: ...
