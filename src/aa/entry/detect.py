"""aa-detect: run a trained detector's checkpoint on a folder of images; writes one annotated PNG per image
and detections.json in COCO result format (image_id, category_id, bbox [x, y, w, h], score, and a
segmentation RLE for Mask R-CNN).

    aa-detect ckpt=outputs/runs/<run> input=path/to/images output=detections threshold=0.5 tile=auto

Images larger than the training size (by half) are cut into overlapping tiles of that size by default
(``tile=auto``; ``aa.decode.tiles``), so objects keep the scale they were trained at; ``tile=false`` gives
each image whole, resized to ``image_size`` (``train``: the training size, as the detector was built;
``full``: the image's own size; or a number of pixels). Every image's handling is printed. The run is
restored through load_run (its own config rebuilds the model); category ids are the run's labels 1..K,
named in the JSON's ``categories``. aa-predict writes the same detections as CSV rows."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from aa.entry.arguments import fail, parse_args, relative, restore

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
OWN = {"ckpt": None, "input": None, "output": "detections", "threshold": "0.5", "tile": "auto", "image_size": "train"}
TILE = ("auto", "true", "false")


def threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        fail(f"Invalid argument: threshold={value!r}: must be a score between 0 and 1.")
    return number


def coco_results(image_id: int, found: dict[str, Any], threshold: float) -> list[dict[str, Any]]:
    """One COCO result per detection scoring at least ``threshold``."""
    from faster_coco_eval.core import mask as codec
    import numpy as np

    out = []
    for i in (found["scores"] >= threshold).nonzero().flatten().tolist():
        x0, y0, x1, y1 = (round(float(v), 2) for v in found["boxes"][i])
        item = {"image_id": image_id, "category_id": int(found["labels"][i]), "bbox": [x0, y0, round(x1 - x0, 2), round(y1 - y0, 2)],
                "score": round(float(found["scores"][i]), 4)}
        if "masks" in found:
            binary = np.asfortranarray((found["masks"][i, 0] > 0.5).numpy().astype(np.uint8))
            rle = codec.encode(binary)
            item["segmentation"] = {"size": list(rle["size"]), "counts": rle["counts"].decode()
                                    if isinstance(rle["counts"], bytes) else rle["counts"]}
        out.append(item)
    return out


def image_files(value: str) -> list[Path]:
    """The images of a folder (or one image file), sorted; a paragraph and exit 2 otherwise."""
    path = Path(value).expanduser()
    files = [path] if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES else \
        sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES) if path.is_dir() else []
    if not files:
        fail(f"Invalid argument: input={value!r}: is not an image or a folder of images. Valid choices: a folder "
             f"holding {', '.join(IMAGE_SUFFIXES)} files.")
    return files


class Detector:
    """A restored detector run applied to image files as ``tile`` and ``image_size`` say."""

    def __init__(self, run: Any, tile: str, image_size: str) -> None:
        if tile not in TILE:
            fail(f"Invalid argument: tile={tile!r}: is not a tiling choice. Valid choices: {', '.join(TILE)}.")
        if image_size not in ("train", "full") and not image_size.isdigit():
            fail(f"Invalid argument: image_size={image_size!r}: is not a size. Valid choices: train, full, or "
                 "a number of pixels.")
        if run.task.objective.task != "detection":
            fail(f"Invalid argument: ckpt: the run trained {run.cfg.model._target_.rsplit('.', 1)[-1]} for "
                 f"{run.task.objective.task}, not a detector. Valid choices: a run of model=maskrcnn or "
                 "model=fasterrcnn.")
        self.model, self.names = run.model.eval(), list(run.data.class_names)
        self.size = int(run.data.image_size)
        self.tile, self.image_size = tile, image_size

    def __call__(self, path: Path) -> tuple[Any, dict[str, Any], str]:
        """(image in [0, 1], detections in its pixel coordinates, how it was read)."""
        import numpy as np
        import torch
        from PIL import Image

        from aa.decode.tiles import detect_tiled

        x = torch.from_numpy(np.asarray(Image.open(path).convert("RGB")).copy()).permute(2, 0, 1).float() / 255
        h, w = x.shape[1:]
        tiled = self.tile == "true" or (self.tile == "auto" and max(h, w) > 1.5 * self.size)
        transform = self.model.transform
        with torch.no_grad():
            if tiled:
                transform.min_size, transform.max_size = (self.size,), self.size
                found, tiles = detect_tiled(self.model, x, self.size)
                return x, found, f"{w}x{h} in {tiles} tiles of {self.size} px (the training size)"
            side = self.size if self.image_size == "train" else max(h, w) if self.image_size == "full" \
                else int(self.image_size)
            transform.min_size, transform.max_size = (min(side, min(h, w)) if self.image_size == "full" else side,), side
            how = f"{w}x{h} whole, resized to {side} px on its longer side" if max(h, w) != side else f"{w}x{h} whole"
            return x, self.model([x])[0], how


def main(argv: list[str] | None = None) -> None:
    args, overrides = parse_args(sys.argv[1:] if argv is None else argv, OWN, "aa-detect")
    out, least = Path(args["output"]), threshold(args["threshold"])
    files = image_files(args["input"])
    from torchvision.utils import save_image

    from aa.callbacks.detection_figures import annotate

    run = restore(args["ckpt"], overrides)
    detector = Detector(run, args["tile"], args["image_size"])
    out.mkdir(parents=True, exist_ok=True)
    results, images = [], []
    for image_id, path in enumerate(files, start=1):
        x, found, how = detector(path)
        save_image(annotate(x, found, detector.names, least).float() / 255, out / f"{path.stem}.png")
        found_here = coco_results(image_id, found, least)
        print(f"aa-detect: {path.name}: {how}: {len(found_here)} detections scoring >= {least}")
        results += found_here
        images.append({"id": image_id, "file_name": path.name, "height": x.shape[1], "width": x.shape[2]})
    categories = [{"id": i, "name": n} for i, n in enumerate(detector.names) if i > 0]
    (out / "detections.json").write_text(json.dumps(results))
    (out / "images.json").write_text(json.dumps({"images": images, "categories": categories}))
    print(f"aa-detect: {len(results)} detections in {len(files)} images from {relative(run.checkpoint)} -> "
          f"{relative(out)}/ (annotated PNGs, detections.json)")


if __name__ == "__main__":
    main()
