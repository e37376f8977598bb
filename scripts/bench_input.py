"""Training input of dataset=image_folder against a plain torchvision ImageFolder + DataLoader.

Writes a folder of JPEGs (two classes of coloured shapes), then reads one epoch of training batches
both ways with the same transforms (decode, resize and centre-crop to the same side, uint8 to float),
the same batch size and the same worker count, in alternating rounds; prints images/s of each, their
medians and the ratio aa / plain. A second table times the two JPEG decoders available here (PIL and
torchvision.io) on the same files, single process, which is what the loader's choice rests on.

    python scripts/bench_input.py                      # 2,000 JPEGs of 96 px, batch 64, the default workers
    python scripts/bench_input.py --workers 0 --rounds 5
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image, ImageDraw


def write_jpegs(root: Path, n: int, side: int) -> None:
    """root/train/<class>/*.jpg with n images, and 50 each in val/ and test/ (aa needs val/)."""
    rng = random.Random(0)
    for split, count in (("train", n), ("val", 50), ("test", 50)):
        for k in range(count):
            label = k % 2
            folder = root / split / ("circles" if label else "squares")
            folder.mkdir(parents=True, exist_ok=True)
            img = Image.new("RGB", (side, side), tuple(rng.randrange(256) for _ in range(3)))
            x, y, r = rng.randrange(side // 4, 3 * side // 4), rng.randrange(side // 4, 3 * side // 4), side // 6
            shape = ImageDraw.Draw(img).ellipse if label else ImageDraw.Draw(img).rectangle
            shape([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
            img.save(folder / f"{k}.jpg", quality=90)


def aa_epoch(root: Path, side: int, batch: int, workers: int) -> float:
    """Images per second of one epoch of aa's training input, as the Trainer receives it."""
    from aa.data.batching import MiniBatch
    from aa.data.image_folder import ImageFolderData

    dm = ImageFolderData(str(root), image_size=side, workers=workers, batch_mode=MiniBatch(size=batch))
    dm.setup()
    start, seen = time.perf_counter(), 0
    for x, y in dm.train_dataloader():
        x, y = dm.on_after_batch_transfer((x, y), 0)
        seen += len(x)
    return seen / (time.perf_counter() - start)


def plain_epoch(root: Path, side: int, batch: int, workers: int) -> float:
    """Images per second of one epoch of torchvision's ImageFolder and a DataLoader with the same transforms."""
    from torch.utils.data import DataLoader
    from torchvision import transforms
    from torchvision.datasets import ImageFolder

    prepare = transforms.Compose([transforms.Resize(side), transforms.CenterCrop(side), transforms.PILToTensor()])
    loader = DataLoader(ImageFolder(str(root / "train"), transform=prepare), batch_size=batch, shuffle=True,
                        num_workers=workers, persistent_workers=workers > 0)
    start, seen = time.perf_counter(), 0
    for x, y in loader:
        x = x.float().div_(255)
        seen += len(x)
    return seen / (time.perf_counter() - start)


def decoders(root: Path, n: int = 300) -> dict[str, float]:
    """Images per second of each JPEG decoder on the same files, one process (RGB uint8 tensors)."""
    from torchvision import io, transforms

    files = sorted((root / "train").rglob("*.jpg"))[:n]
    to_tensor = transforms.PILToTensor()
    out = {}
    start = time.perf_counter()
    for f in files:
        with Image.open(f) as im:
            to_tensor(im.convert("RGB"))
    out["PIL"] = len(files) / (time.perf_counter() - start)
    start = time.perf_counter()
    for f in files:
        io.decode_image(str(f), mode=io.ImageReadMode.RGB)
    out["torchvision.io"] = len(files) / (time.perf_counter() - start)
    return out


def main() -> None:
    from aa.data.workers import loader_workers

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--side", type=int, default=96)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--workers", type=int, default=None, help="default: aa's default (the machine's cores, at most 8)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workers = loader_workers(args.workers)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_jpegs(root, args.images, args.side)
        for name, rate in decoders(root).items():
            print(f"decode {name:15s} {rate:8.0f} images/s")
        aa, plain = [], []
        for r in range(args.rounds):  # alternating, so a change in the machine's load hits both
            plain.append(plain_epoch(root, args.side, args.batch, workers))
            aa.append(aa_epoch(root, args.side, args.batch, workers))
            print(f"round {r + 1}: plain {plain[-1]:8.0f} images/s   aa {aa[-1]:8.0f} images/s")
        a, p = statistics.median(aa), statistics.median(plain)
        print(f"input rate, image_folder_vs_dataloader: aa {a:.0f} images/s, plain {p:.0f} images/s, ratio {a / p:.2f} "
              f"({args.images} JPEGs of {args.side} px, batch {args.batch}, {workers} workers, "
              f"median of {args.rounds} alternating rounds)")


if __name__ == "__main__":
    main()
