"""A small corpus generated from the seed by a grammar whose word classes are known.

Words of one class fill the same slots of the same sentence frames, so they share their contexts;
a working Word2Vec must put each word nearest to words of its own class (the objective measures it
as ``neighbour_same_class``).
"""
from __future__ import annotations

import random
from typing import Any, Iterator

from aa.data.corpus import CorpusData

CLASSES: dict[str, list[str]] = {
    "determiner": ["the", "a", "this", "that", "every", "some"],
    "adjective": ["big", "small", "old", "young", "quiet", "happy"],
    "animal": ["cat", "dog", "horse", "cow", "goat", "sheep"],
    "feeding": ["eats", "chews", "likes", "wants", "finds", "smells"],
    "food": ["grass", "hay", "apples", "corn", "oats", "carrots"],
    "preposition": ["in", "near", "behind", "beside", "under", "outside"],
    "place": ["field", "barn", "garden", "forest", "meadow", "yard"],
    "person": ["farmer", "teacher", "doctor", "baker", "pilot", "nurse"],
    "handling": ["uses", "holds", "buys", "cleans", "carries", "drops"],
    "colour": ["red", "green", "blue", "yellow", "brown", "black"],
    "tool": ["hammer", "saw", "drill", "wrench", "chisel", "spade"],
}

FRAMES = [
    "determiner adjective animal feeding determiner food preposition determiner place",
    "determiner person handling determiner colour tool preposition determiner place",
    "determiner animal feeding food",
    "determiner person handling determiner tool",
]


class GrammarData(CorpusData):
    """``n_sentences`` sentences, each a random frame with a random word of each slot's class."""

    def __init__(self, n_sentences: int = 5000, min_count: int = 1, **kwargs: Any) -> None:
        super().__init__(path="<grammar>", min_count=min_count, **kwargs)
        self.n_sentences = n_sentences
        self.word_classes = {w: c for c, words in CLASSES.items() for w in words}

    def sentences(self) -> Iterator[list[str]]:
        rnd = random.Random(self.seed)
        frames = [f.split() for f in FRAMES]
        for _ in range(self.n_sentences):
            yield [rnd.choice(CLASSES[slot]) for slot in rnd.choice(frames)]
