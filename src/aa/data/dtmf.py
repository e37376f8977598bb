"""Embedded speech-like recognition: telephone keypad (DTMF) tone sequences. Each key sounds two sines, one
of four row frequencies and one of three column frequencies (ITU-T Q.23); a sequence of 3-8 keys has
random tone lengths, pauses, loudness and white noise at a random signal-to-noise ratio, and is served as
a log-mel spectrogram (``aa.data.log_mel``) labelled with its key string only."""
from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from aa.data.log_mel import log_mel
from aa.data.tensor_data import TensorDataModule

ALPHABET = "0123456789*#"
ROWS, COLS = (697.0, 770.0, 852.0, 941.0), (1209.0, 1336.0, 1477.0)
KEYPAD = ("123", "456", "789", "*0#")
FREQS = {key: (ROWS[r], COLS[c]) for r, row in enumerate(KEYPAD) for c, key in enumerate(row)}


def synthesize(n: int, sample_rate: int, min_keys: int, max_keys: int, tone_ms: tuple[int, int],
               pause_ms: tuple[int, int], snr_db: tuple[float, float],
               generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """(n, samples) waveforms, all as long as the longest possible sequence, and targets (n, max_keys)."""
    ms = sample_rate // 1000
    length = (max_keys * (tone_ms[1] + pause_ms[1]) + pause_ms[1]) * ms
    waves = torch.zeros(n, length)
    y = torch.zeros(n, max_keys, dtype=torch.long)

    def draw(lo: float, hi: float) -> float:
        return lo + (hi - lo) * float(torch.rand(1, generator=generator))

    for i in range(n):
        k = int(torch.randint(min_keys, max_keys + 1, (1,), generator=generator))
        keys = torch.randint(len(ALPHABET), (k,), generator=generator)
        at = int(draw(0, pause_ms[1])) * ms
        for key in keys.tolist():
            size = int(draw(*tone_ms)) * ms
            t = torch.arange(size) / sample_rate
            low, high = FREQS[ALPHABET[key]]
            phase = draw(0, 2 * math.pi)
            waves[i, at:at + size] = draw(0.3, 1.0) * (torch.sin(2 * math.pi * low * t + phase)
                                                       + torch.sin(2 * math.pi * high * t))
            at += size + int(draw(*pause_ms)) * ms
        y[i, :k] = keys + 1
        signal = waves[i].pow(2).sum() / max(1, int((waves[i] != 0).sum()))
        noise = signal / 10 ** (draw(*snr_db) / 10)
        waves[i] += noise.sqrt() * torch.randn(length, generator=generator)
    return waves, y


class DTMFData(TensorDataModule):
    task = "recognition"
    kinds = ("spectrogram",)
    alphabet = ALPHABET

    def __init__(self, n_train: int = 3000, n_val: int = 300, n_test: int = 500, min_keys: int = 3,
                 max_keys: int = 8, tone_ms: list[int] = (50, 120), pause_ms: list[int] = (40, 100),
                 snr_db: list[float] = (5.0, 20.0), sample_rate: int = 8000, n_mels: int = 32,
                 hop_ms: int = 20, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sizes = {"train": n_train, "val": n_val, "test": n_test}
        self.min_keys, self.max_keys = min_keys, max_keys
        self.tone_ms, self.pause_ms, self.snr_db = tuple(tone_ms), tuple(pause_ms), tuple(snr_db)
        self.sample_rate, self.n_mels, self.hop_ms = sample_rate, n_mels, hop_ms

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        for offset, split in enumerate(("train", "val", "test")):
            g = torch.Generator().manual_seed(self.seed * 3 + offset)  # each split its own draws
            waves, y = synthesize(self.sizes[split], self.sample_rate, self.min_keys, self.max_keys,
                                  self.tone_ms, self.pause_ms, self.snr_db, g)
            x = log_mel(waves, self.sample_rate, hop=self.sample_rate * self.hop_ms // 1000, n_mels=self.n_mels)
            setattr(self, f"x_{split}", x)
            setattr(self, f"y_{split}", y)
            self.ledger.used(split, len(y), keys=int((y > 0).sum()))
        self.split_sources = {s: f"{self.sizes[s]} key sequences synthesised from seed {self.seed} ({s}'s own draws)"
                              for s in ("train", "val")}
        self.split_sources["test"] = (f"{self.sizes['test']} key sequences synthesised from their own draws of "
                                      f"seed {self.seed}, held out: never used to choose the checkpoint")
        self._loaded = True

    @property
    def num_outputs(self) -> int:
        return len(self.alphabet) + 1
