"""What a decoder returns, and the length normalisation both decoders share."""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from aa.data.seq2seq_tasks import BOS_ID, EOS_ID
from aa.models.token_input import PAD_ID


class Decoded(NamedTuple):
    """tokens (B, T) ending with </s> then padding; score: summed log-probability (B,); attention
    (B, T, S) or None."""

    tokens: Tensor
    score: Tensor
    attention: Tensor | None


def lengths(tokens: Tensor) -> Tensor:
    """Tokens emitted per row, counting </s> (B,)."""
    return (tokens != PAD_ID).sum(1)


def normalised(score: Tensor, length: Tensor, alpha: float) -> Tensor:
    """score / length^alpha: alpha 0 ranks by log-probability, 1 by log-probability per token."""
    return score / length.clamp(min=1).to(score.dtype).pow(alpha)


def finish_rows(tokens: Tensor, score: Tensor, attention: Tensor | None) -> Decoded:
    """Padding after each row's first </s> (rows that never ended keep all their tokens)."""
    ended = (tokens == EOS_ID).long().cumsum(1)
    after = (ended - (tokens == EOS_ID).long()) > 0
    return Decoded(tokens.masked_fill(after, PAD_ID), score, attention)


def next_token_logp(logits: Tensor) -> Tensor:
    """log-probabilities of the next token under the model; padding and <s> are never emitted (their
    probability is not spread over the others, so scores stay the model's log-probabilities)."""
    logp = torch.log_softmax(logits.float(), -1)
    logp[:, [BOS_ID]] = float("-inf")
    logp[:, [PAD_ID]] = float("-inf")
    return logp
