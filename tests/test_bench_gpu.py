"""scripts/bench_gpu.py's CPU fallback: both sides train and report a rate, and the ratio is their quotient."""
from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_gpu_bench_runs_tiny_on_the_cpu_and_reports_both_rates_and_their_ratio(capsys, monkeypatch):
    """In this process (torch and Lightning already imported), on the CPU."""
    monkeypatch.setattr(sys, "argv", ["bench_gpu.py", "--tiny", "--device", "cpu"])
    runpy.run_path(str(ROOT / "scripts" / "bench_gpu.py"), run_name="__main__")
    stdout = capsys.readouterr().out
    assert re.search(r"^device=cpu name=cpu threads=\d+", stdout, re.M), stdout
    rates = {side: float(m) for side, m in re.findall(r"^(plain|aa) images/s=([0-9.]+)", stdout, re.M)}
    ratio = re.search(r"^aa_vs_plain images/s ratio=([0-9.]+) \(aa=([0-9.]+) plain=([0-9.]+)\)", stdout, re.M)
    assert set(rates) == {"plain", "aa"} and ratio, stdout
    assert rates["plain"] > 0 and rates["aa"] > 0
    assert float(ratio.group(2)) == rates["aa"] and float(ratio.group(3)) == rates["plain"]
    assert float(ratio.group(1)) == pytest.approx(rates["aa"] / rates["plain"], rel=2e-4)
