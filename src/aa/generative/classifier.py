"""The reference classifier that judges generated images: its penultimate layer is the feature space of
the Frechet distance (torchmetrics' FID with this network in place of Inception, so it works offline)
and its predictions score class-conditional samples. Given as an aa-train checkpoint, or trained on the
run's own training split on first use (an MLP of this project) and cached under $AA_CACHE or ~/.cache/aa."""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from aa.generative.batches import rebatch, served, split_batches, take
from aa.models.mlp import MLP
from aa.nn.input import Standardize

if TYPE_CHECKING:
    from aa.data.contract import DataModule

log = logging.getLogger("aa")
HIDDEN = 256
SIDE = 32  # larger images are average-pooled to this side first: a photo folder's MLP stays small
KEEP = 10000  # training samples held in memory; a larger split is streamed from its loader
MAX_PASSES = 200  # a split of a few batches is learnt long before 1,500 updates: at most this many passes


class Features(nn.Module):
    """A frozen classifier; forward gives the input of its last linear layer (``num_features`` wide)."""

    def __init__(self, net: nn.Module, input_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.net, self.input_shape = net.eval().requires_grad_(False), tuple(input_shape)
        last = [m for m in net.modules() if isinstance(m, nn.Linear)][-1]
        self.num_features = last.in_features
        self._seen: list[Tensor] = []
        last.register_forward_hook(lambda m, inputs, out: self._seen.append(inputs[0]))

    def train(self, mode: bool = True) -> "Features":
        return super().train(False)  # always in evaluation mode: a fixed yardstick

    @torch.no_grad()
    def classify(self, x: Tensor) -> Tensor:
        out = self.net(x.reshape(len(x), *self.input_shape).float())
        self._seen.clear()
        return out

    @torch.no_grad()
    def forward(self, x: Tensor) -> Tensor:
        self._seen.clear()
        self.net(x.reshape(len(x), *self.input_shape).float())
        return self._seen.pop()


def classifier_net(standardize: Standardize, shape: tuple[int, ...], classes: int) -> nn.Sequential:
    """Standardise, pool images larger than SIDE x SIDE down to it, then the MLP."""
    if len(shape) == 3 and max(shape[1:]) > SIDE:
        return nn.Sequential(standardize, nn.AdaptiveAvgPool2d(SIDE), MLP((shape[0], SIDE, SIDE), classes, [HIDDEN]))
    return nn.Sequential(standardize, MLP(shape, classes, [HIDDEN]))


def cache_dir() -> Path:
    return Path(os.environ.get("AA_CACHE") or Path.home() / ".cache" / "aa") / "classifiers"


def data_key(dm: "DataModule", held: int) -> str:
    """Changes with the data set, its validation split, its served shape and the ``held`` training samples
    one pass served (a debug run's few batches train a classifier of their own)."""
    h = hashlib.sha1(f"{type(dm).__name__}:{held}".encode())
    for x, y in split_batches(dm, "val"):
        for t in (x, y):
            h.update(str(tuple(t.shape)).encode())
            h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def fit_classifier(dm: "DataModule", x: Tensor, y: Tensor, updates: int = 1500, batch: int = 128,
                   seed: int = 0) -> tuple[nn.Module, int]:
    """Standardise + MLP(256), Adam 1e-3, ``updates`` mini-batches of the training split, or MAX_PASSES
    passes over a split held whole when that is fewer: drawn from ``x, y`` when they hold all of it (fewer
    than KEEP samples), else streamed pass after pass from its loader. Returns the net and its update count."""
    torch.manual_seed(seed)
    if len(x) < KEEP:
        updates = min(updates, MAX_PASSES * -(-len(x) // batch))
    dims = (0,) if x.dim() == 2 else (0, 2, 3)
    net = classifier_net(Standardize.fit(x, dims=dims), tuple(x.shape[1:]), dm.num_outputs)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    loader = dm.train_dataloader() if len(x) >= KEEP else None  # one loader for every pass: workers start once
    done = 0
    while done < updates:
        source = rebatch(served(dm, loader), batch) if loader is not None else (
            (x[i], y[i]) for i in torch.randperm(len(x), generator=g).split(batch))
        for xb, yb in source:
            loss = F.cross_entropy(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            done += 1
            if done >= updates:
                break
    return net, done


def accuracy(net: nn.Module, dm: "DataModule") -> tuple[float, int]:
    """The share of validation samples classified right, and how many samples that is of."""
    right = total = 0
    with torch.no_grad():
        for x, y in split_batches(dm, "val"):
            right += int((net(x).argmax(1) == y).sum())
            total += len(y)
    return right / max(total, 1), total


def reference_classifier(dm: "DataModule") -> Features:
    """The cached classifier for this data, else a new one (a classifier run the config names is restored
    by the run floor instead: aa.run.other_runs.judge)."""
    dm.setup()
    state = dm.state_dict()  # reading the training split draws from the data order's generator
    x, y = take(dm, "train", KEEP)
    shape = tuple(x.shape[1:])
    file = cache_dir() / f"{type(dm).__name__}-{data_key(dm, len(x))}.pt"
    if file.exists():
        saved = torch.load(file, map_location="cpu", weights_only=True)
        net = classifier_net(Standardize(saved["mean"], torch.ones_like(saved["mean"])), shape, dm.num_outputs)
        net.load_state_dict(saved["state"])
    else:
        net, updates = fit_classifier(dm, x, y)
        acc, n_val = accuracy(net, dm)
        file.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"state": net.state_dict(), "mean": net[0].mean, "val_acc": acc}, file)
        log.info("reference classifier trained on %d training samples in %d updates (val accuracy %.3f on %d "
                 "samples), cached at %s", dm.train_size() or len(x), updates, acc, n_val, file)
    dm.load_state_dict(state)
    return Features(net.cpu(), shape)
