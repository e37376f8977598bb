"""Token-tagged sentences (named entities in BIO tags) as right-padded tensors. Inputs are (N, L, 1 + W):
per token its word id (0 pads, 1 is <unk>; case kept, capitals mark names) and the ids of its first W
characters (0 pads, 1 an unknown character), so a tagger with character features can read a word it has
never seen; targets are tag ids (-1 pads: no loss there). Vocabularies come from the training sentences;
``class_names`` are the tags, O first."""
from __future__ import annotations

import os
import random
from typing import Any

import torch
from torch import Tensor

from aa.config.conll_file import read_conll
from aa.data.tensor_data import TensorDataModule
from aa.data.tokenize import PAD_ID, Vocabulary

PAD_TAG = -1
Sentences = list[tuple[list[str], list[str]]]


class TaggedData(TensorDataModule):
    task = "tagging"
    kinds = ("sentence",)

    def __init__(self, max_length: int | None = None, min_freq: int = 1, max_word_chars: int = 16,
                 **kwargs: Any) -> None:
        kwargs["standardize"] = False
        super().__init__(**kwargs)
        self.max_length, self.min_freq, self.max_word_chars = max_length, min_freq, max_word_chars

    def splits(self) -> dict[str, Sentences]:  # pragma: no cover - abstract
        raise NotImplementedError

    def carve(self, sentences: Sentences, what: str) -> dict[str, Sentences]:
        """Seeded val and test shares of one list of sentences."""
        order = list(range(len(sentences)))
        random.Random(self.seed).shuffle(order)
        n_test, n_val = round(len(order) * self.test_fraction), round(len(order) * self.val_fraction)
        n_test, n_val = max(1, n_test), max(1, n_val)
        parts = {"test": order[:n_test], "val": order[n_test:n_test + n_val], "train": order[n_test + n_val:]}
        self.split_sources = {
            "train": f"{len(parts['train'])} sentences of {what}",
            "val": f"{len(parts['val'])} sentences ({self.val_fraction:.0%}) of {what}",
            "test": f"{len(parts['test'])} sentences ({self.test_fraction:.0%}) of {what}, held out (seed "
                    f"{self.seed}): never used to choose the checkpoint"}
        return {k: [sentences[i] for i in v] for k, v in parts.items()}

    def setup(self, stage: str | None = None) -> None:
        if self._loaded:
            return
        parts = self.splits()
        self.vocab = Vocabulary.build((t for t, _ in parts["train"]), self.min_freq)
        self.chars = ["<pad>", "<unk>", *sorted({c for t, _ in parts["train"] for w in t for c in w})]
        char_index = {c: i for i, c in enumerate(self.chars)}
        tags = sorted({tag for _, ts in parts["train"] for tag in ts} - {"O"}, key=lambda t: (t[2:], t))
        self.class_names = ["O", *tags]
        index = {t: i for i, t in enumerate(self.class_names)}
        longest = max(len(t) for sentences in parts.values() for t, _ in sentences)  # one width for every split
        for split, sentences in parts.items():
            unseen = sorted({tag for _, ts in sentences for tag in ts} - set(index))
            if unseen:
                from aa.base.errors import ConfigError

                raise ConfigError("dataset", split, f"the {split} sentences use tags the training sentences never do "
                                  f"({', '.join(unseen[:5])}): the model has no output for them",
                                  "more training sentences, or a split that covers every tag")
            words = [t for t, _ in sentences]
            limit = self.max_length or longest
            self.vocab.account(self.ledger, split, words, self.max_length, "sentences")
            x = self.vocab.encode(words, limit)
            x = torch.nn.functional.pad(x, (0, limit - x.shape[1]), value=PAD_ID)  # encode pads to its longest row
            y = torch.full(x.shape, PAD_TAG, dtype=torch.long)
            chars = torch.zeros(*x.shape, self.max_word_chars, dtype=torch.long)
            for i, (tokens, ts) in enumerate(sentences):
                row = [index[t] for t in ts[:limit]]
                y[i, :len(row)] = torch.tensor(row)
                for j, w in enumerate(tokens[:limit]):
                    ids = [char_index.get(c, 1) for c in w[: self.max_word_chars]]
                    chars[i, j, :len(ids)] = torch.tensor(ids)
            x = torch.cat([x.unsqueeze(-1), chars], -1)
            setattr(self, f"x_{split}", x)
            setattr(self, f"y_{split}", y)
            self.ledger.used(split, len(sentences), tokens=int((y != PAD_TAG).sum()))
        self._loaded = True

    @property
    def num_outputs(self) -> int:
        self.setup()
        return len(self.class_names)

    @property
    def input_shape(self) -> tuple[int, ...]:
        self.setup()
        return (len(self.vocab),)

    def model_args(self) -> dict[str, Any]:
        self.setup()
        return {"vocabulary": list(self.vocab.itos), "n_chars": len(self.chars)}

    def decode(self, ids: Tensor) -> str:
        """One sentence's (L, 1 + W) inputs as its words."""
        return self.vocab.decode(ids[..., 0])


class ConllData(TaggedData):
    """A user's CoNLL-2003 style file (``path``); ``test_path`` a separate test file, else seeded
    ``val_fraction`` and ``test_fraction`` of its sentences are held out."""

    def __init__(self, path: str = "???", test_path: str | None = None, val_fraction: float = 0.1,
                 test_fraction: float = 0.1, **kwargs: Any) -> None:
        super().__init__(val_fraction=val_fraction, test_fraction=test_fraction, **kwargs)
        self.path = os.path.expanduser(path)
        self.test_path = os.path.expanduser(test_path) if test_path else None

    def splits(self) -> dict[str, Sentences]:
        sentences = read_conll(self.path)
        if self.test_path is None:
            return self.carve(sentences, os.path.basename(self.path))
        test = read_conll(self.test_path, "dataset.test_path")
        self.test_fraction = 0.0
        parts = self.carve(sentences, os.path.basename(self.path))
        parts["train"] += parts.pop("test")
        parts["test"] = test
        self.split_sources["train"] = f"{len(parts['train'])} sentences of {os.path.basename(self.path)}"
        self.split_sources["test"] = f"{os.path.basename(self.test_path)} ({len(test)} sentences): never used to " \
                                     "choose the checkpoint"
        return parts
