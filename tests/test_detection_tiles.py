"""Tiled detection: an image larger than the training size is read in overlapping tiles of that size;
boxes come back in the image's coordinates, each object once, also where tiles overlap or cut it."""
from __future__ import annotations

import torch
from scipy import ndimage

from aa.decode.tiles import detect_tiled, starts


class SquareFinder(torch.nn.Module):
    """A stand-in detector with known answers: one box per bright blob of its input, score its mean."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[int, int]] = []

    def forward(self, images: list[torch.Tensor]) -> list[dict[str, torch.Tensor]]:
        out = []
        for x in images:
            self.seen.append(tuple(x.shape[1:]))
            blobs, n = ndimage.label((x[0] > 0.5).numpy())
            boxes = [[s[1].start, s[0].start, s[1].stop, s[0].stop] for s in ndimage.find_objects(blobs)]
            out.append({"boxes": torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
                        "scores": torch.full((n,), 0.9), "labels": torch.ones(n, dtype=torch.int64)})
        return out


def test_tile_offsets_overlap_and_reach_the_far_edge() -> None:
    assert starts(64, 96) == [0] and starts(96, 96) == [0]
    assert starts(200, 96) == [0, 72, 104]
    assert all(b - a <= 72 for a, b in zip(starts(500, 96), starts(500, 96)[1:])) and starts(500, 96)[-1] == 404


def test_each_object_is_found_once_in_image_coordinates() -> None:
    image = torch.zeros(3, 200, 260)
    truth = [(10, 10, 22, 22), (60, 66, 90, 80), (150, 100, 170, 130), (230, 170, 250, 190), (90, 150, 110, 165)]
    for x0, y0, x1, y1 in truth:  # (60..90) crosses the edge at 64 px of the first tile; all lie whole somewhere
        image[:, y0:y1, x0:x1] = 1
    model = SquareFinder()
    found, tiles = detect_tiled(model, image, 64)
    assert tiles == len(starts(200, 64)) * len(starts(260, 64)) and set(model.seen) == {(64, 64)}
    boxes = sorted(tuple(int(v) for v in b) for b in found["boxes"])
    assert boxes == sorted(truth), boxes
