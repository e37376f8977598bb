"""Labelled sentences of the grammar corpus's language, for reusing Word2Vec vectors in a text model.

Each sentence is "determiner adjective X preposition determiner place", and its label is the class of
X (animal, person, tool or food): one informative word among five that every class shares. The labelled
training set is small (each X word is seen a few times), the test set large; vectors trained on the
unlabelled grammar corpus (``dataset=grammar``) already put each X word beside its class-mates.
"""
from __future__ import annotations

import random
from typing import Any

from aa.data.grammar import CLASSES
from aa.data.text_csv import Records, TextData

TOPICS = ("animal", "person", "tool", "food")
FRAME = ("determiner", "adjective", None, "preposition", "determiner", "place")


class GrammarTopicsData(TextData):
    """``n_train`` labelled sentences (``val_fraction`` of them for validation) and ``n_test`` test
    sentences, generated from the seed; the test sentences come from their own random stream."""

    def __init__(self, n_train: int = 60, n_test: int = 1000, max_length: int = 16, val_fraction: float = 0.2,
                 **kwargs: Any) -> None:
        super().__init__(max_length=max_length, val_fraction=val_fraction, **kwargs)
        self.n_train, self.n_test = n_train, n_test

    def sentences(self, rnd: random.Random, n: int) -> tuple[list[str], list[int]]:
        texts, labels = [], []
        for _ in range(n):
            topic = rnd.randrange(len(TOPICS))
            texts.append(" ".join(rnd.choice(CLASSES[slot or TOPICS[topic]]) for slot in FRAME))
            labels.append(topic)
        return texts, labels

    def read(self) -> Records:
        texts, labels = self.sentences(random.Random(self.seed), self.n_train)
        test_texts, test_labels = self.sentences(random.Random(f"test-{self.seed}"), self.n_test)
        return Records(texts, labels, list(TOPICS), test_texts, test_labels)
