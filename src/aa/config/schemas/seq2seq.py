"""Schemas of the sequence-to-sequence family: encoder-decoder and attention-only models, the
second-order RNN, the conditional character generator, their data sets, the decode group, the
seq2seq and generation objectives and the decoded-examples callback."""
from __future__ import annotations

import os
from typing import Any, Optional

from aa.base.errors import ConfigError
from aa.config.schema import NodeSchema, opt, schema
from aa.config.schemas.sequences import Splits, TenthSplits

M, D = "aa.models.", "aa.data."
EMBEDDING = opt("learned", choices=("learned", "one_hot"), doc="tokens enter as learned vectors or one-hot")


@schema(M + "seq2seq.Seq2Seq")
class Seq2Seq(NodeSchema):
    info = {"inputs": ("tokens",)}
    cell: str = opt("gru", choices=("rnn", "gru", "lstm"), doc="recurrent layer of encoder and decoder")
    hidden_size: int = opt(128, ge=1, le=8192)
    embed_dim: int = opt(32, ge=1, le=4096, doc="size of a learned token embedding")
    num_layers: int = opt(1, ge=1, le=16)
    attention: str = opt("additive", choices=("none", "additive", "multiplicative"),
                         doc="none: the last encoder state only; Bahdanau (additive) or Luong (multiplicative)")
    teacher_forcing: float = opt(1.0, ge=0, le=1, doc="probability of feeding the true previous token in training")
    dropout: float = opt(0.0, ge=0, lt=1)
    embedding: str = EMBEDDING


def attention_sizes(path: str, node: dict) -> None:
    """Heads divide the token width; sinusoidal positions need an even width."""
    if node.get("d_model", 64) % node.get("nhead", 4):
        raise ConfigError(f"{path}.nhead", node.get("nhead"), f"does not divide {path}.d_model="
                          f"{node.get('d_model')}", "a divisor of d_model, e.g. 1, 2, 4, 8")
    if node.get("positions") == "sinusoidal" and node.get("d_model", 64) % 2:
        raise ConfigError(f"{path}.d_model", node.get("d_model"), "must be even for sinusoidal positions")


class Attentive(NodeSchema):
    info = {"inputs": ("tokens",)}
    d_model: int = opt(64, ge=2, le=8192, doc="width of every token vector")
    nhead: int = opt(4, ge=1, le=128, doc="attention heads; must divide d_model")
    dim_feedforward: int = opt(256, ge=1, le=65536)
    dropout: float = opt(0.1, ge=0, lt=1)
    positions: str = opt("sinusoidal", choices=("sinusoidal", "learned"))
    max_length: int = opt(512, ge=1, le=100_000, doc="longest sequence the position table covers")

    @staticmethod
    def check(path: str, node: dict) -> None:
        attention_sizes(path, node)


@schema(M + "transformer.Transformer")
class Transformer(Attentive):
    num_encoder_layers: int = opt(2, ge=1, le=48)
    num_decoder_layers: int = opt(2, ge=1, le=48)


@schema(M + "transformer.TransformerEncoder")
class TransformerEncoder(Attentive):
    num_layers: int = opt(2, ge=1, le=48)


@schema(M + "second_order_rnn.SecondOrderRNN")
class SecondOrderRNN(NodeSchema):
    info = {"inputs": ("tokens",)}
    hidden_size: int = opt(10, ge=1, le=1024, doc="state neurons (Giles et al. used 3-5 for Tomita 4)")


@schema(M + "char_generator.CharGenerator")
class CharGenerator(NodeSchema):
    info = {"inputs": ("tokens",)}
    cell: str = opt("gru", choices=("rnn", "gru", "lstm"))
    hidden_size: int = opt(128, ge=1, le=8192)
    embed_dim: int = opt(32, ge=1, le=4096, doc="size of a learned character embedding")
    class_dim: int = opt(16, ge=1, le=4096, doc="size of the class (condition) embedding")
    num_layers: int = opt(1, ge=1, le=16)
    dropout: float = opt(0.0, ge=0, lt=1)
    embedding: str = EMBEDDING


class Synthetic(TenthSplits):
    info = {"task": "seq2seq", "inputs": ("tokens",)}
    n_samples: int = opt(10000, ge=10, le=10_000_000, doc="distinct source strings drawn from the seed")
    level: str = opt("char", choices=("char",), doc="generated pairs are read character by character")
    min_freq: int = opt(1, ge=1)


@schema(D + "seq2seq_tasks.ReverseData", D + "seq2seq_tasks.SortData")
class Reverse(Synthetic):
    length: int = opt(8, ge=1, le=1000, doc="letters per string (the longest, with min_length)")
    min_length: Optional[int] = opt(None, ge=1, le=1000, doc="shortest string; null: all have `length` letters")
    alphabet: int = opt(10, ge=2, le=26, doc="distinct letters")

    @staticmethod
    def check(path: str, node: dict) -> None:
        if (node.get("min_length") or 0) > node.get("length", 8):
            raise ConfigError(f"{path}.min_length", node["min_length"], f"exceeds {path}.length={node.get('length')}")


@schema(D + "seq2seq_tasks.AdditionData")
class Addition(Synthetic):
    digits: int = opt(3, ge=1, le=30, doc="most digits per operand")
    n_samples: int = opt(50000, ge=10, le=10_000_000, doc="distinct additions drawn from the seed")
    reverse_input: bool = opt(False, doc="read the sum right to left, as the Keras example does")


@schema(D + "seq2seq_tasks.DatesData")
class Dates(Synthetic):
    pass


@schema(D + "text_pairs.TextPairsData")
class TextPairs(TenthSplits):
    info = {"task": "seq2seq", "inputs": ("tokens",)}
    path: str = opt("???", doc="TSV: source TAB target per line (further columns ignored)")
    test_path: Optional[str] = opt(None, doc="a separate test file; else test_fraction is held out")
    reverse: bool = opt(False, doc="translate from the second column to the first")
    max_length: Optional[int] = opt(None, ge=1, le=10_000, doc="null: every pair, as long as the longest; a "
                                    "limit that would leave out over 1 % of the pairs is refused")
    drop_longer: bool = opt(False, doc="with max_length: leave out the longer pairs whatever their share "
                                       "(counted in metrics.json)")
    level: str = opt("word", choices=("word", "char"))
    min_freq: int = opt(1, ge=1, doc="rarer training tokens become <unk>")

    @staticmethod
    def check(path: str, node: dict) -> None:
        for key in ("path", "test_path"):
            if node.get(key):
                check_pairs_file(f"{path}.{key}", os.path.expanduser(node[key]))


def check_pairs_file(key: str, file: str) -> None:
    """The file exists and every non-empty line has a tab between a source and a target."""
    if not os.path.isfile(file):
        raise ConfigError(key, file, "is not a file; give a TSV with a source and a target sentence per line")
    with open(file, encoding="utf-8", errors="replace") as f:
        bad = [(n, line) for n, line in enumerate(f, start=1) if line.strip() and "\t" not in line]
    if bad:
        n, line = bad[0]
        raise ConfigError(key, file, f"is not a two-column TSV: line {n} ({line.strip()[:60]!r}) has no tab between "
                          f"a source and a target ({len(bad)} such line{'s' if len(bad) > 1 else ''})")


@schema(D + "tomita.TomitaData")
class Tomita(NodeSchema):
    info = {"task": "classification", "inputs": ("tokens",)}
    grammar: int = opt(4, ge=1, le=7, doc="Tomita grammar 1..7")
    max_train_length: int = opt(10, ge=1, le=60, doc="training and validation strings are 1..this long")
    test_lengths: list[int] = opt([11, 20], doc="[shortest, longest] test string")
    per_length: int = opt(200, ge=2, le=1_000_000, doc="strings per length, half accepted, half rejected")
    val_fraction: float = opt(0.15, gt=0, lt=1)

    @staticmethod
    def check(path: str, node: dict) -> None:
        lo, hi = (list(node.get("test_lengths") or []) + [None, None])[:2]
        if len(node.get("test_lengths") or []) != 2 or not 1 <= lo <= hi <= 60:
            raise ConfigError(f"{path}.test_lengths", node.get("test_lengths"),
                              "must be [shortest, longest] with 1 <= shortest <= longest <= 60")


@schema("aa.decode.search.Decoder")
class Decode(NodeSchema):
    info = {"tasks": ("seq2seq",)}
    strategy: str = opt("greedy", choices=("greedy", "beam"), doc="most probable token per step, or beam search")
    beam_size: int = opt(4, ge=1, le=64, doc="hypotheses kept per input (beam)")
    max_length: Optional[int] = opt(None, ge=1, le=10_000, doc="tokens at most; null: longest training target + 10")
    length_penalty: float = opt(1.0, ge=0, le=5, doc="alpha in score / length^alpha (0: plain log-probability)")


@schema("aa.task.seq2seq.Seq2Seq")
class Seq2SeqObjective(NodeSchema):
    info = {"tasks": ("seq2seq",), "metric": "exact", "uses_loss": False}
    decode: Any = opt(None, doc="the decode group's node")


@schema("aa.task.generation.Generation")
class GenerationObjective(NodeSchema):
    info = {"tasks": ("classification",), "metric": "char_acc", "uses_loss": False}
    samples: int = opt(5, ge=1, le=1000, doc="names sampled per class for TensorBoard")
    temperature: float = opt(0.8, gt=0, le=10, doc="divides the logits before sampling: low is safe, high is varied")


@schema("aa.callbacks.generated_samples.GeneratedSamples")
class GeneratedSamples(NodeSchema):
    count: int = opt(5, ge=1, le=1000, doc="texts sampled per class after testing")
    seed: int = opt(0, ge=0, doc="seed of the sampling")


@schema("aa.callbacks.decoded_examples.DecodedExamples")
class DecodedExamples(NodeSchema):
    count: int = opt(10, ge=1, le=1000, doc="test samples shown with their target and decoded output")
    maps: int = opt(4, ge=0, le=64, doc="attention heat maps drawn (models with attention)")
