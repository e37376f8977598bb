"""What makes `aa-train model=resnet18 optim=adam` fast on a CPU, measured side by side.

One training update of the ResNet-18 that aa builds for the 8x8 digits (batch 32, Adam), with
torch's plain nn.Conv2d against aa's CroppedConv2d (kernels cut to the taps that meet data on the
last stage's 2x2 and 1x1 maps; same outputs and gradients, tests/test_cropped_conv.py). Rounds
alternate so that machine noise hits both sides. Prints

    resnet18 batch=32 plain_ms_per_update=... cropped_ms_per_update=... ratio=...

The rest of the headline's speed-up is the recipe (configs/recipe/small_images.yaml: one-cycle over
20 epochs instead of 60 at a constant rate); time the whole command with `time aa-train model=resnet18 optim=adam`.
"""
from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch


def update_ms(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int) -> float:
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return (time.perf_counter() - start) / steps * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from aa.models.resnet import ResNet

    torch.manual_seed(0)
    cropped = ResNet((1, 8, 8), 10)
    plain = copy.deepcopy(cropped)
    for m in plain.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.__class__ = torch.nn.Conv2d
    x, y = torch.randn(args.batch, 1, 8, 8), torch.randint(0, 10, (args.batch,))
    update_ms(plain, x, y, 1), update_ms(cropped, x, y, 1)  # warm-up
    plain_ms, cropped_ms = [], []
    for _ in range(args.rounds):
        plain_ms.append(update_ms(plain, x, y, args.steps))
        cropped_ms.append(update_ms(cropped, x, y, args.steps))
    p, c = statistics.median(plain_ms), statistics.median(cropped_ms)
    print(f"resnet18 batch={args.batch} plain_ms_per_update={p:.1f} cropped_ms_per_update={c:.1f} ratio={c / p:.2f}")


if __name__ == "__main__":
    main()
