"""Autoencoder: x -> code z -> reconstruction, optionally denoising (the input is corrupted in
training, the target stays clean)."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from aa.models.coders import Reader, Writer


class Autoencoder(nn.Module):
    """``recon``: bernoulli (decoder outputs logits, cross-entropy) or mse (squared error of the
    outputs). ``bounded`` (a data fact): samples lie in [0, 1], so outputs pass through a sigmoid."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, latent: int = 16,
                 hidden: list[int] = (128,), arch: str = "mlp", corruption: str = "none", level: float = 0.3,
                 recon: str = "bernoulli", bounded: bool = True) -> None:
        super().__init__()
        self.latent, self.classes, self.recon, self.bounded = latent, 0, recon, bounded
        self.corruption, self.level = corruption, level
        self.encoder = Reader(input_shape, latent, list(hidden), arch)
        self.decoder = Writer(latent, input_shape, list(hidden)[::-1], arch)

    def corrupt(self, x: Tensor) -> Tensor:
        """Denoising: Gaussian noise of std ``level`` or a random ``level`` share of inputs set to zero."""
        if self.corruption == "gaussian":
            return x + self.level * torch.randn_like(x)
        if self.corruption == "mask":
            return x * (torch.rand_like(x) >= self.level)
        return x

    def embed(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        return self.encoder(x)

    def decode(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        """The decoder's output phi: logits (bernoulli) or the reconstruction itself (mse)."""
        phi = self.decoder(z)
        return torch.sigmoid(phi) if self.recon == "mse" and self.bounded else phi

    def mean(self, phi: Tensor) -> Tensor:
        return torch.sigmoid(phi) if self.recon == "bernoulli" else phi

    def render(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        return self.mean(self.decode(z, y))

    def forward(self, x: Tensor) -> Tensor:
        return self.decode(self.embed(x))
