"""The Word2Vec objective: negative-sampling loss on running text; the word tests on the embeddings.

Training batches are runs of text (word ids, sentence ids); the model turns each into predictions
(true word against ``negative`` noise words). val/test report the loss on held-out sentences and
the intrinsic tests of ``aa.data.word_tests``: same-class neighbours when the corpus knows its word
classes (the generated grammar), word-similarity Spearman and analogy accuracy when gensim's test
files are installed and some of their words are in the vocabulary (with the counts used).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import torch
import torchmetrics
from torch import Tensor, nn
from torch.nn import functional as F

from aa.task.objective import Objective, Step
from aa.data.word_tests import WordTests, same_class_neighbours

if TYPE_CHECKING:
    from torch.optim import Optimizer

    from aa.data.corpus import CorpusData
    from aa.task.module import TaskModule

SPARSE_OPTIMIZERS = ("SGD", "SparseAdam", "Adagrad")


class NegativeSampling(nn.Module):
    """-log sigma(u_o . h) - sum_k log sigma(-u_k . h), summed over predictions (as word2vec.c
    updates after every prediction, a batch's step is the sum of theirs)."""

    def forward(self, pos: Tensor, neg: Tensor) -> Tensor:
        return F.softplus(-pos).sum() + F.softplus(neg).sum()


class Word2VecObjective(Objective):
    task = "embedding"
    metric = "loss"

    def __init__(self, loss: NegativeSampling, data: "CorpusData", model: nn.Module, analogies: bool = True) -> None:
        super().__init__()
        self.loss, self.data, self.analogies = loss, data, analogies
        object.__setattr__(self, "embedder", model)  # read in compute(), not a sub-module: no second copy
        self.val_loss, self.test_loss = torchmetrics.MeanMetric(), torchmetrics.MeanMetric()
        self.tests = WordTests(analogy=analogies)

    def optimizers(self, model: nn.Module, optimizer: Callable[..., "Optimizer"]) -> list["Optimizer"]:
        opt = optimizer(params=model.parameters())
        if getattr(model.vectors, "sparse", False) and type(opt).__name__ not in SPARSE_OPTIMIZERS:
            from aa.base.errors import ConfigError

            raise ConfigError("model.sparse", True, f"needs an optimiser that takes sparse gradients, not "
                              f"{type(opt).__name__}", "optim=sgd or optim=adagrad, or model.sparse=false")
        return [opt]

    def step(self, task: "TaskModule", batch: tuple[Tensor, Tensor]) -> Step:
        pos, neg = task.model.scores(*batch)
        loss = self.loss(pos, neg)
        n = max(len(pos), 1)
        return Step(loss, loss.detach() / n, n)

    def evaluate(self, model: nn.Module, batch: tuple[Tensor, Tensor], split: str) -> None:
        pos, neg = model.scores(*batch)
        if len(pos):
            getattr(self, f"{split}_loss").update(self.loss(pos, neg) / len(pos), weight=len(pos))

    @torch.no_grad()
    def compute(self, split: str) -> dict[str, Tensor]:
        metric = getattr(self, f"{split}_loss")
        out = {"loss": metric.compute()}
        metric.reset()
        vectors = self.embedder.vectors.weight.detach()
        scores: dict[str, float] = {}
        if self.data.word_classes:
            scores["neighbour_same_class"] = same_class_neighbours(vectors, self.data.itos, self.data.word_classes)
        scores.update(self.tests.run(vectors, self.data.stoi, analogy=split == "test"))
        out.update({k: torch.tensor(v) for k, v in scores.items()})
        return out
