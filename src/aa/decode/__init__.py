"""Inference for sequence outputs: greedy decoding or batched beam search (``aa.decode.search``)."""
