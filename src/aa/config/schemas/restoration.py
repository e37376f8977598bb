"""Schemas of super-resolution: the restoration objective, ESPCN, SRCNN, the superres data set and its
figure. Data and models share the input form "low_resolution", so nothing else trains on it."""
from __future__ import annotations

from typing import Optional

from aa.base.errors import ConfigError
from aa.config.schema import NodeSchema, opt, schema

READS = {"inputs": ("low_resolution",), "uses": ("activation",)}


@schema("aa.task.restoration.Restoration")
class Restoration(NodeSchema):
    info = {"tasks": ("restoration",), "metric": "psnr", "uses_loss": False}
    pixel_loss: str = opt("mse", choices=("l1", "mse"), doc="mean absolute or mean squared pixel error")


@schema("aa.models.superres.ESPCN")
class ESPCN(NodeSchema):
    info = READS
    widths: list[int] = opt([64, 32], ge=1, nonempty=True, doc="channels of the convolutions before the sub-pixel one")
    residual: bool = opt(True, doc="add the bicubic upscaling to the output (learn the correction)")


@schema("aa.models.superres.SRCNN")
class SRCNN(NodeSchema):
    info = READS
    widths: list[int] = opt([64, 32], ge=1, nonempty=True, doc="channels of the hidden convolutions")
    kernels: list[int] = opt([9, 5, 5], ge=1, nonempty=True, doc="kernel side per layer: len(widths) + 1")
    residual: bool = opt(True, doc="add the bicubic upscaling to the output (learn the correction)")

    @staticmethod
    def check(path: str, node: dict) -> None:
        widths, kernels = node.get("widths") or [64, 32], node.get("kernels") or [9, 5, 5]
        if len(kernels) != len(widths) + 1:
            raise ConfigError(f"{path}.kernels", kernels, f"needs one kernel per layer: {len(widths) + 1} for "
                              f"{len(widths)} hidden widths", f"{len(widths) + 1} odd sizes, e.g. 9,5,5")


@schema("aa.data.superres.SuperResolutionData")
class SuperResolution(NodeSchema):
    info = {"task": "restoration", "inputs": ("low_resolution",)}
    source: str = opt("shapes", choices=("shapes", "digits", "image_folder"), doc="where the high-resolution pictures come from")
    scale: int = opt(2, choices=(2, 3, 4), doc="how many times smaller the input is")
    hr_size: int = opt(48, ge=12, le=1024, doc="side of the high-resolution pictures (a multiple of scale)")
    n_samples: int = opt(1200, ge=10, le=100_000, doc="generated pictures (shapes; digits: at most 1797)")
    root: Optional[str] = opt(None, doc="source=image_folder: a folder of pictures")
    patches_per_image: int = opt(16, ge=1, le=10_000, doc="at most this many hr_size tiles per picture")
    val_fraction: float = opt(0.15, gt=0, lt=1)
    test_fraction: float = opt(0.2, gt=0, lt=1)
    standardize: bool = opt(False, doc="z-score inputs (false: the output is the picture itself)")

    @staticmethod
    def check(path: str, node: dict) -> None:
        scale, side = node.get("scale", 2), node.get("hr_size", 48)
        if side % scale:
            raise ConfigError(f"{path}.hr_size", side, f"is not a multiple of dataset.scale={scale}",
                              f"e.g. {side - side % scale} or {side - side % scale + scale}")
        if node.get("source") == "image_folder":
            import os

            if not node.get("root") or not os.path.isdir(os.path.expanduser(str(node["root"]))):
                raise ConfigError(f"{path}.root", node.get("root"), "is not a folder; source=image_folder needs "
                                  "dataset.root=DIR, a folder of pictures", "a folder")
        elif node.get("root"):
            raise ConfigError(f"{path}.root", node["root"], f"is read only with source=image_folder "
                              f"(source={node.get('source')})", "dataset.source=image_folder, or drop dataset.root")


@schema("aa.callbacks.superres_figures.SuperResolutionFigure")
class SuperResolutionFigure(NodeSchema):
    count: int = opt(3, ge=1, le=32, doc="validation pictures drawn")
    every_n_epochs: int = opt(5, ge=1)
