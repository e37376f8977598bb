"""Schemas of the sequence and text options: recurrent and text models, sequence tasks, text data,
text augmentation and the sample-predictions callback. Inputs are "sequence" (float (T, d) steps)
or "tokens" (ids right-padded with 0)."""
from __future__ import annotations

from typing import Optional

from aa.base.errors import ConfigError
from aa.config.schema import NodeSchema, opt, schema

M, D = "aa.models.", "aa.data."


class Recurrent(NodeSchema):
    info = {"inputs": ("sequence", "tokens")}
    hidden_size: int = opt(64, ge=1, le=8192, doc="units per recurrent layer")
    num_layers: int = opt(1, ge=1, le=16, doc="stacked recurrent layers")
    bidirectional: bool = opt(False, doc="also read the sequence backwards; not with tbptt_steps")
    dropout: float = opt(0.0, ge=0, lt=1, doc="between stacked layers and before the output layer")
    per_step: bool = opt(False, doc="many-to-many: an output at every step; set by the data set")
    tbptt_steps: Optional[int] = opt(None, ge=1, doc="truncated BPTT: gradients stop every k steps")

    @staticmethod
    def check(path: str, node: dict) -> None:
        if node.get("tbptt_steps") and node.get("bidirectional"):
            raise ConfigError(f"{path}.tbptt_steps", node["tbptt_steps"], "truncates a pass forward in time, "
                              "but the net also reads backwards", f"{path}.bidirectional=false or {path}.tbptt_steps=null")


@schema(M + "recurrent.RNN")
class RNN(Recurrent):
    nonlinearity: str = opt("tanh", choices=("tanh", "relu"), doc="g of the recurrent layer")
    output_layer: bool = opt(True, doc="true: Elman (recurrence + perceptron); false: the state is the output")

    @staticmethod
    def check(path: str, node: dict) -> None:
        Recurrent.check(path, node)
        if not node.get("output_layer", True) and node.get("bidirectional"):
            raise ConfigError(f"{path}.output_layer", False, "makes the state the output, which needs one "
                              "direction", f"{path}.bidirectional=false or {path}.output_layer=true")


@schema(M + "recurrent.LSTM", M + "recurrent.GRU")
class Gated(Recurrent):
    pass


@schema(M + "text.TextRNN")
class TextRNN(Recurrent):
    info = {"inputs": ("tokens",)}
    cell: str = opt("lstm", choices=("rnn", "lstm", "gru"), doc="the recurrent layer reading the embeddings")
    hidden_size: int = opt(128, ge=1, le=8192, doc="units per recurrent layer")
    embed_dim: int = opt(100, ge=1, le=4096, doc="size of each word embedding")
    pretrained_embeddings: Optional[str] = opt(None, doc="word2vec text file to start the embeddings from")
    freeze_embeddings: bool = opt(False, doc="keep pretrained embeddings fixed instead of fine-tuning them")
    embedding: str = opt("learned", choices=("learned", "one_hot"),
                         doc="learned embeddings, or the one-hot vectors themselves (embed_dim unused)")

    @staticmethod
    def check(path: str, node: dict) -> None:
        Recurrent.check(path, node)
        if node.get("embedding") == "one_hot" and node.get("pretrained_embeddings"):
            raise ConfigError(f"{path}.embedding", "one_hot", "has no vectors to start from pretrained "
                              "embeddings", f"{path}.embedding=learned or {path}.pretrained_embeddings=null")


@schema(M + "text.EmbeddingBag")
class EmbeddingBag(NodeSchema):
    info = {"inputs": ("tokens",)}
    embed_dim: int = opt(64, ge=1, le=4096, doc="size of each word embedding")
    pretrained_embeddings: Optional[str] = opt(None, doc="word2vec text file to start the embeddings from")
    freeze_embeddings: bool = opt(False, doc="keep pretrained embeddings fixed instead of fine-tuning them")
    mode: str = opt("mean", choices=("mean", "sum", "max"), doc="how a text's embeddings are pooled")
    init_range: float = opt(0.5, gt=0, le=10, doc="weights start uniform in [-r, r], as in the tutorial")
    dropout: float = opt(0.0, ge=0, lt=1)


class Splits(NodeSchema):
    val_fraction: float = opt(0.15, gt=0, lt=1, doc="share of the data held out for validation")
    test_fraction: float = opt(0.2, gt=0, lt=1, doc="share held out for the test (if no official test split)")


class TenthSplits(Splits):
    """Generated tasks and sentence pairs hold out a tenth for validation and a tenth for the test."""

    val_fraction: float = opt(0.1, gt=0, lt=1, doc="share of the data held out for validation")
    test_fraction: float = opt(0.1, gt=0, lt=1, doc="share held out for the test (if no official test split)")


class SequenceTask(TenthSplits):
    info = {"task": "classification", "inputs": ("sequence",)}
    n_samples: int = opt(10000, ge=10, le=10_000_000, doc="sequences generated from the seed")
    length: int = opt(50, ge=2, le=100_000, doc="T, steps per sequence")


@schema(D + "sequence_tasks.AddingData")
class Adding(SequenceTask):
    info = {"task": "regression", "inputs": ("sequence",)}


@schema(D + "sequence_tasks.CopyData")
class Copy(SequenceTask):
    length: int = opt(5, ge=1, le=1000, doc="symbols to memorise")
    delay: int = opt(20, ge=1, le=100_000, doc="steps between the last symbol and its recall")
    alphabet: int = opt(8, ge=2, le=256, doc="distinct symbols")
    per_step: bool = opt(True, choices=(True,), doc="copy has a label at every step")


@schema(D + "sequence_tasks.ParityData")
class Parity(SequenceTask):
    length: int = opt(10, ge=1, le=100_000, doc="bits per sequence")
    per_step: bool = opt(False, doc="label every prefix (running parity) instead of the whole sequence")


class Text(Splits):
    info = {"task": "classification", "inputs": ("tokens",)}
    min_freq: int = opt(1, ge=1, doc="tokens seen fewer times in the training split become <unk>")
    max_vocab: Optional[int] = opt(None, ge=1, doc="keep only the most frequent tokens")
    max_length: int = opt(256, ge=1, le=100_000, doc="tokens kept per text")


class WordText(Text):
    level: str = opt("word", choices=("word", "char"), doc="tokens are words (and n-grams) or characters")
    ngrams: int = opt(1, ge=1, le=4, doc="add runs of up to n words as tokens (2: the tutorial's bigrams)")


@schema(D + "text_csv.TextCSVData")
class TextCSV(WordText):
    path: str = opt("???", doc="CSV or TSV (by suffix) of the labelled texts")
    test_path: Optional[str] = opt(None, doc="a separate test file; else test_fraction is held out")
    label_column: str = opt("label")
    text_columns: list[str] = opt(["text"], doc="joined by a space")
    columns: Optional[list[str]] = opt(None, doc="field names of a file without a header row")

    @staticmethod
    def check(path: str, node: dict) -> None:
        from aa.config.files import require_columns

        wanted = [(f"{path}.label_column", node.get("label_column", "label")),
                  *((f"{path}.text_columns", c) for c in node.get("text_columns") or ["text"])]
        for key in ("path", "test_path"):
            if node.get(key) and node[key] != "???":
                require_columns(f"{path}.{key}", node[key], wanted, node.get("columns"))


@schema(D + "ag_news.AGNewsData")
class AGNews(WordText):
    root: str = opt("~/.cache/aa", doc="data folder; AG News lives in <root>/ag_news")
    val_fraction: float = opt(0.05, gt=0, lt=1, doc="share of the training file held out for validation")
    download: bool = opt(True, doc="fetch the public CSVs (checked by MD5) when absent")


@schema(D + "names.NamesData")
class Names(Text):
    root: str = opt("~/.cache/aa", doc="data folder; the surname table lives in <root>/names")
    countries: list[str] = opt(["CN", "CZ", "DE", "ES", "FR", "GB", "GR", "IE", "IT", "JP", "KR", "NL", "PL", "PT",
                                "RU", "TR"], doc="alpha-2 codes of the classes, e.g. [ES,FR,DE]")
    names_per_country: int = opt(500, ge=1, le=100_000, doc="most frequent surnames per country")
    max_length: int = opt(32, ge=1, le=1000, doc="characters kept per name")
    val_fraction: float = opt(0.1, gt=0, lt=1, doc="share of the names held out for validation")


@schema(D + "text_augment.SubstituteWords", D + "text_augment.InsertWords", D + "text_augment.DeleteWords")
class TextAugment(NodeSchema):
    info = {"inputs": ("tokens",)}
    p: float = opt(0.1, ge=0, le=1, doc="probability per word")


@schema("aa.callbacks.sample_predictions.SamplePredictions")
class SamplePredictions(NodeSchema):
    count: int = opt(10, ge=1, le=1000, doc="test texts shown with their true and predicted class")
