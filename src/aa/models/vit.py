"""Vision Transformer (Dosovitskiy et al. 2021): the image cut into patch x patch squares, each projected
to a token, a class token and learned positions added, a Transformer encoder, the class token (or the
mean of the tokens) classified. torchvision's ``VisionTransformer``, sized for small images.

patch_size=null picks a preset: 2 on images up to 16 px (8x8 digits: 16 tokens), 4 up to 64 px
(MNIST, CIFAR: 49 or 64 tokens), else 16 (ImageNet's 224 px: 196 tokens). An image whose side is not a
multiple of the patch is padded on the right and bottom (with 0, the mean of standardised inputs).
pretrained / weights_path start from ViT-B/16's ImageNet weights (hidden 768, 12 layers, 12 heads,
patch 16 at 224 px); position embeddings of another token count and the new head start afresh."""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F
from torchvision.models.vision_transformer import VisionTransformer

from aa.models.torchvision_nets import Transferable, kaiming_conv


def preset_patch(side: int) -> int:
    return 2 if side <= 16 else 4 if side <= 64 else 16


class ViT(Transferable, VisionTransformer):
    head = ("heads",)
    weight_norms = ("LayerNorm",)

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, patch_size: int | None = None,
                 hidden_dim: int = 128, num_layers: int = 4, num_heads: int = 4, mlp_dim: int = 256,
                 dropout: float = 0.1, attention_dropout: float = 0.0, pool: str = "mean", overlap: bool = True,
                 pretrained: bool = False, weights_path: str | None = None, freeze: str = "none") -> None:
        side = max(input_shape[1:])
        patch = patch_size or preset_patch(side)
        padded = -(-side // patch) * patch
        super().__init__(image_size=padded, patch_size=patch, num_layers=num_layers, num_heads=num_heads,
                         hidden_dim=hidden_dim, mlp_dim=mlp_dim, dropout=dropout, attention_dropout=attention_dropout,
                         num_classes=num_outputs)
        if input_shape[0] != 3:  # grey images: a patch projection of their channels, He's init (on the digits
            # it reached 96.4 % test where torchvision's truncated normal reached 93.6 %)
            self.conv_proj = kaiming_conv(input_shape[0], hidden_dim, kernel_size=patch, stride=patch)
        if overlap:  # each token's window reaches patch // 2 pixels (at least 1) into each neighbour; same grid
            border = max(1, patch // 2)
            self.conv_proj = kaiming_conv(input_shape[0], hidden_dim, kernel_size=patch + 2 * border, stride=patch,
                                          padding=border)
        self.pool = pool
        self.transfer("vit_b_16", nn.LayerNorm, pretrained, weights_path, freeze)

    def tokens(self, x: Tensor) -> Tensor:
        """(N, 1 + patches, hidden) after the encoder: the class token first."""
        side = self.image_size
        x = F.pad(x, (0, side - x.shape[-1], 0, side - x.shape[-2]))
        x = self._process_input(x)
        return self.encoder(torch.cat([self.class_token.expand(len(x), -1, -1), x], dim=1))

    def forward(self, x: Tensor) -> Tensor:
        h = self.tokens(x)
        return self.heads(h[:, 0] if self.pool == "cls" else h[:, 1:].mean(1))

    @torch.no_grad()
    def attention_rollout(self, x: Tensor) -> Tensor:
        """Attention rollout (Abnar & Zuidema 2020) per patch, (N, rows, cols): each layer's attention
        averaged over heads, mixed half and half with the identity (the residual path), rows renormalised,
        multiplied from the first layer up; read from what the pooled output reads (the class token's row,
        or the mean of the patch tokens' rows)."""
        side = self.image_size
        x = F.pad(x, (0, side - x.shape[-1], 0, side - x.shape[-2]))
        h = self._process_input(x)
        h = torch.cat([self.class_token.expand(len(h), -1, -1), h], dim=1)
        h = self.encoder.dropout(h + self.encoder.pos_embedding)
        rollout = torch.eye(h.shape[1], device=h.device).expand(len(h), -1, -1)
        for layer in self.encoder.layers:
            y = layer.ln_1(h)
            _, weights = layer.self_attention(y, y, y, need_weights=True, average_attn_weights=True)
            mixed = 0.5 * weights + 0.5 * torch.eye(h.shape[1], device=h.device)
            rollout = (mixed / mixed.sum(-1, keepdim=True)) @ rollout
            h = layer(h)
        read = rollout[:, 0, 1:] if self.pool == "cls" else rollout[:, 1:, 1:].mean(1)
        cells = side // self.patch_size
        return read.reshape(len(x), cells, cells)
