"""An embedded named-entity set in the grammar corpus's style: sentences with persons, places and
organisations (some of two words: B- then I-), tagged in BIO. The frames put the same entity types in
different positions, so a tagger must read the context as well as the names; each split's sentences are
drawn from their own random stream.

With ``new_names`` (default) most names are made up from syllables, so nearly every name of a val or test
sentence is one the training sentences never show: it reaches the model as <unk> (``min_freq=2`` also
turns the training's one-off names into <unk>, which is how the tagger learns to read a name it has never
seen from its context). A few well-known names recur everywhere."""
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
SYLLABLES = ["ka", "lo", "mi", "ra", "to", "ne", "su", "vi", "da", "re", "po", "li", "sa", "mu", "te", "bo"]
ORG_WORDS = ["Corp", "Group", "Labs", "Bank"]
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


def made_up(rnd: random.Random, kind: str) -> str:
    """A name never seen before (almost surely): 2-3 syllables, capitalised; organisations end in a
    company word half of the time, persons have a surname a third of the time."""
    def word() -> str:
        return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()

    if kind == "ORG" and rnd.random() < 0.5:
        return f"{word()} {rnd.choice(ORG_WORDS)}"
    if kind == "PER" and rnd.random() < 0.33:
        return f"{word()} {word()}"
    return word()


def sentence(rnd: random.Random, new_names: bool) -> tuple[list[str], list[str]]:
    tokens, tags = [], []
    for slot in rnd.choice(FRAMES).split():
        if slot in NAMES:
            name = made_up(rnd, slot) if new_names and rnd.random() < 0.8 else rnd.choice(NAMES[slot])
            words = name.split()
            tokens += words
            tags += [f"B-{slot}"] + [f"I-{slot}"] * (len(words) - 1)
        else:
            tokens.append(rnd.choice(CLASSES[slot]) if slot in CLASSES else slot)
            tags.append("O")
    return tokens, tags


class GrammarEntitiesData(TaggedData):
    def __init__(self, n_train: int = 1000, n_val: int = 200, n_test: int = 500, new_names: bool = True,
                 min_freq: int = 2, **kwargs: Any) -> None:
        super().__init__(min_freq=min_freq, **kwargs)
        self.sizes, self.new_names = {"train": n_train, "val": n_val, "test": n_test}, new_names

    def splits(self) -> dict[str, Sentences]:
        self.split_sources = {s: f"{n} sentences generated from seed {self.seed} ({s}'s own stream)"
                              for s, n in self.sizes.items()}
        self.split_sources["test"] += ", held out: never used to choose the checkpoint"
        out = {}
        for split, n in self.sizes.items():
            rnd = random.Random(f"{split}-{self.seed}")
            out[split] = [sentence(rnd, self.new_names) for _ in range(n)]
        return out
