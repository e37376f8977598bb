"""Pure-Python checks of a COCO-format annotation file (no torch), run while the config is validated:
the file exists and parses, every annotation names a known image and category, every image file is
there, and every box lies inside its image."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aa.base.errors import ConfigError

TOLERANCE = 1.0  # pixels a box may exceed its image by (rounding in exported annotations)


def read_coco(path: str, key: str) -> dict[str, Any]:
    """The parsed file, or a ConfigError naming what is wrong with it."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise ConfigError(key, path, "is not a file; point it at a COCO-format JSON with images, annotations "
                          "and categories")
    try:
        data = json.loads(file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(key, path, f"is not valid JSON ({e})") from None
    missing = [k for k in ("images", "annotations", "categories") if not isinstance(data, dict)
               or not isinstance(data.get(k), list)]
    if missing:
        raise ConfigError(key, path, f"is not in COCO format: it needs the lists {', '.join(missing)}")
    return data


def check_coco(root: str, path: str, key: str, boxes_only: bool = False) -> dict[str, Any]:
    """Read and check one annotation file against the images under ``root``; returns the parsed data. Every
    image states its width and height; every annotation has a segmentation unless ``boxes_only``."""
    data = read_coco(path, key)
    folder = Path(root).expanduser()
    if not folder.is_dir():
        raise ConfigError(key.rsplit(".", 1)[0] + ".root", root, "is not a folder")
    images = {}
    for img in data["images"]:
        if not isinstance(img, dict) or "id" not in img or "file_name" not in img:
            raise ConfigError(key, path, f"has an image entry without id or file_name: {str(img)[:80]}")
        if not (folder / img["file_name"]).is_file():
            raise ConfigError(key, path, f"names image {img['file_name']!r} (id {img['id']}), which is not "
                              f"under dataset.root ({folder})")
        sides = [img.get(side) for side in ("width", "height")]
        if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in sides):
            raise ConfigError(key, path, f"image {img['file_name']!r} (id {img['id']}) states width "
                              f"{sides[0]!r} and height {sides[1]!r}; COCO images need both, in pixels")
        images[img["id"]] = img
    categories = {c.get("id") for c in data["categories"] if isinstance(c, dict)}
    for ann in data["annotations"]:
        check_annotation(ann, images, categories, path, key)
        if not boxes_only and not ann.get("segmentation"):
            raise ConfigError(key, path, f"annotation {ann.get('id', '?')} has no segmentation (polygons or RLE), "
                              "so a detector of masks has no mask to learn", f"add it, or "
                              f"{key.rsplit('.', 1)[0]}.boxes_only=true (each such mask is its box, counted in train.log)")
    return data


def check_annotation(ann: Any, images: dict, categories: set, path: str, key: str) -> None:
    if not isinstance(ann, dict):
        raise ConfigError(key, path, f"has an annotation that is not an object: {str(ann)[:80]}")
    where = f"annotation {ann.get('id', '?')}"
    if ann.get("image_id") not in images:
        raise ConfigError(key, path, f"{where} points at image_id {ann.get('image_id')!r}, which is not in images")
    if ann.get("category_id") not in categories:
        raise ConfigError(key, path, f"{where} has category_id {ann.get('category_id')!r}, which is not in "
                          "categories")
    box = ann.get("bbox")
    if not (isinstance(box, list) and len(box) == 4 and all(isinstance(v, (int, float)) for v in box)):
        raise ConfigError(key, path, f"{where} has bbox {box!r}; COCO boxes are [x, y, width, height]")
    x, y, w, h = box
    img = images[ann["image_id"]]
    width, height = img.get("width"), img.get("height")
    outside = x < -TOLERANCE or y < -TOLERANCE or (width is not None and x + w > width + TOLERANCE) \
        or (height is not None and y + h > height + TOLERANCE)
    if w <= 0 or h <= 0 or outside:
        raise ConfigError(key, path, f"{where} has bbox {box} (x, y, width, height), which is empty or lies "
                          f"outside its image {img['file_name']!r} of {width}x{height} pixels")
