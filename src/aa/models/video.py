"""Video classifiers for clips (N, frames, C, H, W).

CNNLSTM: a small frame CNN (conv, ReLU, 2x2 max-pool per block) whose flattened maps, which keep where
things are, become one feature vector per frame; an LSTM or GRU reads the frames in order and its last
state is classified (many-to-one). R3D: torchvision's 3-D residual blocks (Tran et al. 2018) over space
and time at once, with widths sized for small clips: conv=3d (R3D), mixed (MC3: 3-D in the first stage,
2-D after) or 2plus1d (R(2+1)D: a 2-D spatial then a 1-D temporal conv)."""
from __future__ import annotations

from torch import Tensor, nn
from torchvision.models.video.resnet import BasicBlock, Conv2Plus1D, Conv3DNoTemporal, Conv3DSimple


class CNNLSTM(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, channels: tuple[int, ...] = (16, 32),
                 features: int = 64, hidden: int = 64, cell: str = "lstm", layers: int = 1) -> None:
        super().__init__()
        _, c, h, w = input_shape
        blocks: list[nn.Module] = []
        for a, b in zip((c, *channels), channels):
            blocks += [nn.Conv2d(a, b, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
        side = (h >> len(channels)) * (w >> len(channels))
        self.frame = nn.Sequential(*blocks, nn.Flatten(), nn.Linear(channels[-1] * side, features), nn.ReLU(inplace=True))
        self.rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(features, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, num_outputs)

    def forward(self, x: Tensor) -> Tensor:
        n, t = x.shape[:2]
        per_frame = self.frame(x.flatten(0, 1)).view(n, t, -1)
        out, _ = self.rnn(per_frame)
        return self.head(out[:, -1])


CONVS = {"3d": (Conv3DSimple,) * 4, "mixed": (Conv3DSimple,) + (Conv3DNoTemporal,) * 3, "2plus1d": (Conv2Plus1D,) * 4}


class R3D(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, widths: tuple[int, ...] = (16, 32, 64, 128),
                 blocks: tuple[int, ...] = (1, 1, 1, 1), conv: str = "3d") -> None:
        super().__init__()
        channels = input_shape[1]
        self.stem = nn.Sequential(nn.Conv3d(channels, widths[0], 3, padding=1, bias=False),
                                  nn.BatchNorm3d(widths[0]), nn.ReLU(inplace=True))
        stages, inplanes = [], widths[0]
        for i, (planes, count) in enumerate(zip(widths, blocks)):
            builder = CONVS[conv][min(i, 3)]
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or inplanes != planes:
                down = nn.Sequential(nn.Conv3d(inplanes, planes, 1, stride=builder.get_downsample_stride(stride),
                                               bias=False), nn.BatchNorm3d(planes))
            layer = [BasicBlock(inplanes, planes, builder, stride, down)]
            layer += [BasicBlock(planes, planes, builder) for _ in range(count - 1)]
            stages.append(nn.Sequential(*layer))
            inplanes = planes
        self.stages = nn.Sequential(*stages)
        self.pool, self.fc = nn.AdaptiveAvgPool3d(1), nn.Linear(widths[-1], num_outputs)

    def forward(self, x: Tensor) -> Tensor:
        x = self.stages(self.stem(x.transpose(1, 2)))  # (N, T, C, H, W) -> (N, C, T, H, W)
        return self.fc(self.pool(x).flatten(1))
