"""scripts/bench_gpu.py's CPU fallback: both sides train and report a rate, and the ratio is their quotient."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_gpu_bench_runs_tiny_on_the_cpu_and_reports_both_rates_and_their_ratio():
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_gpu.py"), "--tiny"], capture_output=True,
                         text=True, timeout=300, cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert re.search(r"^device=cpu name=cpu threads=\d+", out.stdout, re.M), out.stdout
    rates = {side: float(m) for side, m in re.findall(r"^(plain|aa) images/s=([0-9.]+)", out.stdout, re.M)}
    ratio = re.search(r"^aa_vs_plain images/s ratio=([0-9.]+) \(aa=([0-9.]+) plain=([0-9.]+)\)", out.stdout, re.M)
    assert set(rates) == {"plain", "aa"} and ratio, out.stdout
    assert rates["plain"] > 0 and rates["aa"] > 0
    assert float(ratio.group(2)) == rates["aa"] and float(ratio.group(3)) == rates["plain"]
    assert float(ratio.group(1)) == pytest.approx(rates["aa"] / rates["plain"], rel=2e-4)
