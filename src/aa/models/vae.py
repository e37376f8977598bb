"""Variational autoencoder (Kingma & Welling): a Gaussian encoder q(z|x) = N(mu, sigma^2), the
reparameterisation z = mu + sigma * eps, a Bernoulli or Gaussian decoder p(x|z) and the prior N(0, I).
Conditional: the one-hot class joins the encoder's features and the code, so a chosen class can be drawn."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from aa.models.coders import Reader, Writer, one_hot


class VAE(nn.Module):
    """The architecture only: how the KL term is weighed in training (beta, warm-up) is the VAE
    objective's (aa.task.vae). The Gaussian decoder learns one log standard deviation shared by all pixels."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, latent: int = 20,
                 hidden: list[int] = (400,), arch: str = "mlp", decoder: str = "bernoulli",
                 conditional: bool = False, bounded: bool = True) -> None:
        super().__init__()
        self.latent, self.decoder_kind = latent, decoder
        self.classes, self.bounded = num_outputs if conditional else 0, bounded
        self.encoder = Reader(input_shape, 2 * latent, list(hidden), arch, cond=self.classes)
        self.decoder = Writer(latent, input_shape, list(hidden)[::-1], arch, cond=self.classes)
        self.log_scale = nn.Parameter(torch.zeros(())) if decoder == "gaussian" else None

    def encode(self, x: Tensor, y: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """mu and log sigma^2 of q(z|x)."""
        mu, logvar = self.encoder(x, one_hot(y, self.classes)).chunk(2, dim=1)
        return mu, logvar

    def embed(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        return self.encode(x, y)[0]

    def decode(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        """The decoder's output phi: Bernoulli logits or the Gaussian mean."""
        return self.decoder(z, one_hot(y, self.classes))

    def mean(self, phi: Tensor) -> Tensor:
        return torch.sigmoid(phi) if self.decoder_kind == "bernoulli" else phi

    def render(self, z: Tensor, y: Tensor | None = None) -> Tensor:
        return self.mean(self.decode(z, y))

    def sample(self, n: int, y: Tensor | None = None, generator: torch.Generator | None = None) -> Tensor:
        """n draws of the decoder's mean for codes from the prior (of class y when conditional)."""
        ref = next(self.parameters())
        z = torch.randn(n, self.latent, generator=generator, device=ref.device if generator is None else "cpu")
        return self.render(z.to(ref.device), y)

    def forward(self, x: Tensor, y: Tensor | None = None) -> Tensor:
        """The reconstruction's phi from the posterior mean (deterministic, for inference and graphs)."""
        return self.decode(self.encode(x, y)[0], y)
