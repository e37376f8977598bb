"""int8 on this CPU: fp32 against torch.ao's dynamic int8 (the API aa uses) and, when installed,
torchao's int8 paths, for a narrow and a wide MLP; median latency at batch 1 and 64 on one thread.

    python scripts/bench_int8.py            (pip install torchao to add its rows)
"""
from __future__ import annotations

import copy
import os

import torch
from torch import nn

from aa.compress import measure
from aa.compress import quantize as q


def mlp(width: int) -> nn.Module:
    return nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 10)).eval()


def torchao_variants(model: nn.Module) -> dict[str, nn.Module]:
    try:
        from torchao.quantization import Int8DynamicActivationInt8WeightConfig, Int8WeightOnlyConfig, quantize_
    except ImportError:
        return {}
    out = {}
    for name, config in (("torchao int8 dynamic", Int8DynamicActivationInt8WeightConfig()),
                         ("torchao int8 weight-only", Int8WeightOnlyConfig())):
        m = copy.deepcopy(model)
        quantize_(m, config)
        out[name] = m
    return out


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    vnni = "vnni" in open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else "unknown"
    print(f"torch {torch.__version__}, 1 thread, CPU with VNNI: {vnni}")
    print(f"{'width':>6} {'model':26s} {'bytes':>9} {'b1 ms':>8} {'b64 ms':>8}")
    for width in (128, 1024):
        model = mlp(width)
        variants = {"fp32": model, "torch.ao dynamic int8": q.dynamic(model), **torchao_variants(model)}
        for name, m in variants.items():
            size = measure.state_bytes(m.state_dict())[0]
            b1 = measure.latency_ms(m, torch.randn(1, 64), repeats=50)
            b64 = measure.latency_ms(m, torch.randn(64, 64), repeats=50)
            print(f"{width:>6} {name:26s} {size:>9,} {b1:>8.3f} {b64:>8.3f}")


if __name__ == "__main__":
    main()
