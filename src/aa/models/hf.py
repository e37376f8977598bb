"""A Hugging Face checkpoint from a local folder (``transformers``, the optional extra ``aa[hf]``), fine-tuned
for sequence classification with its own tokenizer, offline (``local_files_only``). The data module's
token ids are written back as words (its vocabulary) and tokenised again by the checkpoint's tokenizer, so
any text data set of aa feeds any checkpoint; the classification head is made afresh for the data's classes."""
from __future__ import annotations

import os
from typing import Sequence

from torch import Tensor, nn

from aa.base.errors import ConfigError

PAD = 0


class HFClassifier(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, path: str = "???", max_length: int = 128,
                 freeze: bool = False, vocabulary: Sequence[str] | None = None) -> None:
        super().__init__()
        try:
            import transformers
        except ImportError as e:
            raise ConfigError("model", "hf", "needs the transformers library", "pip install 'aa[hf]'") from e
        folder = os.path.expanduser(path)
        transformers.logging.set_verbosity_error()
        self.tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
        self.net = transformers.AutoModelForSequenceClassification.from_pretrained(
            folder, num_labels=num_outputs, local_files_only=True, ignore_mismatched_sizes=True)
        self.vocabulary = list(vocabulary or [])
        self.max_length = max_length
        if freeze:
            head = {id(p) for name, p in self.net.named_parameters() if "classifier" in name or "score" in name}
            for p in self.net.parameters():
                p.requires_grad_(id(p) in head)

    def word(self, i: int) -> str:
        """Token i of the data's vocabulary; data without one (generated strings) show the id itself."""
        if i >= len(self.vocabulary):
            return str(i)
        return self.vocabulary[i] if self.vocabulary[i] != "<unk>" else (self.tokenizer.unk_token or "")

    def texts(self, ids: Tensor) -> list[str]:
        return [" ".join(self.word(i) for i in row if i != PAD) for row in ids.tolist()]

    def forward(self, ids: Tensor) -> Tensor:
        """(N, L) ids of aa's vocabulary -> (N, classes) scores."""
        batch = self.tokenizer(self.texts(ids), padding=True, truncation=True, max_length=self.max_length,
                               return_tensors="pt")
        batch = {k: v.to(ids.device) for k, v in batch.items()}
        return self.net(**batch).logits
