"""Schemas of the learned-representation options: Word2Vec (model, loss, objective, corpora) and graph
neural networks (models, graph data, node-embedding figure). Inputs are "words" (running text as word
ids) or "graph" (node features with edges); graph data sets also serve "vector" node features alone,
so an MLP can be the graph-free baseline."""
from __future__ import annotations

import os
from typing import Optional

from aa.base.errors import ConfigError
from aa.config.schema import NodeSchema, opt, schema
from aa.config.schemas.sequences import WordText

M, D = "aa.models.", "aa.data."


@schema(M + "word2vec.Word2Vec")
class Word2Vec(NodeSchema):
    info = {"inputs": ("words",)}
    mode: str = opt("skipgram", choices=("skipgram", "cbow"), doc="predict the context from the word, or back")
    dim: int = opt(100, ge=1, le=4096, doc="size of each word vector")
    window: int = opt(5, ge=1, le=100, doc="context words on each side (reach drawn from 1..window)")
    negative: int = opt(5, ge=1, le=100, doc="noise words per prediction")
    ns_exponent: float = opt(0.75, ge=0, le=2, doc="noise distribution: unigram counts to this power")
    update: str = opt("auto", choices=("auto", "loop", "closed_form", "autograd"),
                      doc="auto: loop on a CPU, closed_form elsewhere; loop: word2vec.c's SGD word by word, compiled; "
                          "closed_form: a batched SGD step per run (both: gradient by hand, optim unused); autograd: backward and optim")
    workers: int = opt(1, ge=1, le=256, doc="loop: threads training the shared tables at once (over 1: not bit-reproducible)")
    alpha: float = opt(0.025, gt=0, le=10, doc="loop's and closed_form's starting learning rate (falls linearly to min_alpha)")
    min_alpha: float = opt(0.0001, ge=0, le=10, doc="loop's and closed_form's learning rate at the end of the last epoch")
    shared_negatives: int = opt(16, ge=1, le=100_000, doc="closed_form: noise words drawn once per group of centre words")
    noise_group: int = opt(32, ge=1, le=1_000_000, doc="closed_form: centre words sharing one draw of noise words")
    sparse: bool = opt(False, doc="autograd: sparse gradients; needs optim=sgd or adagrad")


@schema("aa.task.word2vec.NegativeSampling")
class NegativeSampling(NodeSchema):
    info = {"tasks": ("embedding",)}


@schema("aa.task.word2vec.Word2VecObjective")
class Word2VecObjective(NodeSchema):
    info = {"tasks": ("embedding",), "metric": "loss"}
    analogies: bool = opt(True, doc="questions-words accuracy on the test split")


class Corpus(NodeSchema):
    info = {"task": "embedding", "inputs": ("words", "text")}  # text: windows for a language model
    min_count: int = opt(5, ge=1, doc="words seen fewer times in the training text are dropped")
    sample: float = opt(1e-3, ge=0, lt=1, doc="sub-sampling threshold of frequent words; 0 keeps all")
    max_vocab: Optional[int] = opt(None, ge=1, doc="keep only the most frequent words")
    batch_size: int = opt(1024, ge=1, le=10_000_000, doc="centre words per update")
    val_fraction: float = opt(0.02, gt=0, lt=1, doc="sentences held out for the val loss (chooses the checkpoint)")
    test_fraction: Optional[float] = opt(None, gt=0, lt=1, doc="further sentences held out for the test loss; "
                                                               "null: as many as val_fraction")


@schema(D + "corpus.CorpusData")
class CorpusFile(Corpus):
    path: str = opt("???", doc="a plain-text file, one sentence or document per line")

    @staticmethod
    def check(path: str, node: dict) -> None:
        file = os.path.expanduser(str(node.get("path")))
        if not os.path.isfile(file):
            raise ConfigError(f"{path}.path", node.get("path"), "is not a file; give the path of a plain-text "
                              "corpus (one sentence or document per line)")
        if os.path.getsize(file) == 0:
            raise ConfigError(f"{path}.path", node.get("path"), "is an empty file; a corpus needs some text")


@schema(D + "grammar.GrammarData")
class Grammar(Corpus):
    n_sentences: int = opt(5000, ge=10, le=10_000_000, doc="sentences generated from the seed")
    min_count: int = opt(1, ge=1, doc="words seen fewer times are dropped")


@schema(D + "lee.LeeData")
class Lee(Corpus):
    @staticmethod
    def check(path: str, node: dict) -> None:
        import importlib.util

        if importlib.util.find_spec("gensim") is None:
            raise ConfigError("dataset", "lee", "reads the Lee corpus from the gensim wheel, which is not "
                              "installed", "pip install 'aa[embeddings]' (or pip install gensim)")


@schema(D + "lee.Text8Data")
class Text8(Corpus):
    root: str = opt("~/.cache/aa", doc="data folder; text8 lives in <root>/text8")
    download: bool = opt(True, doc="fetch text8.zip when absent")
    batch_size: int = opt(4096, ge=1, le=10_000_000, doc="centre words per update")
    val_fraction: float = opt(0.001, gt=0, lt=1, doc="sentences held out for the val loss (chooses the checkpoint)")


@schema(D + "grammar_topics.GrammarTopicsData")
class GrammarTopics(WordText):
    n_train: int = opt(60, ge=4, le=1_000_000, doc="labelled sentences (val_fraction of them for validation)")
    n_test: int = opt(1000, ge=1, le=1_000_000, doc="test sentences")
    max_length: int = opt(16, ge=1, le=100_000, doc="tokens kept per sentence")
    val_fraction: float = opt(0.2, gt=0, lt=1, doc="share of the labelled sentences used for validation")


class GNN(NodeSchema):
    info = {"inputs": ("graph",), "uses": ("activation",)}
    hidden: list[int] = opt([16], ge=1, doc="width of each hidden graph layer; [] for none")
    dropout: float = opt(0.5, ge=0, lt=1, doc="on every layer's input")


@schema(M + "gnn.GCN")
class GCN(GNN):
    pass


@schema(M + "gnn.GraphSAGE")
class GraphSAGE(GNN):
    pass


@schema(M + "gnn.GAT")
class GAT(GNN):
    hidden: list[int] = opt([8], ge=1, doc="width of each attention head of each hidden layer")
    heads: int = opt(8, ge=1, le=64, doc="attention heads per hidden layer, concatenated")
    dropout: float = opt(0.6, ge=0, lt=1, doc="on every layer's input and the attention coefficients")


class GraphData(NodeSchema):
    info = {"task": "classification", "inputs": ("graph", "vector")}


@schema(D + "graphs.KarateData")
class Karate(GraphData):
    labels: str = opt("factions", choices=("factions", "communities"),
                      doc="the two sides of the club's split, or PyG's four modularity communities")
    labelled: str = opt("leaders", choices=("leaders", "pyg"),
                        doc="the labelled member of each class: its best-connected one, or PyG's choice")


@schema(D + "graphs.SBMData")
class SBM(GraphData):
    blocks: int = opt(4, ge=2, le=100, doc="communities (the classes)")
    block_size: int = opt(100, ge=2, le=100_000, doc="nodes per community")
    p_in: float = opt(0.1, ge=0, le=1, doc="edge probability inside a community")
    p_out: float = opt(0.01, ge=0, le=1, doc="edge probability across communities")
    features: str = opt("identity", choices=("identity", "noise"), doc="one-hot ids or Gaussian noise")
    feature_dim: int = opt(32, ge=1, le=4096, doc="width of the noise features")
    train_per_class: int = opt(10, ge=1, doc="labelled nodes per community")
    val_fraction: float = opt(0.2, gt=0, lt=1, doc="share of the unlabelled nodes used for validation")

    @staticmethod
    def check(path: str, node: dict) -> None:
        if node.get("train_per_class", 10) >= node.get("block_size", 100):
            raise ConfigError(f"{path}.train_per_class", node.get("train_per_class"), "leaves no unlabelled "
                              f"node in a community of {node.get('block_size')}", f"a value below {node.get('block_size')}")


PLANETOID = {"cora": "Cora", "citeseer": "CiteSeer", "pubmed": "PubMed"}


def planetoid_raw_files(root: str, name: str) -> list[str]:
    """The files PyG's Planetoid reads, under <root>/<Name>/raw."""
    parts = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")
    return [os.path.join(os.path.expanduser(root), PLANETOID[name], "raw", f"ind.{name}.{p}") for p in parts]


@schema(D + "graphs.PlanetoidData")
class Planetoid(GraphData):
    name: str = opt("cora", choices=tuple(PLANETOID), doc="the citation graph")
    root: str = opt("~/.cache/aa/planetoid", doc="data folder; PyG's layout <root>/<Name>/raw")
    download: bool = opt(False, doc="fetch the raw files when absent")

    @staticmethod
    def check(path: str, node: dict) -> None:
        missing = [f for f in planetoid_raw_files(node.get("root", "~"), node.get("name", "cora")) if not os.path.isfile(f)]
        if missing and not node.get("download"):
            raise ConfigError(f"{path}.download", False, f"but {missing[0]} is missing; let PyG fetch the "
                              "Planetoid files or copy them there", f"{path}.download=true")


@schema("aa.callbacks.node_embedding.NodeEmbeddingFigure")
class NodeEmbeddingFigure(NodeSchema):
    every_n_epochs: int = opt(10, ge=1, doc="draw every n epochs (and after the first and last)")


@schema("aa.callbacks.word_vectors.WordVectorReport")
class WordVectorReport(NodeSchema):
    words: Optional[list[str]] = opt(None, doc="words whose neighbours are listed; default: one per class, "
                                     "else frequent words")
    count: int = opt(8, ge=1, le=100, doc="words listed when none are given")
    neighbours: int = opt(8, ge=1, le=100, doc="neighbours per word")
    projector_words: int = opt(10000, ge=1, doc="most frequent words sent to TensorBoard's projector")
