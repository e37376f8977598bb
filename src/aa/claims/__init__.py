"""Sweep-end figures for the lecture's claims: memorisation with N-1 hidden units, decision regions."""
