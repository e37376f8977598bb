"""Detection and instance segmentation: torchvision's detectors take lists of images and target dicts
and return their loss terms in training and their detections in evaluation. The objective sums the
terms (each logged per epoch), warms the learning rate up as torchvision's detection reference does,
and scores val/test with COCO mean average precision for boxes (and masks)."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Sequence

import torch
import torchmetrics
from torch import Tensor, nn

from aa.task.objective import Objective, Step

if TYPE_CHECKING:
    from torch.optim import Optimizer

    from aa.task.module import TaskModule

Batch = tuple[list[Tensor], list[dict[str, Tensor]]]
logging.getLogger("faster_coco_eval").setLevel(logging.WARNING)  # its per-evaluation table would flood train.log


def has_masks(model: nn.Module) -> bool:
    heads = getattr(model, "roi_heads", None)
    return bool(heads is not None and heads.has_mask())


class Detection(Objective):
    """q = sum of the detector's loss terms (RPN objectness and box, classifier, box regression, mask).

    Warm-up: for the first ``warmup_updates`` updates the learning rate is multiplied by a factor rising
    linearly from ``warmup_factor`` to 1 (torchvision's reference: 1/1000 over up to 1000 updates), on top
    of whatever schedule the scheduler group sets."""

    task = "detection"
    metric = "map_50"

    def __init__(self, model: nn.Module, warmup_updates: int = 100, warmup_factor: float = 0.001,
                 backend: str = "faster_coco_eval") -> None:
        super().__init__()
        self.warmup_updates, self.warmup_factor = warmup_updates, warmup_factor
        self.iou_types = ("bbox", "segm") if has_masks(model) else ("bbox",)
        for split in ("val", "test"):
            self.add_module(f"{split}_map", torchmetrics.detection.MeanAveragePrecision(
                iou_type=self.iou_types, backend=backend))
            self.add_module(f"{split}_loss", torchmetrics.MeanMetric())

    def warmup(self, update: int) -> float:
        if update >= self.warmup_updates:
            return 1.0
        alpha = update / self.warmup_updates
        return self.warmup_factor * (1 - alpha) + alpha

    def step(self, task: "TaskModule", batch: Batch) -> Step:
        images, targets = batch
        terms = task.model(images, targets)
        loss = sum(terms.values())
        n = len(images)
        return Step(loss, loss.detach(), n, {name: value.detach() * n for name, value in terms.items()})

    def update(self, task: "TaskModule", batch: Batch, optimizers: Sequence["Optimizer"]) -> Step:
        factor = self.warmup(task.global_step)
        opt = optimizers[0]
        for group in opt.param_groups:
            group["lr"] *= factor
        try:
            return task.descend(opt, lambda: self.step(task, batch))
        finally:
            for group in opt.param_groups:
                group["lr"] /= factor

    @torch.no_grad()
    def evaluate(self, model: nn.Module, batch: Batch, split: str) -> None:
        """Detections scored against the targets; the loss is measured in training mode (torchvision's
        detectors only return losses there) with normalisation statistics left untouched."""
        images, targets = batch
        getattr(self, f"{split}_map").update(self.predictions(model, images), [self.truth(t) for t in targets])
        getattr(self, f"{split}_loss").update(self.loss_of(model, images, targets), weight=len(images))

    def predictions(self, model: nn.Module, images: list[Tensor]) -> list[dict[str, Tensor]]:
        out = model(images)
        if "segm" in self.iou_types:
            for o in out:
                o["masks"] = (o["masks"][:, 0] > 0.5).to(torch.uint8)
        return out

    def truth(self, target: dict[str, Any]) -> dict[str, Tensor]:
        keep = {k: target[k] for k in ("boxes", "labels") if k in target}
        if "segm" in self.iou_types:
            keep["masks"] = target["masks"].to(torch.uint8)
        return keep

    @staticmethod
    def loss_of(model: nn.Module, images: list[Tensor], targets: list[dict]) -> Tensor:
        norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        model.train()
        for m in norms:
            m.eval()
        try:
            return sum(model(images, targets).values())
        finally:
            model.eval()

    def compute(self, split: str) -> dict[str, Tensor]:
        """loss, and per IoU type map, map_50, map_75 (bbox unprefixed: the headline; masks as segm_*)."""
        mean_ap, loss = getattr(self, f"{split}_map"), getattr(self, f"{split}_loss")
        result = mean_ap.compute()
        out = {"loss": loss.compute()}
        for iou in self.iou_types:
            prefix = "" if iou == "bbox" else "segm_"
            for name in ("map", "map_50", "map_75"):
                key = f"{iou}_{name}" if len(self.iou_types) > 1 else name
                out[prefix + name] = result[key].float()
        mean_ap.reset(), loss.reset()
        return out

    def forward(self, model: nn.Module, x: Any) -> Any:
        return model(list(x))
