"""A user's own recognition data: a folder of files and a transcripts file listing ``FILE TRANSCRIPT`` per
line (``aa.config.transcripts_file``). ``line_images``: text-line images (IAM-like), grey, scaled to
``height`` pixels keeping their aspect, ink high; ``audio_folder``: WAV files (PCM), as log-mel spectrograms
(``aa.data.log_mel``). Inputs are right-padded to the widest; seeded val and test shares of the lines are
held out. The alphabet is ``alphabet`` if given, else the training transcripts' characters."""
from __future__ import annotations

import os
import random
import wave
from typing import Any

import torch
from torch import Tensor
from torch.nn import functional as F

from aa.base.errors import ConfigError
from aa.config.transcripts_file import read_transcripts
from aa.data.log_mel import log_mel
from aa.data.tensor_data import TensorDataModule


class TranscribedFiles(TensorDataModule):
    task = "recognition"

    def __init__(self, root: str = "???", transcripts: str = "transcripts.txt", alphabet: str | None = None,
                 val_fraction: float = 0.1, test_fraction: float = 0.1, **kwargs: Any) -> None:
        super().__init__(val_fraction=val_fraction, test_fraction=test_fraction, **kwargs)
        self.root, self.transcripts, self.given_alphabet = os.path.expanduser(root), transcripts, alphabet

    def read(self, file: str) -> Tensor:  # pragma: no cover - abstract
        """One sample as (C, H, W), W its own length."""
        raise NotImplementedError

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        rows = read_transcripts(self.root, self.transcripts, self.given_alphabet)
        order = list(range(len(rows)))
        random.Random(self.seed).shuffle(order)
        n_test, n_val = max(1, round(len(rows) * self.test_fraction)), max(1, round(len(rows) * self.val_fraction))
        if len(rows) < n_test + n_val + 1:
            raise ConfigError("dataset.root", self.root, f"lists {len(rows)} samples; val and test need their own",
                              "3 or more lines in the transcripts file")
        parts = {"test": order[:n_test], "val": order[n_test:n_test + n_val], "train": order[n_test + n_val:]}
        self.alphabet = self.given_alphabet or "".join(sorted({c for i in parts["train"] for c in rows[i][1]}))
        index = {c: k + 1 for k, c in enumerate(self.alphabet)}
        inputs = [self.read(file) for file, _ in rows]
        width = max(x.shape[-1] for x in inputs)
        longest = max(len(text) for _, text in rows)
        for split, idx in parts.items():
            x = torch.stack([F.pad(inputs[i], (0, width - inputs[i].shape[-1])) for i in idx])
            y = torch.zeros(len(idx), longest, dtype=torch.long)
            dropped = 0
            for r, i in enumerate(idx):
                labels = [index[c] for c in rows[i][1] if c in index]
                dropped += len(rows[i][1]) - len(labels)
                y[r, :len(labels)] = torch.tensor(labels, dtype=torch.long)
            setattr(self, f"x_{split}", x)
            setattr(self, f"y_{split}", y)
            self.ledger.used(split, len(idx))
            self.ledger.change(split, "dropped", dropped, "transcript characters never seen in training (no output)")
        where = os.path.join(self.root, self.transcripts)
        self.split_sources = {
            "train": f"{len(parts['train'])} lines of {where}", "val": f"{n_val} lines ({self.val_fraction:.0%})",
            "test": f"{n_test} lines ({self.test_fraction:.0%}), held out (seed {self.seed}): never used to choose "
                    "the checkpoint"}
        self._loaded = True

    @property
    def num_outputs(self) -> int:
        self.setup()
        return len(self.alphabet) + 1


class LineImagesData(TranscribedFiles):
    kinds = ("line",)

    def __init__(self, height: int = 32, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.height = height

    def read(self, file: str) -> Tensor:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(file) as im:
                grey = im.convert("L")
                w = max(1, round(grey.width * self.height / grey.height))
                grey = grey.resize((w, self.height))
                x = torch.frombuffer(bytearray(grey.tobytes()), dtype=torch.uint8).reshape(self.height, w)
        except (OSError, UnidentifiedImageError) as e:
            raise ConfigError("dataset.root", self.root, f"{file} cannot be read as an image ({e})") from e
        return (1.0 - x.float() / 255.0).unsqueeze(0)  # dark ink on light paper -> high values


class AudioFolderData(TranscribedFiles):
    kinds = ("spectrogram",)

    def __init__(self, sample_rate: int = 16000, n_mels: int = 40, hop_ms: int = 10, f_min: float = 60.0,
                 f_max: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sample_rate, self.n_mels, self.hop_ms = sample_rate, n_mels, hop_ms
        self.f_min, self.f_max = f_min, f_max or sample_rate / 2

    def read(self, file: str) -> Tensor:
        try:
            with wave.open(file, "rb") as w:
                rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
                frames = w.readframes(w.getnframes())
        except (wave.Error, EOFError, OSError) as e:
            raise ConfigError("dataset.root", self.root, f"{file} cannot be read as a WAV file ({e})") from e
        if width != 2 or rate != self.sample_rate:
            raise ConfigError("dataset.sample_rate", self.sample_rate, f"{file} is {8 * width}-bit at {rate} Hz",
                              f"16-bit PCM WAV files at dataset.sample_rate={self.sample_rate} (or set it to {rate})")
        samples = torch.frombuffer(bytearray(frames), dtype=torch.int16).float() / 32768.0
        samples = samples.reshape(-1, channels).mean(1)
        n_fft = 1 << (self.sample_rate * 25 // 1000 - 1).bit_length()  # a 25 ms window, rounded up to 2^k
        if len(samples) < n_fft:
            samples = F.pad(samples, (0, n_fft - len(samples)))
        return log_mel(samples.unsqueeze(0), self.sample_rate, n_fft, self.sample_rate * self.hop_ms // 1000,
                       self.n_mels, self.f_min, self.f_max)[0]
