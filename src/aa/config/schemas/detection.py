"""Schemas of detection and instance segmentation: the detectors, their data sets and objective.
A COCO folder's annotation file is read here (plain json), so a missing or malformed file, an image that
is not there or a box outside its image is refused before torch loads."""
from __future__ import annotations

from typing import Optional

from aa.base.errors import ConfigError
from aa.config.schema import NodeSchema, opt, schema

BACKBONES = ("resnet50_fpn", "resnet18_fpn", "mobilenet_v3_fpn")
TRANSFORMS = ("flip", "scale", "crop", "color")


@schema("aa.task.detection.Detection")
class Detection(NodeSchema):
    info = {"tasks": ("detection",), "metric": "map_50", "uses_loss": False}
    warmup_updates: int = opt(100, ge=0, doc="updates over which the learning rate rises to its set value")
    warmup_factor: float = opt(0.001, gt=0, le=1, doc="learning-rate factor at the first update")
    backend: str = opt("faster_coco_eval", choices=("faster_coco_eval", "pycocotools"),
                       doc="COCO evaluation library behind torchmetrics' MeanAveragePrecision")


@schema("aa.models.detection.FasterRCNN")
class Detector(NodeSchema):
    info = {"inputs": ("detection",)}
    backbone: str = opt("resnet18_fpn", choices=BACKBONES, doc="feature pyramid on this network")
    norm: str = opt("group", choices=("batch", "group", "frozen"),
                    doc="backbone normalisation; frozen only with pretrained weights")
    pretrained: bool = opt(False, doc="COCO detector weights (resnet50_fpn; else ImageNet backbone) from the hub cache")
    weights_path: Optional[str] = opt(None, doc="a detector state_dict file to start from")
    min_size: Optional[int] = opt(None, ge=16, le=4096, doc="shorter side the detector resizes to; null: the data's")
    max_size: Optional[int] = opt(None, ge=16, le=4096, doc="longer side cap; null: the data's image size")
    fpn_channels: int = opt(256, ge=8, le=512, doc="channels of every pyramid level (256 with COCO weights)")
    stages: int = opt(4, ge=1, le=4, doc="ResNet stages feeding the pyramid; fewer skip the coarsest (small images)")
    box_head_size: int = opt(1024, ge=8, doc="width of the two fully connected layers of the box head")
    rpn_batch_size_per_image: int = opt(256, ge=1, doc="anchors sampled per image for the RPN loss")
    rpn_pre_nms_top_n_train: int = opt(2000, ge=1, doc="proposals per level kept before NMS in training")
    rpn_post_nms_top_n_train: int = opt(2000, ge=1, doc="proposals kept after NMS in training")
    rpn_pre_nms_top_n_test: int = opt(1000, ge=1)
    rpn_post_nms_top_n_test: int = opt(1000, ge=1)
    box_batch_size_per_image: int = opt(512, ge=1, doc="RoIs sampled per image for the box (and mask) heads")
    box_detections_per_img: int = opt(100, ge=1, doc="detections kept per image")
    box_score_thresh: float = opt(0.05, ge=0, lt=1, doc="detections scoring below this are dropped")

    @classmethod
    def check(cls, path: str, node: dict) -> None:
        if node.get("norm") == "frozen" and not (node.get("pretrained") or node.get("weights_path")):
            raise ConfigError(f"{path}.norm", "frozen", "keeps the initial statistics fixed, so a model trained "
                              "from scratch cannot learn them; use it only with model.pretrained or "
                              "model.weights_path", "batch, group")
        if node.get("norm") == "group" and (node.get("pretrained") or node.get("weights_path")):
            raise ConfigError(f"{path}.norm", "group", "does not fit pretrained weights, which were trained "
                              "with batch norm", "frozen, batch")


@schema("aa.models.detection.MaskRCNN")
class MaskDetector(Detector):
    mask_head_channels: list[int] = opt([256, 256, 256, 256], ge=1, nonempty=True, doc="channels of the mask head's 3x3 convs")

    @classmethod
    def check(cls, path: str, node: dict) -> None:
        super().check(path, node)
        if not node.get("mask_head_channels") or min(node["mask_head_channels"]) < 1:
            raise ConfigError(f"{path}.mask_head_channels", node.get("mask_head_channels"),
                              "needs at least one layer of at least one channel", "e.g. [256,256,256,256]")


class DetectionSet(NodeSchema):
    info = {"task": "detection", "inputs": ("detection",)}
    transforms: list[str] = opt(["flip"], doc="training-split augmentation: " + ", ".join(TRANSFORMS))
    workers: int = opt(0, ge=0, le=64, doc="DataLoader worker processes")
    eval_batch_size: int = opt(16, ge=1, doc="images per val/test batch")

    @classmethod
    def check(cls, path: str, node: dict) -> None:
        for name in node.get("transforms") or ():
            if name not in TRANSFORMS:
                raise ConfigError(f"{path}.transforms", name, "is not a detection transform", ", ".join(TRANSFORMS))


@schema("aa.data.shapes.ShapesData")
class Shapes(DetectionSet):
    image_size: int = opt(128, ge=32, le=1024, doc="side of the generated square images")
    n_train: int = opt(1000, ge=1, doc="generated training images")
    n_val: int = opt(100, ge=1)
    n_test: int = opt(200, ge=1)
    max_shapes: int = opt(4, ge=1, le=20, doc="each image holds 1..max_shapes shapes")


@schema("aa.data.penn_fudan.PennFudanData")
class PennFudan(DetectionSet):
    root: Optional[str] = opt(None, doc="folder holding PennFudanPed/; default $AA_DATA, else ~/.cache/aa/data")
    download: bool = opt(False, doc="fetch the zip when it is not under root")
    md5: Optional[str] = opt(None, doc="expected MD5 of the downloaded zip")
    image_size: int = opt(512, ge=32, le=2048, doc="longer side the images are scaled to")
    workers: Optional[int] = opt(None, ge=0, le=64, doc="DataLoader worker processes; null: the machine's "
                                                         "cores, at most 8")
    eval_batch_size: int = opt(4, ge=1, doc="images per val/test batch")
    val_fraction: float = opt(0.15, gt=0, lt=1)
    test_fraction: float = opt(0.15, gt=0, lt=1)


@schema("aa.data.coco.CocoData")
class Coco(DetectionSet):
    root: str = opt("???", doc="folder of the images the annotation file names")
    annotations: str = opt("???", doc="COCO-format JSON (polygons or RLE masks)")
    val_annotations: Optional[str] = opt(None, doc="a separate val JSON; null: val_fraction of the images")
    test_fraction: float = opt(0.2, gt=0, lt=1, doc="share of the training file's images held out for test, "
                                                   "never used to train or to choose the checkpoint")
    image_size: Optional[int] = opt(None, ge=32, le=2048, doc="the detector's image side; null: the largest "
                                    "width or height in the annotation file (at most 1333)")
    val_fraction: float = opt(0.2, gt=0, lt=1, doc="share of the images held out for val (without val_annotations)")
    eval_batch_size: int = opt(4, ge=1, doc="images per val/test batch")
    workers: Optional[int] = opt(None, ge=0, le=64, doc="DataLoader worker processes decoding the images; null: "
                                                         "the machine's cores, at most 8")
    boxes_only: bool = opt(False, doc="annotations without a segmentation take their box as the mask (counted); "
                                      "false: such a file is refused")

    @classmethod
    def check(cls, path: str, node: dict) -> None:
        super().check(path, node)
        from aa.config.coco_check import check_coco

        for key in ("annotations", "val_annotations"):
            if node.get(key):
                check_coco(node["root"], node[key], f"{path}.{key}", bool(node.get("boxes_only")))


@schema("aa.callbacks.detection_figures.DetectionFigures")
class DetectionFigures(NodeSchema):
    count: int = opt(4, ge=1, le=64, doc="validation images drawn")
    every_n_epochs: int = opt(1, ge=1)
    threshold: float = opt(0.5, ge=0, le=1, doc="predictions scoring below this are not drawn")
