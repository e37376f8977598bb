"""Schemas of the pretrained-network family: the GPT-style language model, running-text data for it,
the language-model objective. Inputs are "text" (windows of a token stream)."""
from __future__ import annotations

from typing import Optional

from aa.base.errors import ConfigError
from aa.config.schema import NodeSchema, opt, schema
from aa.config.schemas.seq2seq import attention_sizes


class Encoderish(NodeSchema):
    d_model: int = opt(64, ge=2, le=8192, doc="width of every token vector")
    nhead: int = opt(4, ge=1, le=128, doc="attention heads; must divide d_model")
    num_layers: int = opt(2, ge=1, le=48)
    dim_feedforward: int = opt(256, ge=1, le=65536)
    dropout: float = opt(0.1, ge=0, lt=1)
    positions: str = opt("learned", choices=("learned", "sinusoidal"))
    max_length: int = opt(256, ge=1, le=100_000, doc="the longest context the position table covers")

    @staticmethod
    def check(path: str, node: dict) -> None:
        attention_sizes(path, node)


@schema("aa.models.gpt.GPT")
class GPT(Encoderish):
    info = {"inputs": ("text",)}


class Windows(NodeSchema):
    level: str = opt("word", choices=("word", "char"), doc="tokens: words and punctuation, or characters")
    block_size: int = opt(32, ge=1, le=100_000, doc="tokens of context per window")
    stride: int = opt(1, ge=1, le=100_000, doc="a training window starts every stride tokens")
    min_freq: int = opt(1, ge=1, doc="rarer training tokens become <unk>")


@schema("aa.data.text_stream.TextFileData")
class TextFile(Windows):
    info = {"task": "language_model", "inputs": ("text",)}
    path: str = opt("???", doc="a plain-text UTF-8 file")
    val_fraction: float = opt(0.1, gt=0, lt=1, doc="the share after the training part that validates")
    test_fraction: float = opt(0.1, gt=0, lt=1, doc="the last share, held out for the test")

    @staticmethod
    def check(path: str, node: dict) -> None:
        import os

        file = os.path.expanduser(str(node.get("path")))
        if node.get("path") not in (None, "???") and not os.path.isfile(file):
            raise ConfigError(f"{path}.path", node["path"], "is not a file; give a plain-text (UTF-8) file")


@schema("aa.task.language_model.LanguageModel")
class LanguageModelObjective(NodeSchema):
    info = {"tasks": ("language_model", "embedding"), "metric": "perplexity", "uses_loss": False}
    temperature: float = opt(0.8, gt=0, le=10, doc="divides the logits of samples: low is safe, high is varied")
    top_k: Optional[int] = opt(None, ge=1, doc="samples drawn among the k most probable tokens; null: all")


@schema("aa.models.bert.BERT")
class BERT(Encoderish):
    info = {"inputs": ("text", "tokens")}
    pretrained: Optional[str] = opt(None, doc="a model=bert run folder (or checkpoint) to start the encoder from")
    freeze: bool = opt(False, doc="train the classifier head only (needs pretrained)")

    @staticmethod
    def check(path: str, node: dict) -> None:
        import os

        Encoderish.check(path, node)
        given = node.get("pretrained")
        if given:
            file = os.path.expanduser(given)
            if not (os.path.isfile(file) or os.path.isfile(os.path.join(file, "checkpoints", "best.ckpt"))):
                raise ConfigError(f"{path}.pretrained", given, "is neither a checkpoint nor a run folder with "
                                  "checkpoints/best.ckpt", "the folder of a finished model=bert run")
        if node.get("freeze") and not given:
            raise ConfigError(f"{path}.freeze", True, "freezes an encoder that was never trained",
                              f"{path}.pretrained=RUN_DIR, or {path}.freeze=false")


@schema("aa.task.masked_lm.BertObjective")
class BertObjective(NodeSchema):
    info = {"tasks": ("language_model", "embedding", "classification"), "metric": "acc", "uses_loss": False}
    rate: float = opt(0.15, gt=0, lt=1, doc="share of the real tokens chosen for the masked-LM loss")


@schema("aa.models.hf.HFClassifier")
class HF(NodeSchema):
    info = {"inputs": ("tokens",)}
    path: str = opt("???", doc="a local folder written by save_pretrained (config.json, weights, tokenizer)")
    max_length: int = opt(128, ge=1, le=100_000, doc="tokens per text after the checkpoint's tokenizer")
    freeze: bool = opt(False, doc="train the classification head only")

    @staticmethod
    def check(path: str, node: dict) -> None:
        import importlib.util
        import os

        folder = os.path.expanduser(str(node.get("path")))
        if node.get("path") not in (None, "???") and not os.path.isfile(os.path.join(folder, "config.json")):
            raise ConfigError(f"{path}.path", node["path"], "is not a Hugging Face checkpoint folder (no config.json)",
                              "a folder written by save_pretrained, with its tokenizer files")
        if importlib.util.find_spec("transformers") is None:
            raise ConfigError("model", "hf", "needs the transformers library, which is not installed",
                              "pip install 'aa[hf]'")
