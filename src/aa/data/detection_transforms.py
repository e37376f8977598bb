"""Training-split augmentation for detection: torchvision transforms v2 on tv_tensors, so boxes and masks
move with the pixels (a flipped image has flipped boxes); boxes that leave the picture are dropped."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import torch



def build_transforms(names: Sequence[str], image_size: int) -> Callable[[torch.Tensor, dict], tuple] | None:
    """flip: horizontal flip with p 0.5; scale: resize by 0.75-1.25 then crop or pad back to the image size
    (the reference's large-scale jitter, milder); crop: a random IoU crop (SSD's), resized back;
    color: photometric jitter. None when no transform is chosen."""
    from torchvision.transforms import v2

    steps: list[Any] = []
    for name in names:
        if name == "flip":
            steps.append(v2.RandomHorizontalFlip(0.5))
        elif name == "scale":
            steps += [v2.ScaleJitter((image_size, image_size), scale_range=(0.75, 1.25)),
                      v2.RandomCrop(image_size, pad_if_needed=True)]
        elif name == "crop":
            steps += [v2.RandomIoUCrop(min_scale=0.5), v2.Resize((image_size, image_size))]
        elif name == "color":
            steps.append(v2.ColorJitter(0.2, 0.2, 0.2))
    if not steps:
        return None
    return Augment(v2.Compose([*steps, v2.ClampBoundingBoxes(), v2.SanitizeBoundingBoxes(min_size=2)]))


class Augment:
    """Wraps an image and its target as tv_tensors, transforms both, unwraps them for the model."""

    def __init__(self, transform: Callable) -> None:
        self.transform = transform

    def __call__(self, image: torch.Tensor, target: dict[str, Any]) -> tuple[torch.Tensor, dict[str, Any]]:
        from torchvision import tv_tensors

        h, w = image.shape[-2:]
        wrapped = dict(target, boxes=tv_tensors.BoundingBoxes(target["boxes"], format="XYXY", canvas_size=(h, w)))
        if "masks" in target:
            wrapped["masks"] = tv_tensors.Mask(target["masks"])
        image, out = self.transform(tv_tensors.Image(image), wrapped)
        out = {k: v.as_subclass(torch.Tensor) if isinstance(v, torch.Tensor) else v for k, v in out.items()}
        return image.as_subclass(torch.Tensor), out
