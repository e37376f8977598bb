"""Generative adversarial network (Goodfellow et al.): a generator G(z) and a discriminator D(x)
trained against each other; MLP or DCGAN-style conv players; conditional on a class if asked."""
from __future__ import annotations

import functools
import math

import torch
from torch import Tensor, nn

from aa.models.coders import Reader, Writer, one_hot


class GAN(nn.Module):
    """The two players; how they are trained (d_steps, label smoothing) is the GAN objective's
    (aa.task.gan). ``pack`` > 1 lets D judge ``pack`` samples at once, all real or all generated (PacGAN),
    which penalises a generator that covers few modes: it sets D's input width, so it is architecture.
    ``bounded`` (a data fact): samples lie in [0, 1], so the generator ends in a sigmoid. ``latent`` None:
    the data's width up to 16, since G must learn to ignore code dimensions beyond the data's (on the 2-D
    ring a 16-D code kept the clusters wider than 3 sigma; docs/generative.md)."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, latent: int | None = None,
                 hidden: list[int] = (128, 128), arch: str = "mlp", pack: int = 2, conditional: bool = False,
                 bounded: bool = True) -> None:
        super().__init__()
        latent = latent or min(16, math.prod(input_shape))
        self.latent, self.pack = latent, pack
        self.classes, self.bounded = num_outputs if conditional else 0, bounded
        leaky = functools.partial(nn.LeakyReLU, 0.2)
        self.generator = Writer(latent, input_shape, list(hidden), arch, cond=self.classes)
        packed = (input_shape[0] * pack, *input_shape[1:]) if arch == "conv" else (pack * math.prod(input_shape),)
        self.discriminator = Reader(packed, 1, list(hidden)[::-1], arch, cond=self.classes * pack, act=leaky)

    def render(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        """G(z): a sample in data space."""
        x = self.generator(z, one_hot(y, self.classes))
        return torch.sigmoid(x) if self.bounded else x

    def noise(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        ref = next(self.parameters())
        z = torch.randn(n, self.latent, generator=generator, device=ref.device if generator is None else "cpu")
        return z.to(ref.device)

    def sample(self, n: int, y: Tensor | None = None, generator: torch.Generator | None = None) -> Tensor:
        return self.render(self.noise(n, generator), y)

    def forward(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        """D's logit that x is real, one per pack of ``pack`` consecutive samples (a remainder is dropped)."""
        n = len(x) // self.pack
        x = x[: n * self.pack].reshape(n, -1, *x.shape[2:]) if x.dim() == 4 else x[: n * self.pack].reshape(n, -1)
        c = one_hot(y, self.classes)
        return self.discriminator(x, None if c is None else c[: n * self.pack].reshape(n, -1))[:, 0]
