"""Intrinsic tests of word vectors: same-class neighbours, word-similarity Spearman, analogies.

Similarity and analogy follow gensim's KeyedVectors.evaluate_word_pairs / evaluate_word_analogies:
words compared case-insensitively, pairs or questions with a word outside the vocabulary skipped and
counted, analogies answered by 3CosAdd (the nearest word to b - a + c by cosine, a, b and c excluded)
among the ``restrict`` most frequent words. The test files ship inside the gensim wheel.
"""
from __future__ import annotations

import importlib.util
import os
from typing import Sequence

import torch
from torch import Tensor
from torchmetrics.functional import spearman_corrcoef

SIMILARITY_FILES = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
ANALOGY_FILE = "questions-words.txt"


def gensim_test_data() -> str | None:
    """gensim's test_data folder when gensim is installed (found without importing gensim)."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "test", "test_data")
    return path if os.path.isdir(path) else None


def unit(vectors: Tensor) -> Tensor:
    return vectors / vectors.norm(dim=1, keepdim=True).clamp_min(1e-12)


def nearest(vectors: Tensor, ids: Tensor, k: int = 1) -> Tensor:
    """The k nearest words (by cosine) of each word in ``ids``, itself excluded."""
    v = unit(vectors.float())
    sims = v[ids] @ v.T
    sims[torch.arange(len(ids)), ids] = -float("inf")
    return sims.topk(min(k, len(v) - 1), dim=1).indices


def same_class_neighbours(vectors: Tensor, itos: Sequence[str], classes: dict[str, str]) -> float:
    """Share of the classed words whose nearest neighbour in the whole vocabulary has their class."""
    ids = [i for i, w in enumerate(itos) if w in classes]
    if not ids:
        return float("nan")
    nn_ids = nearest(vectors, torch.tensor(ids, device=vectors.device))[:, 0].tolist()
    return sum(classes[itos[i]] == classes.get(itos[j]) for i, j in zip(ids, nn_ids)) / len(ids)


def read_pairs(path: str) -> list[tuple[str, str, float]]:
    """word1 <tab> word2 <tab> human score lines; '#' comments skipped."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            a, b, score = line.rstrip("\n").split("\t")[:3]
            out.append((a.lower(), b.lower(), float(score)))
    return out


def similarity(vectors: Tensor, stoi: dict[str, int], pairs: list[tuple[str, str, float]]) -> tuple[float, int]:
    """Spearman correlation of cosine similarity with the human scores, and the pairs it used."""
    kept = [(stoi[a], stoi[b], s) for a, b, s in pairs if a in stoi and b in stoi]
    if len(kept) < 3:
        return float("nan"), len(kept)
    v = unit(vectors.float())
    a, b, human = (torch.tensor(c, device=v.device) for c in zip(*kept))
    cosine = (v[a] * v[b]).sum(1)
    return float(spearman_corrcoef(cosine, human.float())), len(kept)


def read_analogies(path: str) -> list[tuple[str, str, str, str]]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(":") or not line.strip():
                continue
            out.append(tuple(line.lower().split()[:4]))
    return out


def analogies(vectors: Tensor, stoi: dict[str, int], questions: list[tuple[str, ...]],
              restrict: int = 300000, chunk: int = 1024) -> tuple[float, int]:
    """Accuracy of a : b :: c : d answered by 3CosAdd, and the questions answered."""
    kept = [[stoi[w] for w in q] for q in questions if all(w in stoi and stoi[w] < restrict for w in q)]
    if not kept:
        return float("nan"), 0
    v = unit(vectors[:restrict].float())
    q = torch.tensor(kept, device=v.device)
    right = 0
    for start in range(0, len(q), chunk):
        a, b, c, d = q[start:start + chunk].T
        sims = (v[b] - v[a] + v[c]) @ v.T
        rows = torch.arange(len(a), device=v.device)
        for w in (a, b, c):
            sims[rows, w] = -float("inf")
        right += int((sims.argmax(1) == d).sum())
    return right / len(kept), len(kept)


class WordTests:
    """The gensim test files, read once; ``run`` gives every score with the counts it rests on."""

    def __init__(self, folder: str | None = None, analogy: bool = True) -> None:
        folder = folder or gensim_test_data()
        self.pairs = {name: read_pairs(os.path.join(folder, f)) for name, f in SIMILARITY_FILES.items()} if folder else {}
        self.questions = read_analogies(os.path.join(folder, ANALOGY_FILE)) if folder and analogy else []

    def run(self, vectors: Tensor, stoi: dict[str, int], analogy: bool = True) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, pairs in self.pairs.items():
            rho, n = similarity(vectors, stoi, pairs)
            if n >= 10:
                out[f"{name}_spearman"], out[f"{name}_pairs"] = rho, float(n)
        if analogy and self.questions:
            acc, n = analogies(vectors, stoi, self.questions)
            if n:
                out["analogy_acc"], out["analogy_questions"] = acc, float(n)
        return out
