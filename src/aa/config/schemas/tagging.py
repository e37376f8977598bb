"""Schemas of named-entity tagging: the tagger, CoNLL files and the embedded entity set, the objective.
Inputs are "sentence": word ids read as a whole, one label per token."""
from __future__ import annotations

import os
from typing import Optional

from aa.base.errors import ConfigError
from aa.config.schema import NodeSchema, opt, schema


@schema("aa.models.tagger.Tagger")
class Tagger(NodeSchema):
    info = {"inputs": ("sentence",)}
    encoder: str = opt("lstm", choices=("lstm", "transformer"), doc="bidirectional LSTM or self-attention")
    embed_dim: int = opt(64, ge=2, le=4096)
    hidden_size: int = opt(64, ge=1, le=8192, doc="LSTM units per direction")
    num_layers: int = opt(1, ge=1, le=16)
    nhead: int = opt(4, ge=1, le=64, doc="transformer heads; must divide embed_dim")
    dropout: float = opt(0.1, ge=0, lt=1)
    max_length: int = opt(512, ge=1, le=100_000, doc="transformer: the longest sentence its positions cover")
    char_dim: int = opt(0, ge=0, le=1024, doc="character features per word (a convolution over its characters); "
                                               "0: words only")

    @staticmethod
    def check(path: str, node: dict) -> None:
        if node.get("encoder") == "transformer" and node.get("embed_dim", 64) % node.get("nhead", 4):
            raise ConfigError(f"{path}.nhead", node.get("nhead"), f"does not divide {path}.embed_dim={node.get('embed_dim')}")
        if node.get("encoder") == "transformer" and node.get("char_dim", 0) >= node.get("embed_dim", 64):
            raise ConfigError(f"{path}.char_dim", node.get("char_dim"), f"leaves no room for the word vector in "
                              f"{path}.embed_dim={node.get('embed_dim')} (the transformer's width holds both)",
                              f"a char_dim under {node.get('embed_dim')}")


class Tagged(NodeSchema):
    info = {"task": "tagging", "inputs": ("sentence",)}
    max_length: Optional[int] = opt(None, ge=1, le=100_000, doc="tokens per sentence at most; null: the longest")
    min_freq: int = opt(1, ge=1, doc="rarer training words become <unk>")
    max_word_chars: int = opt(16, ge=1, le=256, doc="characters per word served for character features")


@schema("aa.data.tagging.ConllData")
class Conll(Tagged):
    path: str = opt("???", doc="CoNLL-2003 style: token ... tag per line, blank lines between sentences")
    test_path: Optional[str] = opt(None, doc="a separate test file; null: test_fraction is held out")
    val_fraction: float = opt(0.1, gt=0, lt=1)
    test_fraction: float = opt(0.1, gt=0, lt=1)

    @staticmethod
    def check(path: str, node: dict) -> None:
        from aa.config.conll_file import read_conll

        for key in ("path", "test_path"):
            if node.get(key) not in (None, "???"):
                read_conll(os.path.expanduser(node[key]), f"{path}.{key}")


@schema("aa.data.grammar_entities.GrammarEntitiesData")
class GrammarEntities(Tagged):
    new_names: bool = opt(True, doc="most names made up, so val/test names are unseen in training")
    min_freq: int = opt(2, ge=1, doc="one-off training words become <unk>, as unseen names will be")
    n_train: int = opt(1000, ge=1, le=1_000_000)
    n_val: int = opt(200, ge=1, le=1_000_000)
    n_test: int = opt(500, ge=1, le=1_000_000)


@schema("aa.task.tagging.Tagging")
class TaggingObjective(NodeSchema):
    info = {"tasks": ("tagging",), "metric": "f1", "uses_loss": False}
