"""Greedy decoding: at each step the single most probable next token (the lecture's "greedy" inference)."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from aa.data.seq2seq_tasks import BOS_ID, EOS_ID
from aa.decode.hypotheses import Decoded, finish_rows, next_token_logp
from aa.models.token_input import PAD_ID


@torch.no_grad()
def greedy(model: nn.Module, src: Tensor, max_length: int) -> Decoded:
    """Tokens (B, T) up to and including </s> (padding after), their summed log-probability (B,),
    and the attention weights of each step (B, T, S) when the model has attention."""
    enc = model.encode(src)
    state = model.start(enc)
    b = len(src)
    tokens = torch.full((b,), BOS_ID, dtype=torch.long, device=src.device)
    done = torch.zeros(b, dtype=torch.bool, device=src.device)
    score = torch.zeros(b, device=src.device)
    out, weights = [], []
    for _ in range(max_length):
        logits, state, attn = model.step(tokens, state, enc)
        logp = next_token_logp(logits)
        tokens = logp.argmax(-1)
        score = score + torch.where(done, 0.0, logp.gather(1, tokens.unsqueeze(1)).squeeze(1))
        tokens = torch.where(done, PAD_ID, tokens)
        out.append(tokens)
        if attn is not None:
            weights.append(attn)
        done = done | (tokens == EOS_ID)
        if bool(done.all()):
            break
    return finish_rows(torch.stack(out, 1), score, torch.stack(weights, 1) if weights else None)
