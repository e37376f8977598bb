"""aa-detect: run a trained detector's checkpoint on a folder of images; writes one annotated PNG per image
and detections.json in COCO result format (image_id, category_id, bbox [x, y, w, h], score, and a
segmentation RLE for Mask R-CNN).

    aa-detect outputs/runs/<run>/checkpoints/best.ckpt path/to/images --out predictions --threshold 0.5

The run's composed config (``.hydra/config.yaml`` beside ``checkpoints/``) rebuilds the model; category ids
are the run's labels 1..K, named in the JSON's ``categories``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="aa-detect", description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", help="a checkpoint of an aa-train run with model=maskrcnn or fasterrcnn")
    p.add_argument("images", help="a folder of images (png, jpg, ...)")
    p.add_argument("--out", default="detections", help="folder for the annotated PNGs and detections.json")
    p.add_argument("--threshold", type=float, default=0.5, help="lowest score drawn and written")
    return p.parse_args(argv)


def fail(message: str) -> None:
    print(f"aa-detect: {message}", file=sys.stderr)
    sys.exit(2)


def load(checkpoint: Path) -> tuple[Any, list[str]]:
    """The detector rebuilt from its run's config with the checkpoint's weights, and the class names."""
    from omegaconf import OmegaConf

    config = checkpoint.resolve().parent.parent / ".hydra" / "config.yaml"
    if not config.is_file():
        fail(f"no run config at {config}; pass a checkpoint inside an aa-train run directory")
    cfg = OmegaConf.load(config)
    if "detection" not in str(cfg.model.get("_target_", "")):
        fail(f"the run trained {cfg.model._target_}, not a detector (model=maskrcnn or model=fasterrcnn)")
    import torch

    from aa.run.build import build_data
    from aa.models.build import build_model

    dm = build_data(cfg)
    model = build_model(cfg, dm.input_shape, dm.num_outputs)
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)["state_dict"]
    model.load_state_dict({k.removeprefix("model."): v for k, v in state.items() if k.startswith("model.")})
    return model.eval(), list(dm.class_names)


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
    args = parse(argv)
    checkpoint, folder, out = Path(args.checkpoint), Path(args.images), Path(args.out)
    if not checkpoint.is_file():
        fail(f"checkpoint {checkpoint} is not a file")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES) if folder.is_dir() else []
    if not files:
        fail(f"{folder} is not a folder of images ({', '.join(IMAGE_SUFFIXES)})")
    import numpy as np
    import torch
    from PIL import Image
    from torchvision.utils import save_image

    from aa.callbacks.detection_figures import annotate

    model, names = load(checkpoint)
    out.mkdir(parents=True, exist_ok=True)
    results, images = [], []
    with torch.no_grad():
        for image_id, path in enumerate(files, start=1):
            pixels = torch.from_numpy(np.asarray(Image.open(path).convert("RGB")).copy()).permute(2, 0, 1)
            x = pixels.float() / 255
            found = model([x])[0]
            save_image(annotate(x, found, names, args.threshold).float() / 255, out / f"{path.stem}.png")
            results += coco_results(image_id, found, args.threshold)
            images.append({"id": image_id, "file_name": path.name, "height": x.shape[1], "width": x.shape[2]})
    categories = [{"id": i, "name": n} for i, n in enumerate(names) if i > 0]
    (out / "detections.json").write_text(json.dumps(results))
    (out / "images.json").write_text(json.dumps({"images": images, "categories": categories}))
    print(f"{len(results)} detections in {len(files)} images -> {out}/ (annotated PNGs, detections.json)")


if __name__ == "__main__":
    main()
