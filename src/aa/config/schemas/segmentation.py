"""Schemas of semantic segmentation: the objective, U-Net, FCN, DeepLabV3, the shapes and folder data sets
and the overlay figure. Segmentation data and models share the input form "segmentation" (an image whose
every pixel has a class), so a classifier is refused on a segmentation set and a segmenter on a classification set."""
from __future__ import annotations

from typing import Optional

from aa.config.schema import NodeSchema, opt, schema
from aa.config.schemas.data import Splits

READS = {"inputs": ("segmentation",)}


@schema("aa.task.segmentation.Segmentation")
class Segmentation(NodeSchema):
    info = {"tasks": ("segmentation",), "metric": "miou", "uses_loss": False}
    dice_weight: float = opt(0.0, ge=0, le=10, doc="weight of the (1 - soft Dice) term added to the pixel cross-entropy")
    ignore_index: Optional[int] = opt(None, ge=0, le=255, doc="class index of unlabelled pixels; null: the data's (255)")


@schema("aa.models.unet.UNet")
class UNet(NodeSchema):
    info = READS
    depth: int = opt(3, ge=1, le=6, doc="times the encoder halves the maps (and the decoder doubles them back)")
    width: int = opt(16, ge=1, le=256, doc="channels of the first stage; each deeper stage doubles them")
    batch_norm: bool = opt(True, doc="batch normalisation after every convolution (the 2015 paper had none)")


class TorchvisionSegmenter(NodeSchema):
    info = READS
    backbone: str = opt("resnet18", choices=("resnet18", "resnet34", "resnet50"), doc="ResNet whose stages feed the head")
    stem: str = opt("auto", choices=("auto", "imagenet", "small"),
                    doc="small: 3x3 stride-1 stem without max-pool for images up to 64 px (auto picks)")
    weights_path: Optional[str] = opt(None, doc="an ImageNet ResNet state_dict (.pth) for the backbone; null: from scratch")

    @staticmethod
    def check(path: str, node: dict) -> None:
        if node.get("weights_path"):
            from aa.config.files import require_file

            require_file(f"{path}.weights_path", node["weights_path"], "a ResNet state_dict file (.pth) for the backbone")


@schema("aa.models.segmentation_nets.FCN")
class FCN(TorchvisionSegmenter):
    pass


@schema("aa.models.segmentation_nets.DeepLabV3")
class DeepLabV3(TorchvisionSegmenter):
    atrous_rates: list[int] = opt([2, 4, 6], ge=1, nonempty=True,
                                  doc="dilations of the ASPP's 3x3 branches (torchvision's 12,24,36 suit 512 px images)")


@schema("aa.data.shapes_segmentation.ShapesSegmentationData")
class ShapesSegmentation(Splits):
    info = {"task": "segmentation", "inputs": ("segmentation",)}
    image_size: int = opt(32, ge=16, le=512, doc="side of the generated images")
    n_samples: int = opt(1200, ge=10, le=100_000, doc="images generated, split into train/val/test")
    max_shapes: int = opt(3, ge=1, le=10, doc="shapes per image (1 to this many)")
    min_scale: float = opt(0.25, gt=0, le=1, doc="smallest shape side as a share of the image side")
    max_scale: float = opt(0.55, gt=0, le=1, doc="largest shape side as a share of the image side")


@schema("aa.data.segmentation_folder.SegmentationFolderData")
class SegmentationFolder(Splits):
    info = {"task": "segmentation", "inputs": ("segmentation",)}
    root: str = opt("???", doc="folder with images/ and masks/ (same file stems), or train/, val/ (and test/) each holding both")
    image_size: Optional[int] = opt(None, ge=8, le=2048, doc="side images (bilinear) and masks (nearest) are resized to; "
                                                            "null: the images' own size, the same for all")
    num_classes: Optional[int] = opt(None, ge=2, le=255, doc="classes including background; null: the largest index in the masks + 1")
    classes: Optional[list[str]] = opt(None, doc="a name per class index; null: background, class_1, ...")

    @staticmethod
    def check(path: str, node: dict) -> None:
        from aa.config.files import require_segmentation_tree

        require_segmentation_tree(f"{path}.root", node.get("root"))


@schema("aa.data.penn_fudan_segmentation.PennFudanSegmentationData")
class PennFudanSegmentation(Splits):
    info = {"task": "segmentation", "inputs": ("segmentation",)}
    root: Optional[str] = opt(None, doc="folder holding PennFudanPed/; default $AA_DATA, else ~/.cache/aa/data")
    download: bool = opt(False, doc="fetch PennFudanPed.zip when it is not under root")
    md5: Optional[str] = opt(None, doc="expected MD5 of the downloaded zip")
    image_size: int = opt(128, ge=16, le=1024, doc="side photos (bilinear) and masks (nearest) are resized to")
    val_fraction: float = opt(0.15, gt=0, lt=1, doc="share of the photos held out for validation")
    test_fraction: float = opt(0.15, gt=0, lt=1, doc="share of the photos held out for the test")


@schema("aa.data.voc_segmentation.VOCSegmentationData")
class VOCSegmentation(NodeSchema):
    info = {"task": "segmentation", "inputs": ("segmentation",)}
    root: Optional[str] = opt(None, doc="folder holding VOCdevkit/VOC2012; default $AA_DATA, else ~/.cache/aa/data")
    download: bool = opt(False, doc="fetch VOCtrainval_11-May-2012.tar (2 GB) when it is not under root")
    image_size: int = opt(128, ge=16, le=1024, doc="side images (bilinear) and masks (nearest) are resized to")
    val_fraction: float = opt(0.15, gt=0, lt=1, doc="share of VOC's train list held out for validation "
                                                  "(VOC's val list is the test split)")
    standardize: bool = opt(True, doc="z-score inputs with training-split statistics")


@schema("aa.callbacks.segmentation_figures.SegmentationOverlays")
class SegmentationOverlays(NodeSchema):
    count: int = opt(4, ge=1, le=32, doc="validation images drawn")
    every_n_epochs: int = opt(5, ge=1)
