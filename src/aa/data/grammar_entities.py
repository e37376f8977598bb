"""An embedded named-entity set in the grammar corpus's style: sentences with persons, places and
organisations (some of two words: B- then I-), tagged in BIO. The frames put the same entity types in
different positions, so a tagger must read the context as well as the names; each split's sentences are
drawn from their own random stream."""
from __future__ import annotations

import random
from typing import Any

from aa.data.grammar import CLASSES
from aa.data.tagging import Sentences, TaggedData

NAMES = {
    "PER": ["Ana", "Luis", "Marta", "Jorge", "Elena", "Pablo", "Lucia", "Carmen Ruiz", "Diego Soler", "Irene Vidal"],
    "LOC": ["Valencia", "Paris", "Lyon", "Madrid", "Porto", "Berlin", "New York", "San Sebastian", "La Paz"],
    "ORG": ["Acme Corp", "Globex", "Initech", "Umbrella", "Stark Industries", "Wayne Enterprises", "Hooli"],
}
FRAMES = [
    "PER works at ORG in LOC .",
    "the person from LOC visited ORG .",
    "PER and PER met in LOC .",
    "ORG hired PER last year .",
    "a animal from LOC likes food .",
    "PER lives near the place in LOC .",
    "ORG opened a office in LOC .",
    "the tool of PER is in LOC .",
    "PER uses a tool near the place .",
]


def sentence(rnd: random.Random) -> tuple[list[str], list[str]]:
    tokens, tags = [], []
    for slot in rnd.choice(FRAMES).split():
        if slot in NAMES:
            words = rnd.choice(NAMES[slot]).split()
            tokens += words
            tags += [f"B-{slot}"] + [f"I-{slot}"] * (len(words) - 1)
        else:
            tokens.append(rnd.choice(CLASSES[slot]) if slot in CLASSES else slot)
            tags.append("O")
    return tokens, tags


class GrammarEntitiesData(TaggedData):
    def __init__(self, n_train: int = 1000, n_val: int = 200, n_test: int = 500, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sizes = {"train": n_train, "val": n_val, "test": n_test}

    def splits(self) -> dict[str, Sentences]:
        self.split_sources = {s: f"{n} sentences generated from seed {self.seed} ({s}'s own stream)"
                              for s, n in self.sizes.items()}
        self.split_sources["test"] += ", held out: never used to choose the checkpoint"
        out = {}
        for split, n in self.sizes.items():
            rnd = random.Random(f"{split}-{self.seed}")
            out[split] = [sentence(rnd) for _ in range(n)]
        return out
