"""aa-detect: run a trained detector's checkpoint on a folder of images; writes one annotated PNG per image
and detections.json in COCO result format (image_id, category_id, bbox [x, y, w, h], score, and a
segmentation RLE for Mask R-CNN).

    aa-detect ckpt=outputs/runs/<run> input=path/to/images output=detections threshold=0.5

The run is restored through load_run (its own config rebuilds the model); category ids are the run's
labels 1..K, named in the JSON's ``categories``."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from aa.entry.arguments import fail, parse_args, relative, restore

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
OWN = {"ckpt": None, "input": None, "output": "detections", "threshold": "0.5"}


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


def main(argv: list[str] | None = None) -> None:
    args, overrides = parse_args(sys.argv[1:] if argv is None else argv, OWN, "aa-detect")
    folder, out, least = Path(args["input"]), Path(args["output"]), threshold(args["threshold"])
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES) if folder.is_dir() else []
    if not files:
        fail(f"Invalid argument: input={args['input']!r}: is not a folder of images. Valid choices: a folder "
             f"holding {', '.join(IMAGE_SUFFIXES)} files.")
    import numpy as np
    import torch
    from PIL import Image
    from torchvision.utils import save_image

    from aa.callbacks.detection_figures import annotate

    run = restore(args["ckpt"], overrides)
    if run.task.objective.task != "detection":
        fail(f"Invalid argument: ckpt={args['ckpt']!r}: the run trained {run.cfg.model._target_.rsplit('.', 1)[-1]} for "
             f"{run.task.objective.task}, not a detector. Valid choices: a run of model=maskrcnn or model=fasterrcnn.")
    model, names = run.model.eval(), list(run.data.class_names)
    out.mkdir(parents=True, exist_ok=True)
    results, images = [], []
    with torch.no_grad():
        for image_id, path in enumerate(files, start=1):
            pixels = torch.from_numpy(np.asarray(Image.open(path).convert("RGB")).copy()).permute(2, 0, 1)
            x = pixels.float() / 255
            found = model([x])[0]
            save_image(annotate(x, found, names, least).float() / 255, out / f"{path.stem}.png")
            results += coco_results(image_id, found, least)
            images.append({"id": image_id, "file_name": path.name, "height": x.shape[1], "width": x.shape[2]})
    categories = [{"id": i, "name": n} for i, n in enumerate(names) if i > 0]
    (out / "detections.json").write_text(json.dumps(results))
    (out / "images.json").write_text(json.dumps({"images": images, "categories": categories}))
    print(f"aa-detect: {len(results)} detections in {len(files)} images from {relative(run.checkpoint)} -> "
          f"{relative(out)}/ (annotated PNGs, detections.json)")


if __name__ == "__main__":
    main()
