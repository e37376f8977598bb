"""Graph neural networks for node classification, built from PyTorch Geometric's layers.

Each layer mixes every node's features with its neighbours': GCN (Kipf & Welling 2017) averages them
with symmetric degree normalisation, GAT (Velickovic et al. 2018) weights them by learned attention,
GraphSAGE (Hamilton et al. 2017) concatenates a node's own features with the mean of its neighbours'.
A net is a stack of such layers (``hidden`` widths), the activation g between them, dropout on each
layer's input; ``forward`` returns the logits of the nodes the ``Graph`` asks for.
"""
from __future__ import annotations

from typing import Callable

from torch import Tensor, nn


class GNN(nn.Module):
    """Layers in_features -> hidden... -> classes; ``embed`` gives the last hidden layer for all nodes."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, hidden: list[int] = (16,),
                 dropout: float = 0.5, activation: Callable[[], nn.Module] | None = None) -> None:
        super().__init__()
        self.dropout = dropout
        self.drop = nn.Dropout(dropout)
        self.g = activation() if activation is not None else nn.ReLU()
        layers, width = [], input_shape[-1]
        for h in hidden:
            conv, width = self.hidden_layer(width, h)
            layers.append(conv)
        self.hidden = nn.ModuleList(layers)
        self.out = self.conv(width, num_outputs)

    def conv(self, fan_in: int, fan_out: int) -> nn.Module:  # pragma: no cover - abstract
        raise NotImplementedError

    def hidden_layer(self, fan_in: int, width: int) -> tuple[nn.Module, int]:
        """A hidden layer and the width of what it outputs."""
        return self.conv(fan_in, width), width

    def embed(self, graph) -> Tensor:
        """The last hidden layer's output s for every node (the input features if there is none)."""
        s = graph.x
        for conv in self.hidden:
            s = self.g(conv(self.drop(s), graph.edge_index))
        return s

    def forward(self, graph) -> Tensor:
        if not hasattr(graph, "edge_index"):
            raise TypeError("a graph network reads a Graph (features, edges, nodes), not a tensor")
        return self.out(self.drop(self.embed(graph)), graph.edge_index)[graph.nodes]


class GCN(GNN):
    def conv(self, fan_in: int, fan_out: int) -> nn.Module:
        from torch_geometric.nn import GCNConv

        return GCNConv(fan_in, fan_out)


class GraphSAGE(GNN):
    def conv(self, fan_in: int, fan_out: int) -> nn.Module:
        from torch_geometric.nn import SAGEConv

        return SAGEConv(fan_in, fan_out, aggr="mean")


class GAT(GNN):
    """``heads`` attention heads per hidden layer, concatenated; one head at the output; dropout also
    on the attention coefficients, as in the paper."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, hidden: list[int] = (8,),
                 heads: int = 8, dropout: float = 0.6, activation: Callable[[], nn.Module] | None = None) -> None:
        self.heads = heads
        super().__init__(input_shape, num_outputs, hidden, dropout, activation or nn.ELU)

    def conv(self, fan_in: int, fan_out: int, heads: int = 1) -> nn.Module:
        from torch_geometric.nn import GATConv

        return GATConv(fan_in, fan_out, heads=heads, dropout=self.dropout)

    def hidden_layer(self, fan_in: int, width: int) -> tuple[nn.Module, int]:
        return self.conv(fan_in, width, self.heads), width * self.heads
