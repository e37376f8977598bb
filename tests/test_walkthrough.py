"""The 5-3-3 walkthrough prints the lecture's quantities, and its numbers obey the slide's formulas."""
from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest
import torch
from rich.console import Console

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "backprop_walkthrough.py"


@pytest.fixture(scope="module")
def walkthrough():
    spec = importlib.util.spec_from_file_location("backprop_walkthrough", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.walkthrough


@pytest.mark.parametrize("g, loss", [("sigmoid", "mse"), ("tanh", "cross_entropy")])
def test_walkthrough_numbers_follow_the_slides(walkthrough, g, loss):
    console = Console(record=True, width=120)
    out = walkthrough(rho=0.5, g=g, loss=loss, console=console)
    text = console.export_text()
    for word in ("phi^1_i", "s^2_i", "delta^2_i", "Delta theta^1_ij", "Delta theta^2_13", "Delta theta^1_34"):
        assert word in text
    trace, dtheta, rho, x = out["trace"], out["delta_theta"], out["rho"], out["x"]
    s1, d1, d2 = trace.s[1][0], trace.delta[0][0], trace.delta[1][0]
    assert trace.phi[0].shape == (1, 3) and dtheta[0].shape == (3, 6) and dtheta[1].shape == (3, 4)
    assert dtheta[1][0, 3] == pytest.approx(rho * d2[0].item() * s1[2].item(), abs=1e-15)  # Delta theta^2_13
    assert dtheta[0][2, 4] == pytest.approx(rho * d1[2].item() * x[3], abs=1e-15)  # Delta theta^1_34
    assert dtheta[0][2, 0] == pytest.approx(rho * d1[2].item(), abs=1e-15)  # the bias: s_0 = 1
    for manual, auto in zip(dtheta, out["autograd"]):
        assert torch.allclose(manual, auto, rtol=0, atol=1e-15)


def test_output_delta_is_t_minus_s_times_g_prime_for_squared_error(walkthrough):
    out = walkthrough(rho=1.0, g="sigmoid", loss="mse", console=Console(file=io.StringIO()))
    s2, d2 = out["trace"].s[2][0], out["trace"].delta[1][0]
    t = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    assert torch.allclose(d2, (t - s2) * s2 * (1 - s2), rtol=1e-14)
