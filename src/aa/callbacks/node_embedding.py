"""The graph network's learned node representation as a 2-D figure coloured by class.

The last hidden layer of every node (its first two principal components when it is wider than 2),
labelled training nodes ringed in black: communities that the network separates fall apart.
"""
from __future__ import annotations

import pytorch_lightning as pl
import torch

from aa.callbacks.figures import EpochFigure, publish, pyplot
from aa.data.graphs import GraphData
from aa.models.contract import NodeEmbedder


class NodeEmbeddingFigure(EpochFigure):
    """Drawn after the first epoch, every ``every_n_epochs`` and at the last; kept as node_embedding.png.
    Added by the graph data sets' configs; graph networks only (an MLP on the node features has no graph)."""

    def __init__(self, every_n_epochs: int = 10) -> None:
        super().__init__(every_n_epochs)

    @staticmethod
    def applies(trainer: pl.Trainer) -> bool:
        dm = trainer.datamodule
        return isinstance(dm, GraphData) and dm.graph is not None and dm.input_kind == "graph"

    @torch.no_grad()
    def draw(self, trainer: pl.Trainer, pl_module: pl.LightningModule, epoch: int) -> None:
        model = pl_module.model
        if not isinstance(model, NodeEmbedder):
            return
        dm = trainer.datamodule
        was_training = model.training
        model.eval()
        s = model.embed(dm.graph).float().cpu()
        model.train(was_training)
        xy = self.project(s)
        y, train = dm.graph.y.cpu(), dm.nodes["train"].cpu()
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(4.4, 4))
        points = ax.scatter(xy[:, 0], xy[:, 1], c=y, cmap="tab10", vmin=0, vmax=9, s=14)
        ax.scatter(xy[train, 0], xy[train, 1], facecolors="none", edgecolors="black", s=60, linewidths=1.2,
                   label="labelled")
        handles = [plt.Line2D([], [], marker="o", ls="", color=points.cmap(points.norm(c))) for c in range(len(dm.class_names))]
        ax.legend(handles + [ax.collections[1]], [*dm.class_names, "labelled"], fontsize=6, loc="best")
        ax.set_title(f"node embedding (last hidden layer), epoch {epoch + 1}")
        ax.set_xticks([]), ax.set_yticks([])
        publish(trainer, "node_embedding", fig, epoch, "node_embedding.png")

    @staticmethod
    def project(s: torch.Tensor) -> torch.Tensor:
        """Two coordinates: the features themselves, or their first two principal components."""
        if s.shape[1] <= 2:
            return torch.nn.functional.pad(s, (0, 2 - s.shape[1]))
        centred = s - s.mean(0)
        _, _, v = torch.linalg.svd(centred, full_matrices=False)
        return centred @ v[:2].T
