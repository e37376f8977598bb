"""Mask R-CNN and Faster R-CNN (lecture section 8: detection and segmentation), torchvision's definitions
sized for the data: images are not upscaled (min/max size default to the data's image size), anchors
follow the image size, and training from scratch uses trainable normalisation, not frozen batch norm."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn
from torchvision.models import detection as tvd
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN, mobilenet_backbone
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.ops import misc
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

from aa.base.errors import ConfigError

BACKBONES = ("resnet50_fpn", "resnet18_fpn", "mobilenet_v3_fpn")
RATIOS = (0.5, 1.0, 2.0)
COCO_WEIGHTS = {("maskrcnn", "resnet50_fpn"): "MaskRCNN_ResNet50_FPN_Weights",
                ("fasterrcnn", "resnet50_fpn"): "FasterRCNN_ResNet50_FPN_Weights",
                ("fasterrcnn", "mobilenet_v3_fpn"): "FasterRCNN_MobileNet_V3_Large_FPN_Weights"}


def norm_layer(norm: str) -> Callable[[int], nn.Module]:
    """batch: learns and tracks statistics; group: 32 groups, independent of the (small) detection batch;
    frozen: fixed statistics and affine, only for fine-tuning pretrained weights."""
    if norm == "group":
        return lambda c: nn.GroupNorm(min(32, c), c)
    return misc.FrozenBatchNorm2d if norm == "frozen" else nn.BatchNorm2d


def cached(url: str, key: str, what: str) -> dict[str, torch.Tensor]:
    """A state dict from torchvision's hub cache; a clear refusal instead of a download when absent."""
    path = Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]
    if not path.is_file():
        raise ConfigError(key, True, f"no {what} weights in the torch hub cache ({path}); copy torchvision's "
                          f"{path.name} there, or set model.weights_path=FILE, or train from scratch with "
                          "model.pretrained=false")
    return torch.load(path, map_location="cpu", weights_only=True)


def backbone(name: str, norm: str, channels: int, imagenet: bool, stages: int = 4) -> nn.Module:
    """A feature pyramid on ResNet or MobileNet-v3. From scratch every layer trains; from ImageNet weights
    the stem and first stage stay fixed, as in torchvision's reference. ``stages`` < 4 leaves out ResNet's
    last stages (2x2 maps on 64 px images), which are then never run."""
    from torchvision import models

    arch = name.removesuffix("_fpn")
    layer = norm_layer(norm)
    if name == "mobilenet_v3_fpn":
        body = mobilenet_backbone(backbone_name="mobilenet_v3_large", weights=None, fpn=True, norm_layer=layer,
                                  trainable_layers=6)
        net = body.body
    else:
        net = getattr(models, arch)(weights=None, norm_layer=layer)
        width = net.inplanes // 8  # channels of layer1's output (64 for ResNet-18, 256 for ResNet-50)
        body = BackboneWithFPN(net, {f"layer{i + 1}": str(i) for i in range(stages)},
                               [width * 2 ** i for i in range(stages)], channels, extra_blocks=LastLevelMaxPool())
    if imagenet:
        url = models.get_model_weights("mobilenet_v3_large" if name == "mobilenet_v3_fpn" else arch).IMAGENET1K_V1.url
        state = cached(url, "model.pretrained", f"ImageNet {arch}")
        net.load_state_dict({k: v for k, v in state.items() if k in net.state_dict()}, strict=False)
        if name != "mobilenet_v3_fpn":
            for pname, p in net.named_parameters():
                p.requires_grad_(pname.startswith(("layer2", "layer3", "layer4")))
    return body


def anchors(image_size: int, levels: int, mobile: bool = False) -> AnchorGenerator:
    """Sizes doubling up to the image size, smallest image_size/16 (8..128 for 128 px images, as in
    matterport's shapes sample): one size per pyramid level, or all five on each of MobileNet's levels."""
    if mobile:
        per_level = (tuple(max(2, round(image_size / 16 * 2 ** i)) for i in range(5)),) * levels
    else:
        per_level = tuple((max(2, round(image_size / 2 ** (levels - 1) * 2 ** i)),) for i in range(levels))
    return AnchorGenerator(per_level, (RATIOS,) * len(per_level))


def load_weights(model: nn.Module, kind: str, name: str, weights_path: str | None, pretrained: bool) -> bool:
    """COCO weights (or any detector state dict) from a file or the hub cache; True when loaded. Tensors
    whose shape differs (the class-specific heads for another number of classes) keep their initial values."""
    if weights_path:
        if not Path(weights_path).expanduser().is_file():
            raise ConfigError("model.weights_path", weights_path, "is not a file")
        state = torch.load(Path(weights_path).expanduser(), map_location="cpu", weights_only=True)
        state = state.get("state_dict", state)
    elif pretrained and (kind, name) in COCO_WEIGHTS:
        state = cached(getattr(tvd, COCO_WEIGHTS[(kind, name)]).COCO_V1.url, "model.pretrained", "COCO detector")
    else:
        return False
    own = model.state_dict()
    model.load_state_dict({k: v for k, v in state.items() if k in own and own[k].shape == v.shape}, strict=False)
    return True


def heads(kind: str, channels: int, num_classes: int, keys: dict[str, Any]) -> dict[str, Any]:
    """The RoI heads at the chosen widths (torchvision's: a 1024-wide box MLP, four 256-channel mask
    convs); the mask head dominates a small detector's cost on CPU, so its width is a key."""
    keys = dict(keys)
    width = keys.pop("box_head_size", 1024)
    layers = tuple(keys.pop("mask_head_channels", (256, 256, 256, 256)))
    out = dict(keys, box_head=TwoMLPHead(channels * 7 * 7, width), box_predictor=FastRCNNPredictor(width, num_classes))
    if kind == "maskrcnn":
        out.update(mask_head=MaskRCNNHeads(channels, layers, 1),
                   mask_predictor=MaskRCNNPredictor(layers[-1], layers[-1], num_classes))
    return out


def build(cls: type, kind: str, model: nn.Module, input_shape: tuple[int, ...], num_outputs: int,
          backbone_name: str, norm: str, pretrained: bool, weights_path: str | None, min_size: int | None,
          max_size: int | None, fpn_channels: int, stages: int, keys: dict[str, Any]) -> None:
    """Initialise ``model`` as torchvision's ``cls`` with a backbone, sizes and anchors for the data."""
    if backbone_name not in BACKBONES:
        raise ConfigError("model.backbone", backbone_name, "is not a detection backbone", ", ".join(BACKBONES))
    coco = bool(weights_path) or (pretrained and (kind, backbone_name) in COCO_WEIGHTS)
    if coco or backbone_name == "mobilenet_v3_fpn":
        fpn_channels = 256  # what COCO detectors (and torchvision's MobileNet pyramid) were built with
    mobile = backbone_name == "mobilenet_v3_fpn"
    body = backbone(backbone_name, norm, fpn_channels, pretrained and not coco, stages)
    side = max(input_shape[-2:])
    cls.__init__(model, body, min_size=min_size or min(input_shape[-2:]), max_size=max_size or side,
                 rpn_anchor_generator=anchors(side, 3 if mobile else stages + 1, mobile),
                 **heads(kind, body.out_channels, num_outputs, keys))
    model.loaded_weights = load_weights(model, kind, backbone_name, weights_path, pretrained)


class MaskRCNN(tvd.MaskRCNN):
    """Boxes, classes and an instance mask per object (He et al. 2017). ``keys``: torchvision's RPN and
    RoI sampling sizes (rpn_batch_size_per_image, box_batch_size_per_image, rpn_pre_nms_top_n_train, ...)."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, backbone: str = "resnet18_fpn",
                 norm: str = "group", pretrained: bool = False, weights_path: str | None = None,
                 min_size: int | None = None, max_size: int | None = None, fpn_channels: int = 256,
                 stages: int = 4, **keys: Any) -> None:
        build(tvd.MaskRCNN, "maskrcnn", self, input_shape, num_outputs, backbone, norm, pretrained, weights_path,
              min_size, max_size, fpn_channels, stages, keys)


class FasterRCNN(tvd.FasterRCNN):
    """Boxes and classes only (Ren et al. 2015): Mask R-CNN without the mask branch."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, backbone: str = "resnet18_fpn",
                 norm: str = "group", pretrained: bool = False, weights_path: str | None = None,
                 min_size: int | None = None, max_size: int | None = None, fpn_channels: int = 256,
                 stages: int = 4, **keys: Any) -> None:
        build(tvd.FasterRCNN, "fasterrcnn", self, input_shape, num_outputs, backbone, norm, pretrained,
              weights_path, min_size, max_size, fpn_channels, stages, keys)
