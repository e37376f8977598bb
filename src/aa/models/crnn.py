"""CRNN (Shi, Bai and Yao, 2015): convolutions turn a line image or a spectrogram (C, H, W) into feature
maps; each column of the last map, read left to right, is one frame for a bidirectional LSTM; a linear
layer scores every frame over the alphabet plus the CTC blank. Pooling halves the height at every block
but the width only in the first ``width_pools`` blocks, so a line keeps enough frames per character."""
from __future__ import annotations

from torch import Tensor, nn

from aa.base.errors import ConfigError


class CRNN(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, channels: list[int] = (32, 64),
                 width_pools: int = 1, hidden_size: int = 128, num_layers: int = 2, dropout: float = 0.0) -> None:
        super().__init__()
        c, h, w = input_shape
        blocks: list[nn.Module] = []
        for i, out in enumerate(channels):
            pool = (2, 2) if i < width_pools else (2, 1)
            blocks += [nn.Conv2d(c, out, 3, padding=1), nn.BatchNorm2d(out), nn.ReLU(), nn.MaxPool2d(pool)]
            c, h, w = out, h // 2, w // pool[1]
        if h < 1 or w < 1:
            raise ConfigError("model.channels", list(channels), f"pools the {input_shape[1:]} input to nothing",
                              "fewer blocks or a smaller model.width_pools")
        self.features = nn.Sequential(*blocks)
        self.rnn = nn.LSTM(c * h, hidden_size, num_layers, batch_first=True, bidirectional=True,
                           dropout=dropout if num_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(2 * hidden_size, num_outputs)

    def frames(self, x: Tensor) -> Tensor:
        """(N, W', C' * H') column features, left to right."""
        f = self.features(x)
        return f.permute(0, 3, 1, 2).flatten(2)

    def forward(self, x: Tensor) -> Tensor:
        seq, _ = self.rnn(self.frames(x))
        return self.out(self.drop(seq))

