"""FCN (Long et al. 2015) and DeepLabV3 (Chen et al. 2017): torchvision's definitions on a ResNet backbone
sized for the data, trained from scratch or from a local ImageNet state_dict for the backbone.

Small images (up to 64 px) get the 3x3 stride-1 stem without max-pool, and the last stage keeps the
resolution with dilated convolutions (DeepLab's atrous trick), so a 32 px image leaves 8x8 maps, not 1x1;
the head's scores are upsampled bilinearly to the input size, as torchvision does."""
from __future__ import annotations

from torch import Tensor, nn
from torchvision.models import resnet as tv
from torchvision.models._utils import IntermediateLayerGetter
from torchvision.models.segmentation.deeplabv3 import DeepLabHead, DeepLabV3 as TorchvisionDeepLabV3
from torchvision.models.segmentation.fcn import FCN as TorchvisionFCN, FCNHead

from aa.models.pretrained import load_pretrained
from aa.models.torchvision_nets import use_small_stem

BACKBONES = {"resnet18": (tv.resnet18, 512), "resnet34": (tv.resnet34, 512), "resnet50": (tv.resnet50, 2048)}


def dilate_last_stage(stage: nn.Sequential, dilation: int = 2) -> None:
    """Stride 1 instead of 2 in the stage's first block, and its 3x3 convolutions dilated instead, so the
    maps keep their size while each unit still sees as far (what replace_stride_with_dilation does for
    Bottleneck blocks, which torchvision refuses for BasicBlock)."""
    for m in stage.modules():
        if isinstance(m, nn.Conv2d):
            if m.stride == (2, 2):
                m.stride = (1, 1)
            if m.kernel_size == (3, 3):
                m.dilation, m.padding = (dilation, dilation), (dilation, dilation)


def resnet_body(backbone: str, input_shape: tuple[int, ...], stem: str, weights_path: str | None) -> nn.Module:
    """The ResNet's stages up to layer4 (no pool, no fc), returning {"out": maps}."""
    make, _ = BACKBONES[backbone]
    net = make(weights=None)
    if weights_path:
        load_pretrained(net, backbone, weights_path)
    channels = input_shape[0]
    if use_small_stem(stem, input_shape):
        net.conv1 = nn.Conv2d(channels, 64, kernel_size=3, stride=1, padding=1, bias=False)
        net.maxpool = nn.Identity()
    elif channels != 3:
        net.conv1 = nn.Conv2d(channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
    dilate_last_stage(net.layer4)
    return IntermediateLayerGetter(net, {"layer4": "out"})


class FCN(TorchvisionFCN):
    """Fully convolutional: the backbone's coarse maps, a 3x3 conv head, scores upsampled to the image."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, backbone: str = "resnet18",
                 stem: str = "auto", weights_path: str | None = None) -> None:
        channels = BACKBONES[backbone][1]
        super().__init__(resnet_body(backbone, input_shape, stem, weights_path), FCNHead(channels, num_outputs))

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(x)["out"]


class DeepLabV3(TorchvisionDeepLabV3):
    """Atrous spatial pyramid pooling over the backbone's maps: parallel dilated convs and an image-level pool."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, backbone: str = "resnet18",
                 stem: str = "auto", weights_path: str | None = None,
                 atrous_rates: tuple[int, ...] = (2, 4, 6)) -> None:
        channels = BACKBONES[backbone][1]
        super().__init__(resnet_body(backbone, input_shape, stem, weights_path),
                         DeepLabHead(channels, num_outputs, tuple(atrous_rates)))

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(x)["out"]
