"""The Word2Vec objective: negative-sampling loss on running text; the word tests on the embeddings.

Training batches are runs of text (word ids, sentence ids); the model turns each into predictions
(true word against ``negative`` noise words). With the model's ``update: auto`` (the default)
each run is trained by plain SGD with the gradient written by hand (on a CPU word by word in word2vec.c's
compiled loop, elsewhere one batched step per run), at word2vec's rate: ``alpha`` falling linearly to
``min_alpha`` over the run's expected sub-sampled words (trainer.max_epochs epochs); the configured
optimiser then has nothing to do. ``update: autograd`` differentiates the loss
and steps the optimiser. val/test report the loss on held-out sentences and
the intrinsic tests of ``aa.data.word_tests``: same-class neighbours when the corpus knows its word
classes (the generated grammar), word-similarity Spearman and analogy accuracy when gensim's test
files are installed and some of their words are in the vocabulary (with the counts used).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable, Sequence

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

log = logging.getLogger("aa")
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
        self._epoch, self._words_done, self._epoch_words = -1, 0, 0.0
        self._announced = ""

    def optimizers(self, model: nn.Module, optimizer: Callable[..., "Optimizer"]) -> list["Optimizer"]:
        opt = optimizer(params=model.parameters())
        if getattr(model.vectors, "sparse", False) and type(opt).__name__ not in SPARSE_OPTIMIZERS:
            from aa.base.errors import ConfigError

            raise ConfigError("model.sparse", True, f"needs an optimiser that takes sparse gradients, not "
                              f"{type(opt).__name__}", "optim=sgd or optim=adagrad, or model.sparse=false")
        return [opt]

    def update(self, task: "TaskModule", batch: tuple[Tensor, Tensor], optimizers: Sequence["Optimizer"]) -> Step:
        model = task.model
        update = model.update_for(batch[0].device) if hasattr(model, "update_for") else "autograd"
        if update != self._announced:
            self._announced = update
            how = {"loop": f"word2vec.c's word-by-word SGD, compiled, {getattr(model, 'workers', 1)} worker(s)",
                   "closed_form": "one batched SGD step per run", "autograd": "loss.backward() and the optimiser"}
            log.info("word2vec: model.update=%s resolved to %s (%s)", getattr(model, "update", update), update, how[update])
        if update == "autograd":
            return super().update(task, batch, optimizers)
        start, end = self.rates(task, model, len(batch[0]))
        if update == "loop":
            total, n = model.loop_update(*batch, start, end)
            loss = torch.tensor(total)
        else:
            loss, n = model.sgd_update(*batch, start)
        task.stepped(optimizers[0])
        return Step(None, loss / max(n, 1), n)

    def rates(self, task: "TaskModule", model: nn.Module, words: int) -> tuple[float, float]:
        """word2vec's learning rate at the first word of a run of ``words`` and past its last: alpha at the
        start, falling linearly with the words trained on to min_alpha at the end of trainer.max_epochs
        (alpha throughout when no epoch count is set)."""
        epochs = task.trainer.max_epochs if task._trainer is not None else None
        if task.current_epoch != self._epoch:
            self._epoch, self._words_done = task.current_epoch, 0
            if not self._epoch_words:
                train = self.data.train
                self._epoch_words = max(float(self.data.keep_prob[train.tokens.long()].sum()), 1.0)
        done = self._words_done
        self._words_done += words
        if not epochs or epochs < 0:
            return model.alpha, model.alpha

        def at(words_done: int) -> float:
            progress = min((self._epoch + words_done / self._epoch_words) / epochs, 1.0)
            return max(model.alpha - (model.alpha - model.min_alpha) * progress, model.min_alpha)

        return at(done), at(done + words)

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
