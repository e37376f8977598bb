"""Detection on images larger than the detector was trained at: tiles at the training size.

A detector trained on 96 px images resizes whatever it is given to 96 px (torchvision's
GeneralizedRCNNTransform), so the 24 coins of a full-size photo shrink to a few pixels each and most are
lost. Cutting the image into overlapping tiles of the training size keeps every object at the scale it
was trained on; the tiles' boxes are shifted back, and duplicates where tiles overlap are merged: per
class, a box is dropped when most of it (intersection over the smaller box) lies inside a box already
kept, boxes that a tile's inner edge cuts coming after whole ones (masks pasted into the full image).
"""
from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

OVERLAP = 0.25
"""Share of a tile's side shared with its neighbour: an object cut by one tile's edge lies whole in the next."""


def starts(length: int, size: int, overlap: float = OVERLAP) -> list[int]:
    """Tile offsets along one side: a step of size x (1 - overlap), the last tile flush with the end."""
    if length <= size:
        return [0]
    step = max(1, int(size * (1 - overlap)))
    out = list(range(0, length - size, step))
    return out + [length - size]


def detect_tiled(model: nn.Module, image: Tensor, size: int, overlap: float = 0.5) -> tuple[dict[str, Tensor], int]:
    """Detections of ``model`` (in eval mode) on a (3, H, W) image in [0, 1], cut into size x size tiles;
    returns them in the image's coordinates and the number of tiles."""
    _, h, w = image.shape
    found: list[dict[str, Any]] = []
    cut: list[Tensor] = []  # per tile: boxes touching an edge that is inside the image
    for y in starts(h, size):
        for x in starts(w, size):
            out = model([image[:, y:y + size, x:x + size]])[0]
            b = out["boxes"]
            inner = ((b[:, 0] <= 1) & (x > 0)) | ((b[:, 1] <= 1) & (y > 0)) | \
                ((b[:, 2] >= size - 1) & (x + size < w)) | ((b[:, 3] >= size - 1) & (y + size < h))
            cut.append(inner)
            out["boxes"] = b + torch.tensor([x, y, x, y], dtype=b.dtype)
            if "masks" in out:
                full = torch.zeros(len(out["masks"]), 1, h, w, dtype=out["masks"].dtype)
                full[:, :, y:y + out["masks"].shape[-2], x:x + out["masks"].shape[-1]] = out["masks"]
                out["masks"] = full
            found.append(out)
    merged = {k: torch.cat([f[k] for f in found]) for k in found[0]}
    keep = merge(merged["boxes"], merged["scores"], merged["labels"], torch.cat(cut), overlap)
    return {k: v[keep] for k, v in merged.items()}, len(found)


def merge(boxes: Tensor, scores: Tensor, labels: Tensor, cut: Tensor, overlap: float) -> Tensor:
    """Indices kept: whole boxes before cut ones, then by score; a box goes when over ``overlap`` of the
    smaller of it and a kept box of its class is their intersection."""
    from torchvision.ops import box_area, box_iou

    order = sorted(range(len(boxes)), key=lambda i: (bool(cut[i]), -float(scores[i])))
    area = box_area(boxes)
    kept: list[int] = []
    for i in order:
        same = [j for j in kept if labels[j] == labels[i]]
        if same:
            iou = box_iou(boxes[i:i + 1], boxes[same])[0]
            inter = iou * (area[i] + area[same]) / (1 + iou)
            if (inter / torch.minimum(area[i], area[same]).clamp_min(1e-6) > overlap).any():
                continue
        kept.append(i)
    return torch.tensor(kept, dtype=torch.long)
