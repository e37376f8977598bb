"""The decode group: which inference a sequence-to-sequence run uses on val/test (``decode.strategy``)."""
from __future__ import annotations

from torch import Tensor, nn

from aa.decode.beam import beam_search
from aa.decode.greedy import greedy
from aa.decode.hypotheses import Decoded

STRATEGIES = ("greedy", "beam")


class Decoder:
    """``greedy``, or ``beam`` with ``beam_size`` hypotheses and length normalisation ``length_penalty``
    (score / length^alpha); at most ``max_length`` tokens (null: the data's longest target + 10)."""

    def __init__(self, strategy: str = "greedy", beam_size: int = 4, max_length: int | None = None,
                 length_penalty: float = 1.0) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy={strategy!r}: choose one of {', '.join(STRATEGIES)}")
        self.strategy, self.beam_size = strategy, beam_size
        self.max_length, self.length_penalty = max_length, length_penalty

    def __call__(self, model: nn.Module, src: Tensor, max_length: int) -> Decoded:
        limit = self.max_length or max_length
        if self.strategy == "beam":
            return beam_search(model, src, limit, self.beam_size, self.length_penalty)
        return greedy(model, src, limit)
