"""A few validation images per epoch in TensorBoard: the detector's boxes, labels, scores and masks drawn
beside the ground truth (torchvision.utils.draw_bounding_boxes / draw_segmentation_masks), under a legend
row naming the columns; labels in matplotlib's DejaVu Sans, 14 px, on a filled box of the box's colour."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytorch_lightning as pl
import torch
from torch import Tensor

from aa.base.plotting import LABEL_PX, header

if TYPE_CHECKING:
    from aa.data.detection_data import DetectionData


MIN_SIDE = 256  # small images are enlarged (nearest pixel) so that labels stay readable
TEXT = {"lime": "black", "red": "white"}  # label text that contrasts with its box's colour


def label_font() -> str:
    """A TrueType file that is always there: the DejaVu Sans matplotlib ships."""
    from matplotlib import font_manager

    return font_manager.findfont("DejaVu Sans")


def draw(image: Tensor, boxes: Tensor, labels: list[str], masks: Tensor | None, colour: str) -> Tensor:
    """An annotated uint8 copy of a float image in [0, 1], enlarged by a whole factor if it is small."""
    from torchvision.utils import draw_bounding_boxes, draw_segmentation_masks

    k = max(1, MIN_SIDE // max(image.shape[-2:]))
    out = (image.clamp(0, 1) * 255).to(torch.uint8).cpu().repeat_interleave(k, -1).repeat_interleave(k, -2)
    if masks is not None and len(masks):
        big = masks.bool().cpu().repeat_interleave(k, -1).repeat_interleave(k, -2)
        out = draw_segmentation_masks(out, big, alpha=0.4, colors=colour)
    if len(boxes):
        out = draw_bounding_boxes(out, boxes.cpu() * k, labels=labels, colors=colour, width=2, font=label_font(),
                                  font_size=LABEL_PX, label_colors=TEXT.get(colour, "black"), fill_labels=True)
    return out


def annotate(image: Tensor, found: dict[str, Tensor], names: list[str], threshold: float,
             colour: str = "red") -> Tensor:
    """The detections scoring at least ``threshold`` drawn on the image, labelled 'class score'."""
    keep = found["scores"] >= threshold
    labels = [f"{names[int(k)] if int(k) < len(names) else int(k)} {s:.2f}"
              for k, s in zip(found["labels"][keep], found["scores"][keep])]
    masks = found["masks"][keep][:, 0] > 0.5 if "masks" in found else None
    return draw(image, found["boxes"][keep], labels, masks, colour)


class DetectionFigures(pl.Callback):
    """Each row: ground truth (green) | predictions (red), for the first ``count`` validation images.
    Added to the callbacks by the detection objective's config."""

    def __init__(self, count: int = 4, every_n_epochs: int = 1, threshold: float = 0.5) -> None:
        self.count, self.every_n_epochs, self.threshold = count, every_n_epochs, threshold

    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        dm = trainer.datamodule
        if dm is None or trainer.sanity_checking:
            return
        last = trainer.current_epoch + 1 >= (trainer.max_epochs or 0)
        if trainer.current_epoch % self.every_n_epochs and not last:
            return
        images, targets = self.examples(dm, pl_module.device)
        model = pl_module.model
        was_training = model.training
        model.eval()
        with torch.no_grad():
            found = model(images)
        model.train(was_training)
        names = list(dm.class_names)
        tiles: list[Tensor] = []
        for image, target, pred in zip(images, targets, found):
            truth = draw(image, target["boxes"], [names[int(k)] for k in target["labels"]],
                         target.get("masks"), "lime")
            tiles += [truth, annotate(image, pred, names, self.threshold)]
        self.publish(trainer, tiles)

    def examples(self, dm: "DetectionData", device: torch.device) -> tuple[list[Tensor], list[dict]]:
        data = dm.splits["val"]
        items = [data[i] for i in range(min(self.count, len(data)))]
        images = [x.to(device).float() / 255 for x, _ in items]
        return images, [{k: v.to(device) if isinstance(v, Tensor) else v for k, v in t.items()} for _, t in items]

    def publish(self, trainer: pl.Trainer, tiles: list[Tensor]) -> None:
        from PIL import Image
        from torchvision.transforms.v2.functional import resize
        from torchvision.utils import make_grid

        side = max(max(t.shape[-2:]) for t in tiles)
        same = [resize(t, [side, side]) if t.shape[-2:] != (side, side) else t for t in tiles]
        grid = make_grid(same, nrow=2, padding=2)
        legend = ["truth (green)", f"prediction (red, score >= {self.threshold:g})"]
        picture = header(grid.permute(1, 2, 0).numpy(), legend, side + 2, left=2)
        for logger in trainer.loggers:
            if hasattr(logger.experiment, "add_image"):
                logger.experiment.add_image("val/detections", picture, global_step=trainer.current_epoch,
                                            dataformats="HWC")
        Image.fromarray(picture).save(os.path.join(trainer.default_root_dir, "detections.png"))
