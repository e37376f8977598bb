"""aa-predict: run a saved checkpoint on new inputs and write one CSV row per input.

    aa-predict ckpt=outputs/runs/<time> input=FILE_OR_DIR output=predictions.csv

Tables: a CSV with the training file's feature columns (the target may be absent); sequence to sequence:
a text file of sources, one per line, or a TSV whose source column is read, decoded as the run's
``decode`` group says (``decode.strategy=beam`` on the command line to change it); segmentation: one image
or a folder, a class-index mask PNG per image in the folder ``output``; detectors: one image or
a folder, a row per detection (``threshold``, ``tile``, ``image_size`` as aa-detect takes them); in-memory vector
data: a CSV of numbers, one sample a row; image folders: one image or a folder of images. Each row
holds the input's name (line number or file), the prediction, and for classification the probability
of every class; regression estimates are in the target's own units. Rows holding a category unseen in
training or a missing value are flagged in a 'flags' column and counted in a warning.
"""
from __future__ import annotations

import csv
import os
import sys
from typing import Any

from aa.base.errors import ConfigError
from aa.base.atomic import replacing
from aa.entry.arguments import fail, parse_args, relative, restore

OWN = {"ckpt": None, "input": None, "output": "predictions.csv", "threshold": "0.5", "tile": "auto",
       "image_size": "train"}


def read_vectors(path: str, width: int) -> tuple[list[str], object]:
    """A CSV of numbers (an optional header row is skipped), each row one flat input vector."""
    import torch

    from aa.config.files import require_file

    require_file("input", path, "a CSV of input rows")
    names, rows = [], []
    with open(path, newline="") as f:
        for line, row in enumerate(csv.reader(f), start=1):
            try:
                values = [float(v) for v in row]
            except ValueError:
                if line == 1:
                    continue
                raise ConfigError("input", path, f"line {line} is not all numbers") from None
            if len(values) != width:
                raise ConfigError("input", path, f"line {line} has {len(values)} values; the model reads {width}")
            names.append(str(line))
            rows.append(values)
    return names, torch.tensor(rows, dtype=torch.float32)


def main(argv: list[str] | None = None) -> None:
    args, overrides = parse_args(sys.argv[1:] if argv is None else argv, OWN, "aa-predict")
    output = args["output"]
    run = restore(args["ckpt"], overrides)
    file, dm, task = run.checkpoint, run.data, run.task
    if task.task == "segmentation":  # a folder of masks
        return predict_masks(run, args)
    if os.path.isdir(output):
        fail(f"Invalid argument: output={output!r}: is a folder. Valid choices: a file to write, e.g. "
             f"output={os.path.join(output, 'predictions.csv')}.")
    if task.task == "detection":
        return predict_boxes(run, args)
    import torch

    from aa.data.contract import FlagsInputs, ReadsInputs

    try:
        reads = isinstance(dm, ReadsInputs)
        names, x = dm.read_inputs(args["input"]) if reads else read_vectors(args["input"], int(dm.input_shape[0]))
        flags = dm.input_flags(args["input"]) if isinstance(dm, FlagsInputs) else None
    except ConfigError as e:
        fail(str(e))
    task.eval()
    with torch.no_grad():
        out = torch.cat([task(chunk) for chunk in x.split(1024)]) if len(x) else torch.zeros(0)
        if hasattr(task.objective, "predict_units"):  # regression: estimates in the target's own units
            out = task.objective.predict_units(out)
    classes = list(dm.class_names)
    try:  # written whole, then renamed: an earlier file survives a failure
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        with replacing(output) as tmp:
            if task.task == "seq2seq":
                write_decoded(tmp, names, [dm.decode_source(r) for r in x], [dm.decode_target(r) for r in out],
                              flags)
            else:
                write_rows(tmp, task.task, classes, names, out, flags)
    except OSError as e:
        fail(f"Invalid argument: output={output!r}: cannot be written ({e.strerror or e}). Valid choices: "
             "a file in a folder you can write to.")
    print(f"aa-predict: {len(names)} predictions from {relative(file)} written to {relative(output)}")
    flagged = [(n, f) for n, f in zip(names, flags or []) if f]
    if flagged:
        print(f"aa-predict: WARNING: {len(flagged)} of {len(names)} rows hold values the model never saw in "
              f"training (see the 'flags' column), e.g. line {flagged[0][0]}: {flagged[0][1]}")


def predict_boxes(run: Any, args: dict[str, str]) -> None:
    """Detectors: one CSV row per detection scoring at least ``threshold``: image, class, score and box
    corners in the image's pixels (aa-detect's tiling and image_size rules; it also draws and writes JSON)."""
    from aa.entry.detect import Detector, image_files, threshold

    least, files = threshold(args["threshold"]), image_files(args["input"])
    detector = Detector(run, args["tile"], args["image_size"])
    rows = []
    for path in files:
        _, found, how = detector(path)
        keep = (found["scores"] >= least).nonzero().flatten().tolist()
        print(f"aa-predict: {path.name}: {how}: {len(keep)} detections scoring >= {least}")
        for i in keep:
            box = [f"{float(v):.2f}" for v in found["boxes"][i]]
            rows.append([str(path), detector.names[int(found["labels"][i])], f"{float(found['scores'][i]):.4f}", *box])
    output = args["output"]
    with replacing(output) as tmp, open(tmp, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["input", "label", "score", "x0", "y0", "x1", "y1"])
        w.writerows(rows)
    print(f"aa-predict: {len(rows)} detections in {len(files)} images from {relative(run.checkpoint)} written to "
          f"{relative(output)}")


def predict_masks(run: Any, args: dict[str, str]) -> None:
    """Segmentation: one class-index PNG per image (grey value = class, 255 never written), of the image's
    own size (the prediction at the training size, enlarged or shrunk by nearest pixel), named as the image,
    in the folder ``output`` (``predictions.csv`` by default becomes the folder ``predicted_masks``)."""
    import numpy as np
    import torch
    from PIL import Image

    from aa.base.errors import ConfigError

    try:
        files, sizes, x = run.data.read_images(args["input"])
    except ConfigError as e:
        fail(str(e))
    output = args["output"] if args["output"] != OWN["output"] else "predicted_masks"
    os.makedirs(output, exist_ok=True)
    run.task.eval()
    with torch.no_grad():
        classes = torch.cat([run.task(chunk).argmax(1) for chunk in x.split(64)]).to(torch.uint8).cpu().numpy()
    names = list(run.data.class_names)
    for path, (h, w), mask in zip(files, sizes, classes):
        Image.fromarray(mask).resize((w, h), Image.NEAREST).save(os.path.join(output, f"{path.stem}.png"))
        found = ", ".join(f"{names[c]} {n}" for c, n in zip(*np.unique(mask, return_counts=True)))
        print(f"aa-predict: {path.name}: pixels per class at the training size: {found}")
    print(f"aa-predict: {len(files)} masks from {relative(run.checkpoint)} written to {relative(output)}/ "
          "(class-index PNGs: grey value = class)")


def write_decoded(path: str, names: list[str], sources: list[str], outputs: list[str],
                  flags: list[str] | None) -> None:
    """Sequence to sequence: the source as the model read it (unknown tokens as <unk>) and its decoding."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["input", "source", "prediction", *(["flags"] if flags is not None else [])])
        for i, row in enumerate(zip(names, sources, outputs)):
            w.writerow([*row, *([flags[i]] if flags is not None else [])])


def write_rows(path: str, task: str, classes: list[str], names: list[str], out: Any,
               flags: list[str] | None = None) -> None:
    """One CSV row per input: class, its probability and every class's (classification), else the outputs;
    a last 'flags' column where the data names what each row held that training never showed."""
    extra = ["flags"] if flags is not None else []
    flags = flags if flags is not None else [""] * len(names)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        if task == "classification" and classes:
            prob = out.softmax(-1)
            w.writerow(["input", "prediction", "probability", *(f"p_{c}" for c in classes), *extra])
            for name, p, flag in zip(names, prob.tolist(), flags):
                best = max(range(len(p)), key=p.__getitem__)
                w.writerow([name, classes[best], f"{p[best]:.6f}", *(f"{v:.6f}" for v in p), *([flag] if extra else [])])
        else:
            flat = out.reshape(len(names), -1).tolist()
            w.writerow(["input", *(["prediction"] if flat and len(flat[0]) == 1 else
                                   [f"prediction_{i}" for i in range(len(flat[0]) if flat else 0)]), *extra])
            for name, values, flag in zip(names, flat, flags):
                w.writerow([name, *(f"{v:.6g}" for v in values), *([flag] if extra else [])])


if __name__ == "__main__":
    main()
