"""Node classification on one graph: Zachary's karate club, stochastic block models, Planetoid citations.

Training is transductive, on the whole graph: every update runs the network over all nodes and takes
the loss on a set of labelled training nodes (the batch group picks them: ``batch=full`` is one update
on all of them, as Kipf & Welling train). Graph models get a ``Graph`` (features, edges, which nodes
to score); models without a graph (``inputs: vector``) get the features of those nodes alone, so an
MLP is the graph-free baseline. Graphs are PyTorch Geometric ``Data`` objects.
"""
from __future__ import annotations

import os
from typing import Any, Iterator

import torch
from torch import Tensor

from aa.base.errors import ConfigError
from aa.config.schemas.embeddings import PLANETOID, planetoid_raw_files
from aa.data.batching import BatchMode, FullBatch
from aa.data.contract import DataModule


class Graph:
    """What a graph model reads: node features (N, F), edges (2, E) and the nodes to score."""

    def __init__(self, x: Tensor, edge_index: Tensor, nodes: Tensor) -> None:
        self.x, self.edge_index, self.nodes = x, edge_index, nodes

    def to(self, device: torch.device | str) -> "Graph":
        return Graph(self.x.to(device), self.edge_index.to(device), self.nodes.to(device))


class Batches:
    """One split's updates or evaluation batches (a plain list would look like several loaders)."""

    def __init__(self, make: Any, count: int) -> None:
        self.make, self.count = make, count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Any]:
        return iter(self.make())


class GraphData(DataModule):
    """A graph with labels and train/val/test node masks; sub-classes build it in ``load``."""

    task = "classification"
    kinds = ("graph", "vector")

    def __init__(self, seed: int = 0, batch_mode: BatchMode | None = None, input_kind: str | None = None,
                 **_: Any) -> None:
        super().__init__()
        self.seed, self.batch_mode = seed, batch_mode or FullBatch()
        self.input_kind = input_kind or "graph"
        self.generator = torch.Generator().manual_seed(seed)
        self.graph: Any = None

    def load(self) -> Any:  # pragma: no cover - abstract
        """A torch_geometric Data with x, edge_index, y, train_mask, val_mask and test_mask."""
        raise NotImplementedError

    def setup(self, stage: str | None = None) -> None:
        if self.graph is not None:
            return
        g = self.load()
        self.graph = g
        self.nodes = {s: getattr(g, f"{s}_mask").nonzero().flatten() for s in ("train", "val", "test")}
        self.class_names = getattr(self, "class_names", None) or [str(c) for c in range(int(g.y.max()) + 1)]
        self.ledger.unit = "labelled nodes"
        for split, nodes in self.nodes.items():
            self.ledger.used(split, len(nodes))
        overlap = set(self.nodes["test"].tolist()) & set(self.nodes["train"].tolist() + self.nodes["val"].tolist())
        assert not overlap, f"test nodes also train or choose the checkpoint: {sorted(overlap)[:5]}"

    @property
    def input_shape(self) -> tuple[int, ...]:
        self.setup()
        return (self.graph.x.shape[1],)

    @property
    def num_outputs(self) -> int:
        self.setup()
        return len(self.class_names)

    def input_transform(self) -> None:
        return None

    def batch(self, nodes: Tensor) -> tuple[Any, Tensor]:
        """(input, labels) for scoring ``nodes``: the whole graph for graph models, else their features."""
        g = self.graph
        x = Graph(g.x, g.edge_index, nodes) if self.input_kind == "graph" else g.x[nodes]
        return x, g.y[nodes]

    def to(self, device: torch.device | str) -> "GraphData":
        self.setup()
        self.graph = self.graph.to(device)
        self.nodes = {s: n.to(device) for s, n in self.nodes.items()}
        return self

    def train_dataloader(self) -> Batches:
        def epoch() -> Iterator[list]:
            train = self.nodes["train"]
            yield [self.batch(train[idx.to(train.device)]) for idx in self.batch_mode.plan(len(train), self.generator)]

        return Batches(epoch, 1)

    def val_dataloader(self) -> Batches:
        return Batches(lambda: [self.batch(self.nodes["val"])], 1)

    def test_dataloader(self) -> Batches:
        return Batches(lambda: [self.batch(self.nodes["test"])], 1)


# Zachary (1977): the members who sided with the instructor, Mr. Hi (node 0), when the club split;
# the others followed the officer (node 33). Node ids as in PyG and networkx.
MR_HI = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 16, 17, 19, 21]


class KarateData(GraphData):
    """Zachary's karate club (34 members, its edges as PyG ships them), one labelled member per class:
    ``labels=factions`` the two sides of the split (Zachary 1977), ``labels=communities`` PyG's four
    modularity communities. ``labelled=leaders`` labels the best-connected member of each class (for
    the factions Mr. Hi, node 0, and the officer, node 33); ``labelled=pyg`` PyG's own choice for the
    communities (nodes 0, 4, 8, 24; for the factions, as leaders). The test split is every other member.
    There are no validation nodes: val scores the labelled members, so no test label steers training."""

    def __init__(self, labels: str = "factions", labelled: str = "leaders", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.labels, self.labelled = labels, labelled

    def load(self) -> Any:
        from torch_geometric.datasets import KarateClub
        from torch_geometric.utils import degree

        g = KarateClub()[0]
        if self.labels == "factions":
            g.y = torch.ones(g.num_nodes, dtype=torch.long)
            g.y[MR_HI] = 0
            self.class_names = ["Mr. Hi", "Officer"]
        if self.labels == "factions" or self.labelled == "leaders":
            g.train_mask = torch.zeros(g.num_nodes, dtype=torch.bool)
            g.train_mask[leaders(g.y, degree(g.edge_index[0], g.num_nodes))] = True
        g.val_mask = g.train_mask.clone()
        g.test_mask = ~g.train_mask
        self.split_sources = {"train": "the labelled leaders", "val": "the same leaders (the club has no other "
                              "labels to spare)", "test": "every other member: never trains, never chooses the checkpoint"}
        return g


def leaders(y: Tensor, deg: Tensor) -> Tensor:
    """The member of each class with the most edges (the lowest id among equals)."""
    ids = torch.arange(len(y))
    return torch.stack([ids[y == c][deg[y == c].argmax()] for c in range(int(y.max()) + 1)])


class SBMData(GraphData):
    """A stochastic block model from the seed: ``blocks`` communities of ``block_size`` nodes, edges
    with probability ``p_in`` inside a community and ``p_out`` across; the community is the class.
    Features carry no class information: one-hot node ids (``identity``) or Gaussian ``noise``."""

    def __init__(self, blocks: int = 4, block_size: int = 100, p_in: float = 0.1, p_out: float = 0.01,
                 features: str = "identity", feature_dim: int = 32, train_per_class: int = 10,
                 val_fraction: float = 0.2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.blocks, self.block_size, self.p_in, self.p_out = blocks, block_size, p_in, p_out
        self.features, self.feature_dim = features, feature_dim
        self.train_per_class, self.val_fraction = train_per_class, val_fraction

    def load(self) -> Any:
        from torch_geometric.data import Data
        from torch_geometric.utils import stochastic_blockmodel_graph

        n = self.blocks * self.block_size
        probs = torch.full((self.blocks, self.blocks), self.p_out).fill_diagonal_(self.p_in)
        with torch.random.fork_rng():
            torch.manual_seed(self.seed)
            edges = stochastic_blockmodel_graph([self.block_size] * self.blocks, probs)
            x = torch.eye(n) if self.features == "identity" else torch.randn(n, self.feature_dim)
            order = torch.randperm(n)
        y = torch.arange(self.blocks).repeat_interleave(self.block_size)
        train = torch.cat([order[y[order] == c][: self.train_per_class] for c in range(self.blocks)])
        rest = order[~torch.isin(order, train)]
        n_val = round(len(rest) * self.val_fraction)
        if n_val == 0 or n_val == len(rest):
            raise ConfigError("dataset.train_per_class", self.train_per_class, f"leaves {len(rest)} of the "
                              f"{n} nodes for validation and test; each needs at least one",
                              f"a train_per_class below {self.block_size - 1}, or a larger dataset.block_size")
        masks = {name: torch.zeros(n, dtype=torch.bool) for name in ("train", "val", "test")}
        masks["train"][train], masks["val"][rest[:n_val]], masks["test"][rest[n_val:]] = True, True, True
        self.split_sources = {"train": f"{self.train_per_class} nodes of each community (seed {self.seed})",
                              "val": f"{self.val_fraction:.0%} of the other nodes", "test": "the remaining nodes"}
        return Data(x=x, edge_index=edges, y=y, **{f"{k}_mask": v for k, v in masks.items()})


class PlanetoidData(GraphData):
    """Cora, CiteSeer or PubMed citation graphs with the public split of Yang et al. (20 labelled
    papers per class, 500 validation, 1000 test), bag-of-words features row-normalised as in Kipf &
    Welling; downloaded by PyG into ``root`` when ``download`` is true."""

    def __init__(self, name: str = "cora", root: str = "~/.cache/aa/planetoid", download: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name, self.root, self.download = name, os.path.expanduser(root), download

    def load(self) -> Any:
        from torch_geometric.datasets import Planetoid
        from torch_geometric.transforms import NormalizeFeatures

        missing = [f for f in planetoid_raw_files(self.root, self.name) if not os.path.isfile(f)]
        if missing and not self.download:
            raise ConfigError("dataset.download", False, f"but {missing[0]} is missing", "dataset.download=true")
        try:
            self.split_sources = {"train": "the public split of Yang et al. (2016): 20 labelled nodes per class",
                                  "val": "its 500 validation nodes", "test": "its 1,000 test nodes"}
            return Planetoid(self.root, PLANETOID[self.name], transform=NormalizeFeatures())[0]
        except Exception as e:  # no network, a proxy page: one message, no half-downloaded files left
            if not missing:
                raise
            for f in missing:
                if os.path.isfile(f):
                    os.remove(f)
            raise ConfigError("dataset.root", self.root, f"has no {PLANETOID[self.name]} files and downloading "
                              f"them failed ({type(e).__name__}: {' '.join(str(e).split())}); run once with "
                              f"network, or copy the Planetoid files ind.{self.name}.* into "
                              f"{os.path.dirname(missing[0])}") from None
