"""Beam search batched on tensors: B inputs x K hypotheses advance together, one model call per step.

Each step extends every live hypothesis by every token (B, K, V), ranks the candidates by
log-probability divided by length^alpha (length normalisation; alpha 0: plain log-probability) and
keeps the best K per input. A finished hypothesis (it emitted </s>) has one continuation, padding at
no cost, so it competes with the live ones with its final score. With K = 1 this is greedy decoding.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from aa.data.seq2seq_tasks import BOS_ID, EOS_ID
from aa.decode.hypotheses import Decoded, finish_rows, next_token_logp, normalised
from aa.models.seq2seq import Encoded
from aa.models.token_input import PAD_ID


def _repeat(enc: Encoded, k: int) -> Encoded:
    return Encoded(enc.memory.repeat_interleave(k, 0), enc.mask.repeat_interleave(k, 0), None)


@torch.no_grad()
def beam_search(model: nn.Module, src: Tensor, max_length: int, beam_size: int = 4,
                length_penalty: float = 1.0) -> Decoded:
    b, k, dev = len(src), beam_size, src.device
    enc = model.encode(src)
    rows = torch.arange(b, device=dev).repeat_interleave(k)
    state = model.reorder(model.start(enc), rows)
    enc = _repeat(enc, k)
    score = torch.full((b, k), float("-inf"), device=dev)
    score[:, 0] = 0.0  # one live hypothesis at first, so the K beams do not start as copies
    length = torch.zeros(b, k, device=dev)
    done = torch.zeros(b, k, dtype=torch.bool, device=dev)
    tokens = torch.full((b * k,), BOS_ID, dtype=torch.long, device=dev)
    history = torch.zeros(b, k, 0, dtype=torch.long, device=dev)
    attention = None
    for _ in range(max_length):
        logits, state, attn = model.step(tokens, state, enc)
        logp = next_token_logp(logits).view(b, k, -1)
        vocab = logp.shape[-1]
        pad_only = torch.full_like(logp, float("-inf"))
        pad_only[..., PAD_ID] = 0.0
        logp = torch.where(done.unsqueeze(2), pad_only, logp)
        total = score.unsqueeze(2) + logp  # (B, K, V)
        new_length = (length + (~done).float()).unsqueeze(2).expand_as(total)
        rank = normalised(total, new_length, length_penalty).view(b, -1)
        best = rank.topk(k, dim=1).indices  # (B, K) over K*V candidates
        beam, token = best // vocab, best % vocab
        score = total.view(b, -1).gather(1, best)
        length = new_length.reshape(b, -1).gather(1, best)
        done = done.gather(1, beam) | (token == EOS_ID)
        history = torch.cat([history.gather(1, beam.unsqueeze(2).expand_as(history)), token.unsqueeze(2)], 2)
        flat = (beam + torch.arange(b, device=dev).unsqueeze(1) * k).view(-1)
        state = model.reorder(state, flat)
        if attn is not None:
            attn = attn.view(b, k, 1, -1)
            attention = attn if attention is None else torch.cat([attention, attn], 2)
            attention = attention.gather(1, beam.view(b, k, 1, 1).expand(-1, -1, *attention.shape[2:]))
        tokens = token.view(-1)
        if bool(done.all()):
            break
    choice = normalised(score, length, length_penalty).argmax(1)
    pick = lambda t: t[torch.arange(b, device=dev), choice]  # noqa: E731
    return finish_rows(pick(history), pick(score), pick(attention) if attention is not None else None)
