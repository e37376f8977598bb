"""int8 quantisation: dynamic, static and QAT runs test the int8 model and keep the accuracy; the
report's counts and sizes are exact; modes refuse models they cannot handle."""
from __future__ import annotations

import gzip
import io

import pytest
import torch
from conftest import make_cfg
from test_pruning import LEAN
from torch import nn

from aa.compress import measure
from aa.compress import quantize as q
from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.models.lenet import LeNet5
from aa.models.mlp import MLP


@pytest.mark.slow
def test_dynamic_int8_run_tests_the_int8_model_and_reports_smaller_layers(run, one_thread):
    m = run(["quantize=dynamic", "trainer.max_epochs=6", *LEAN])
    c = m["compression"]
    assert c["reference"] == "fp32" and c["quantize"] == "dynamic"
    assert c["after"]["test_acc"] == pytest.approx(m["test"]["acc"], abs=1e-6)  # the test split saw int8
    assert abs(c["after"]["test_acc"] - c["before"]["test_acc"]) <= 0.01
    assert c["quantized_layers"] == ["1.hidden.0.linear", "1.out"]  # the MLP's Linear layers, not 0 (Standardize)
    assert c["quantized_layers_ratio"] < 0.35  # 9.6 k weights: the file's per-tensor overhead keeps it above 1/4
    # the numbers themselves, against 9,610 fp32 parameters: 9,472 int8 weights, 138 fp32 biases and, per layer,
    # the weight's scale and zero point (8 + 8 bytes) and the layer's output scale (fp32) and zero point (int64)
    assert c["before"]["quantized_layers_tensor_bytes"] == 4 * 9610
    assert c["after"]["quantized_layers_tensor_bytes"] == 9472 + 4 * 138 + 2 * (16 + 4 + 8)
    assert c["quantized_layers_tensor_ratio"] <= 0.3
    assert c["after"]["parameters"] == c["before"]["parameters"] == 9610
    assert m["parameters"] == 9610  # the run's own count sees the trained fp32 model again


@pytest.mark.slow
def test_qat_trains_with_fake_quantisation_and_tests_an_int8_model(run, one_thread):
    m = run(["quantize=qat", "trainer.max_epochs=5", *LEAN])
    c = m["compression"]
    assert c["quantize"] == "qat"
    assert c["after"]["quantized_layers_bytes"] < 0.5 * c["before"]["quantized_layers_bytes"]
    assert m["test"]["acc"] > 0.85
    assert abs(c["after"]["test_acc"] - c["before"]["test_acc"]) <= 0.02


def test_int8_layers_take_at_most_0_3_of_their_fp32_bytes_on_a_wider_mlp():
    torch.manual_seed(0)
    model = MLP((64,), 10, [512]).eval()
    int8 = q.dynamic(model)
    layers = measure.quantized_layers(int8)
    assert layers == ["hidden.0.linear", "out"]
    before = measure.state_bytes(measure.layer_state(model, layers))[0]
    after = measure.state_bytes(measure.layer_state(int8, layers))[0]
    assert after <= 0.3 * before
    x = torch.randn(32, 64)
    assert (int8(x) - model(x)).abs().max() < 0.05 * model(x).abs().max()


def test_static_int8_quantises_every_conv_and_linear_of_lenet5_and_agrees_with_fp32():
    torch.manual_seed(0)
    model = LeNet5((1, 8, 8), 10).eval()
    xs = [torch.randn(16, 1, 8, 8) for _ in range(4)]
    int8 = q.static(model, xs)
    assert len(measure.quantized_layers(int8)) == 5  # C1, C3, C5, F6, output
    out, ref = int8(xs[0]), model(xs[0])
    assert (out - ref).abs().max() < 0.1 * ref.abs().max()


def test_counts_and_sparsity_read_zeros_in_float_and_int8_layers():
    layer = nn.Linear(4, 3)
    with torch.no_grad():
        layer.weight[0].zero_()
        layer.weight[1, :1].zero_()
    assert measure.counts(layer) == (15, 10)
    assert measure.sparsity(layer) == pytest.approx(5 / 12)
    int8 = q.dynamic(nn.Sequential(layer))
    assert measure.counts(int8) == (15, 10)
    assert measure.sparsity(int8) == pytest.approx(5 / 12)
    lstm = q.dynamic(nn.Sequential(nn.LSTM(8, 16)))
    assert measure.counts(lstm)[0] == 4 * 16 * (8 + 16 + 2)  # gates' weights and both biases


def test_sizes_are_the_bytes_torch_save_writes_raw_and_gzipped():
    state = {"w": torch.zeros(1000)}
    buf = io.BytesIO()
    torch.save(state, buf)
    raw, packed = measure.state_bytes(state)
    assert raw == len(buf.getvalue()) and packed == len(gzip.compress(buf.getvalue(), compresslevel=6))
    assert packed < raw / 5  # 4 kB of zeros; the zip container around them stays


def test_tensor_bytes_count_elements_and_each_quantised_tensors_scale_and_zero_point():
    w = torch.randn(3, 4)
    per_tensor = torch.quantize_per_tensor(w, 0.1, 0, torch.qint8)
    per_channel = torch.quantize_per_channel(w, torch.ones(3), torch.zeros(3, dtype=torch.long), 0, torch.qint8)
    assert measure.tensor_bytes({"w": w, "b": torch.zeros(3, dtype=torch.float64)}) == 12 * 4 + 3 * 8
    assert measure.tensor_bytes({"packed": (per_tensor, torch.zeros(3)), "dtype": torch.qint8}) == 12 + 16 + 12
    assert measure.tensor_bytes({"w": per_channel}) == 12 + 3 * 16


def test_latency_is_a_positive_median_in_milliseconds():
    assert 0 < measure.latency_ms(nn.Linear(8, 8), torch.randn(1, 8), repeats=5) < 1000


@pytest.mark.slow
def test_static_and_qat_refuse_recurrent_models_before_torch():
    for mode in ("static", "qat"):
        with pytest.raises(ConfigError, match="quantize=dynamic"):
            validate(make_cfg([f"quantize={mode}", "model=lstm", "dataset=adding"]))
    validate(make_cfg(["quantize=dynamic", "model=lstm", "dataset=adding"]))
