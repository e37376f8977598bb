"""File-system facts checked with the config, before torch loads: a missing file, folder or column is
reported in a second, not after the imports."""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Sequence

from aa.base.errors import ConfigError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def shown(path: str) -> str:
    """A path as the user can open it from where they stand: relative inside the cwd, else absolute."""
    full = os.path.abspath(os.path.expanduser(path))
    rel = os.path.relpath(full)
    return full if rel.startswith("..") else rel


def require_file(key: str, path: str | None, what: str) -> Path:
    p = Path(os.path.expanduser(str(path)))
    if not p.is_file():
        where = "is a folder, not a file" if p.is_dir() else f"does not exist (looked for {shown(str(p))})"
        raise ConfigError(key, path, f"{where}; give the path of {what}")
    return p


def delimiter(path: str) -> str:
    return "\t" if str(path).endswith((".tsv", ".tab")) else ","


def header(key: str, path: str) -> list[str]:
    """The first row of a CSV/TSV."""
    with open(os.path.expanduser(path), newline="", encoding="utf-8") as f:
        row = next(csv.reader(f, delimiter=delimiter(path)), None)
    if not row:
        raise ConfigError(key, path, "is empty; it needs a header row naming the columns, then one row per sample")
    return [c.strip() for c in row]


def require_columns(path_key: str, path: str, wanted: Sequence[tuple[str, str]],
                    names: Sequence[str] | None = None) -> list[str]:
    """Each (key, column) must be a column of the file (its header, or ``names`` for a headerless file)."""
    require_file(path_key, path, "a CSV/TSV file with a header row")
    cols = list(names) if names else header(path_key, path)
    for key, column in wanted:
        if column not in cols:
            raise ConfigError(key, column, f"is not a column of {shown(path)}", ", ".join(cols))
    return cols


def require_image_tree(key: str, root: str | None) -> Path:
    """root/train/<class>/<image> and root/val/<class>/<image>, the same classes in both."""
    p = Path(os.path.expanduser(str(root)))
    layout = "train/ and val/ (optionally test/) subfolders, each with one folder of images per class " \
             "(e.g. hymenoptera_data/train/ants/*.jpg)"
    if not p.is_dir():
        raise ConfigError(key, root, f"is not a folder (looked for {shown(str(p))}); it needs {layout}")
    classes = {}
    for split in ("train", "val", "test"):
        if not (p / split).is_dir():
            if split == "test":
                continue
            raise ConfigError(key, root, f"has no {split}/ subfolder; it needs {layout}")
        classes[split] = sorted(d.name for d in (p / split).iterdir() if d.is_dir())
        if not classes[split]:
            raise ConfigError(key, root, f"{split}/ has no class folders; it needs {layout}")
    for split, names in classes.items():
        if names != classes["train"]:
            raise ConfigError(key, root, f"{split}/ has classes {names} but train/ has {classes['train']}")
    return p


def first_image(root: Path) -> Path | None:
    """The first image file (by name) under root/train, to read the images' own size."""
    for cls in sorted(d for d in (root / "train").iterdir() if d.is_dir()):
        for f in sorted(cls.iterdir()):
            if f.suffix.lower() in IMAGE_SUFFIXES:
                return f
    return None


SEGMENTATION_LAYOUT = ("images/ and masks/ holding files of the same stems (masks as class-index or palette PNGs), "
                       "or train/ and val/ (optionally test/) subfolders each holding images/ and masks/")


def segmentation_pairs(key: str, folder: Path) -> list[tuple[Path, Path]]:
    """(image, mask) pairs of one folder holding images/ and masks/, matched by file stem; an image
    without a mask (or a mask without an image) is refused, naming it."""
    for sub in ("images", "masks"):
        if not (folder / sub).is_dir():
            raise ConfigError(key, str(folder), f"has no {sub}/ subfolder; it needs {SEGMENTATION_LAYOUT}")
    images = {f.stem: f for f in sorted((folder / "images").iterdir()) if f.suffix.lower() in IMAGE_SUFFIXES}
    masks = {f.stem: f for f in sorted((folder / "masks").iterdir()) if f.suffix.lower() in IMAGE_SUFFIXES}
    if not images:
        raise ConfigError(key, str(folder), f"{shown(str(folder / 'images'))} holds no image files")
    for stem, image in images.items():
        if stem not in masks:
            raise ConfigError(key, str(folder), f"image {shown(str(image))} has no mask: masks/ needs a file of stem "
                              f"{stem!r} (e.g. {stem}.png)")
    for stem, mask in masks.items():
        if stem not in images:
            raise ConfigError(key, str(folder), f"mask {shown(str(mask))} has no image of the same stem in images/")
    return [(images[s], masks[s]) for s in images]


def require_segmentation_tree(key: str, root: str | None) -> dict[str, list[tuple[Path, Path]]]:
    """The (image, mask) pairs per folder found: {"all": ...} for root/images + root/masks, else
    {"train": ..., "val": ..., "test": ...} (test optional)."""
    p = Path(os.path.expanduser(str(root)))
    if not p.is_dir():
        raise ConfigError(key, root, f"is not a folder (looked for {shown(str(p))}); it needs {SEGMENTATION_LAYOUT}")
    if (p / "images").is_dir() or not (p / "train").is_dir():
        return {"all": segmentation_pairs(key, p)}
    if not (p / "val").is_dir():
        raise ConfigError(key, root, f"has train/ but no val/ subfolder; it needs {SEGMENTATION_LAYOUT}")
    return {s: segmentation_pairs(key, p / s) for s in ("train", "val", "test") if (p / s).is_dir()}
