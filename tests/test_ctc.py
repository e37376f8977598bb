"""CTC recognition: the decoders on hand-worked distributions, the loss against its definition (sum over
alignments), the log-mel features, and CRNN learning digit strings and keypad tones through aa-train's path."""
from __future__ import annotations

import math

import pytest
import torch
from conftest import Events, make_cfg

from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.decode.ctc import greedy, prefix_beam
from aa.task.ctc import CTC


def _log(rows: list[list[float]]) -> torch.Tensor:
    return torch.tensor(rows).log().unsqueeze(0)


def test_greedy_merges_repeats_and_drops_blanks():
    # frames: a a - a b b -  (blank = 0, a = 1, b = 2)
    best = [1, 1, 0, 1, 2, 2, 0]
    lp = torch.full((1, len(best), 3), 0.05)
    lp[0, torch.arange(len(best)), best] = 0.9
    assert greedy(lp.log()) == [[1, 1, 2]]


def test_prefix_beam_sums_the_paths_that_greedy_splits():
    # two frames, p(blank) = 0.6, p(a) = 0.4: the best path "--" gives "" (0.36), but "a" collects
    # aa + a- + -a = 0.16 + 0.24 + 0.24 = 0.64
    lp = _log([[0.6, 0.4], [0.6, 0.4]])
    assert greedy(lp) == [[]]
    assert prefix_beam(lp, beam_size=4) == [[1]]


def test_prefix_beam_keeps_a_repeat_apart_only_through_a_blank():
    # "aa" needs a - a; three frames that favour a, blank, a decode to two labels
    lp = _log([[0.1, 0.9], [0.8, 0.2], [0.1, 0.9]])
    assert prefix_beam(lp, beam_size=4) == [[1, 1]]
    # two frames of a without a blank between are one a (aa, a-, -a: 0.81 + 0.09 + 0.09), never "aa"
    assert prefix_beam(_log([[0.1, 0.9], [0.1, 0.9]]), beam_size=4) == [[1]]


def test_ctc_loss_is_minus_log_of_the_summed_alignments():
    # T = 2, target "a": alignments aa, a-, -a
    p = [[0.5, 0.3, 0.2], [0.4, 0.5, 0.1]]
    expected = -math.log(p[0][1] * p[1][1] + p[0][1] * p[1][0] + p[0][0] * p[1][1])

    class Data:
        alphabet = "ab"

    class Fixed(torch.nn.Module):
        def forward(self, x):
            return torch.tensor(p).log().unsqueeze(0)

    loss, _ = CTC(Data()).ctc_loss(Fixed(), torch.zeros(1), torch.tensor([[1]]))
    assert loss.item() == pytest.approx(expected, rel=1e-5)  # CTCLoss's mean divides by the target length 1


def test_cer_counts_edits_per_reference_character():
    class Data:
        alphabet = "0123456789"

    ctc = CTC(Data())
    ctc.val_cer.update(["123", "4567"], ["124", "45678"])  # one substitution, one deletion over 8 characters
    assert ctc.val_cer.compute().item() == pytest.approx(2 / 8)


def test_mel_filterbank_is_triangular_and_centred_on_mel_spaced_frequencies():
    from aa.data.log_mel import hz_to_mel, mel_filterbank

    fb = mel_filterbank(n_fft=512, sample_rate=8000, n_mels=10, f_min=300, f_max=2000)
    assert fb.shape == (10, 257) and fb.min() >= 0 and fb.max() <= 1
    peaks = fb.argmax(1) * 8000 / 512
    mels = hz_to_mel(peaks)
    steps = mels[1:] - mels[:-1]
    assert steps.std() / steps.mean() < 0.2  # evenly spaced on the mel scale, not in hertz
    assert (peaks[1:] - peaks[:-1])[-1] > (peaks[1:] - peaks[:-1])[0]


def test_a_dtmf_key_lights_its_two_frequency_bands():
    from aa.data.dtmf import FREQS
    from aa.data.log_mel import mel_filterbank

    t = torch.arange(8000) / 8000
    low, high = FREQS["5"]
    wave = torch.sin(2 * math.pi * low * t) + torch.sin(2 * math.pi * high * t)
    power = torch.stft(wave, 256, hop_length=160, window=torch.hann_window(256), return_complex=True).abs() ** 2
    bands = (mel_filterbank(256, 8000, 32, 300, 2000) @ power).mean(1)
    centres = torch.linspace(0, 4000, 129)[mel_filterbank(256, 8000, 32, 300, 2000).argmax(1)]
    top2 = centres[bands.topk(2).indices].sort().values
    assert abs(top2[0] - low) < 60 and abs(top2[1] - high) < 80


def test_other_models_and_data_are_refused_before_torch():
    with pytest.raises(ConfigError, match="model"):
        validate(make_cfg(["model=cnn", "dataset=digit_strings"]))
    with pytest.raises(ConfigError, match="objective"):
        validate(make_cfg(["model=crnn", "dataset=digits"]))
    with pytest.raises(ConfigError, match="max_digits"):
        validate(make_cfg(["model=crnn", "dataset=digit_strings", "dataset.min_digits=9"]))


@pytest.mark.slow
def test_crnn_learns_to_read_digit_strings_of_unseen_digit_images(run, tmp_path, one_thread):
    m = run(["model=crnn", "dataset=digit_strings", "dataset.n_train=1500", "dataset.n_test=300",
             "dataset.n_val=100", "model.hidden_size=64", "model.num_layers=1", "trainer.max_epochs=6",
             "optim.lr=0.003"])
    assert m["task"] == "recognition" and m["optimized_metric"]["name"] == "val/cer"
    assert m["test"]["cer"] <= 0.15, m["test"]
    assert (tmp_path / "run" / "transcriptions.png").is_file()
    assert "test/transcriptions" in Events(tmp_path / "run").tags("images")


@pytest.mark.slow
def test_crnn_hears_keypad_tones_and_beam_decoding_reads_them(run, one_thread):
    m = run(["model=crnn", "dataset=dtmf", "dataset.n_train=1000", "dataset.n_test=200", "dataset.n_val=100",
             "model.hidden_size=64", "model.num_layers=1", "trainer.max_epochs=6", "batch.size=16",
             "objective.strategy=beam", "objective.beam_size=4"])
    assert m["test"]["cer"] <= 0.15, m["test"]


def test_line_images_and_wavs_load_as_the_crnn_reads_them(tmp_path):
    from data_files import write_dtmf_wavs, write_line_images

    from aa.run.build import build_data

    dm = build_data(make_cfg(["model=crnn", "dataset=line_images", f"dataset.root={write_line_images(tmp_path / 'l')}"]))
    assert dm.x_train.shape[1:2] == (1,) and dm.x_train.shape[2] == 32 and set(dm.alphabet) <= set("0123456789")
    assert dm.x_train.max() > 0.5 and dm.x_train[..., -3:].abs().max() < 0.1  # ink high, paper and padding low
    dm = build_data(make_cfg(["model=crnn", "dataset=audio_folder", f"dataset.root={write_dtmf_wavs(tmp_path / 'a')}",
                              "dataset.sample_rate=8000"]))
    assert dm.x_train.shape[1:3] == (1, 40) and dm.num_outputs == len(dm.alphabet) + 1


@pytest.mark.parametrize("line, why", [
    ("line0.png", "line 2 ('line0.png') has no transcript"),
    ("nothere.png 12", "line 2 ('nothere.png 12') names nothere.png, which is not a file"),
    ("line0.png 1a2", "line 2 ('line0.png 1a2') has characters outside dataset.alphabet: 'a'"),
])
def test_a_bad_transcripts_line_is_refused_before_torch(tmp_path, line, why):
    from data_files import write_line_images

    root = write_line_images(tmp_path / "l", n=3)
    first = (root / "transcripts.txt").read_text().splitlines()[0]
    (root / "transcripts.txt").write_text(first + "\n" + line + "\n")
    with pytest.raises(ConfigError) as e:
        validate(make_cfg(["model=crnn", "dataset=line_images", f"dataset.root={root}", "dataset.alphabet='0123456789'"]))
    assert "transcripts.txt " + why in str(e.value), str(e.value)


def test_an_unreadable_wav_is_refused_naming_it(tmp_path):
    from conftest import refused
    from data_files import write_dtmf_wavs

    from aa.run.build import build_data

    root = write_dtmf_wavs(tmp_path / "a", n=4)
    (root / "keys2.wav").write_bytes(b"not a wav file")
    refused(lambda: build_data(make_cfg(["model=crnn", "dataset=audio_folder", f"dataset.root={root}",
                                         "dataset.sample_rate=8000"])), r"keys2\.wav cannot be read as a WAV file")


@pytest.mark.slow
def test_crnn_learns_keypad_tones_from_wav_files(run, tmp_path, one_thread):
    from data_files import write_dtmf_wavs

    root = write_dtmf_wavs(tmp_path / "a", n=400)
    m = run(["model=crnn", "dataset=audio_folder", f"dataset.root={root}", "dataset.sample_rate=8000",
             "dataset.n_mels=32", "dataset.f_min=300", "dataset.f_max=2000", "dataset.hop_ms=20",
             "model.hidden_size=48", "model.num_layers=1", "batch.size=8", "trainer.max_epochs=12"])
    assert m["test"]["cer"] <= 0.2, m["test"]
