"""Schemas of CTC recognition: the CRNN, the line and tone data sets and the ctc objective. Inputs are
"line" (an image read column by column) or "spectrogram" (log-mel frames, read the same way)."""
from __future__ import annotations

from typing import Optional

from aa.base.errors import ConfigError
from aa.config.schema import NodeSchema, opt, schema


@schema("aa.models.crnn.CRNN")
class CRNN(NodeSchema):
    info = {"inputs": ("line", "spectrogram")}
    channels: list[int] = opt([32, 64], ge=1, le=4096, nonempty=True, doc="conv blocks; each halves the height")
    width_pools: int = opt(1, ge=0, le=8, doc="leading blocks that also halve the width (frames per line)")
    hidden_size: int = opt(128, ge=1, le=8192, doc="LSTM units per direction")
    num_layers: int = opt(2, ge=1, le=8)
    dropout: float = opt(0.0, ge=0, lt=1)


class Recognition(NodeSchema):
    val_fraction: float = opt(0.15, gt=0, lt=1)
    test_fraction: float = opt(0.2, gt=0, lt=1)
    standardize: bool = opt(True, doc="z-score inputs with training statistics")


@schema("aa.data.digit_strings.DigitStringsData")
class DigitStrings(Recognition):
    info = {"task": "recognition", "inputs": ("line",)}
    n_train: int = opt(4000, ge=1, le=1_000_000, doc="training lines")
    n_val: int = opt(500, ge=1, le=1_000_000)
    n_test: int = opt(1000, ge=1, le=1_000_000)
    min_digits: int = opt(3, ge=1, le=30)
    max_digits: int = opt(8, ge=1, le=30)
    max_gap: int = opt(3, ge=0, le=16, doc="pixels between digits, drawn from 0..max_gap")
    jitter: int = opt(2, ge=0, le=8, doc="vertical shift, drawn from 0..2*jitter pixels")

    @staticmethod
    def check(path: str, node: dict) -> None:
        if node.get("min_digits", 3) > node.get("max_digits", 8):
            raise ConfigError(f"{path}.min_digits", node["min_digits"], f"exceeds {path}.max_digits={node['max_digits']}")


@schema("aa.task.ctc.CTC")
class CTCObjective(NodeSchema):
    info = {"tasks": ("recognition",), "metric": "cer", "uses_loss": False}
    strategy: str = opt("greedy", choices=("greedy", "beam"), doc="best symbol per frame, or prefix beam search")
    beam_size: int = opt(8, ge=1, le=256, doc="prefixes the beam keeps")


@schema("aa.data.dtmf.DTMFData")
class DTMF(NodeSchema):
    info = {"task": "recognition", "inputs": ("spectrogram",)}
    n_train: int = opt(3000, ge=1, le=1_000_000, doc="training sequences")
    n_val: int = opt(300, ge=1, le=1_000_000)
    n_test: int = opt(500, ge=1, le=1_000_000)
    min_keys: int = opt(3, ge=1, le=30)
    max_keys: int = opt(8, ge=1, le=30)
    tone_ms: list[int] = opt([50, 120], ge=5, le=2000, doc="[shortest, longest] tone in milliseconds")
    pause_ms: list[int] = opt([40, 100], ge=0, le=2000, doc="[shortest, longest] silence between tones")
    snr_db: list[float] = opt([5.0, 20.0], ge=-20, le=80, doc="[lowest, highest] signal-to-noise ratio (dB)")
    sample_rate: int = opt(8000, ge=4000, le=48000, doc="samples per second (4000 or more: DTMF reaches 1477 Hz)")
    n_mels: int = opt(32, ge=4, le=128, doc="mel filters between 300 and 2000 Hz")
    hop_ms: int = opt(20, ge=1, le=100, doc="milliseconds between spectrogram frames")
    standardize: bool = opt(True, doc="z-score inputs with training statistics")

    @staticmethod
    def check(path: str, node: dict) -> None:
        if node.get("min_keys", 3) > node.get("max_keys", 8):
            raise ConfigError(f"{path}.min_keys", node["min_keys"], f"exceeds {path}.max_keys={node['max_keys']}")
        for key in ("tone_ms", "pause_ms", "snr_db"):
            pair = list(node.get(key) or [])
            if len(pair) != 2 or pair[0] > pair[1]:
                raise ConfigError(f"{path}.{key}", pair, "must be [lowest, highest]")


@schema("aa.callbacks.transcriptions.Transcriptions")
class Transcriptions(NodeSchema):
    count: int = opt(6, ge=1, le=64, doc="test inputs drawn with their true and decoded strings")


class Transcribed(NodeSchema):
    root: str = opt("???", doc="a folder with the files and the transcripts file")
    transcripts: str = opt("transcripts.txt", doc="'FILE TRANSCRIPT' per line, FILE relative to root")
    alphabet: Optional[str] = opt(None, doc="the characters a transcript may use; null: the training transcripts'")
    val_fraction: float = opt(0.1, gt=0, lt=1)
    test_fraction: float = opt(0.1, gt=0, lt=1)
    standardize: bool = opt(True, doc="z-score inputs with training statistics")

    @staticmethod
    def check(path: str, node: dict) -> None:
        import os

        from aa.config.transcripts_file import read_transcripts

        if node.get("root") not in (None, "???"):
            read_transcripts(os.path.expanduser(node["root"]), node.get("transcripts", "transcripts.txt"),
                             node.get("alphabet"), f"{path}.root")


@schema("aa.data.transcribed_files.LineImagesData")
class LineImages(Transcribed):
    info = {"task": "recognition", "inputs": ("line",)}
    height: int = opt(32, ge=8, le=512, doc="pixels; widths follow each image's aspect")


@schema("aa.data.transcribed_files.AudioFolderData")
class AudioFolder(Transcribed):
    info = {"task": "recognition", "inputs": ("spectrogram",)}
    sample_rate: int = opt(16000, ge=1000, le=192000, doc="every WAV file must have this rate")
    n_mels: int = opt(40, ge=4, le=256)
    hop_ms: int = opt(10, ge=1, le=100, doc="milliseconds between frames (25 ms windows)")
    f_min: float = opt(60.0, ge=0)
    f_max: Optional[float] = opt(None, gt=0, doc="null: half the sample rate")
