"""The reference classifier that judges generated images: its penultimate layer is the feature space of
the Frechet distance (torchmetrics' FID with this network in place of Inception, so it works offline)
and its predictions score class-conditional samples. Given as an aa-train checkpoint, or trained on the
run's own training split on first use (an MLP of this project) and cached under $AA_CACHE or ~/.cache/aa."""
from __future__ import annotations

import hashlib
import logging
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from aa.models.mlp import MLP
from aa.nn.input import Standardize

if TYPE_CHECKING:
    from aa.data.tensor_data import TensorDataModule

log = logging.getLogger("aa")
HIDDEN = 256


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


def cache_dir() -> Path:
    return Path(os.environ.get("AA_CACHE") or Path.home() / ".cache" / "aa") / "classifiers"


def data_key(dm: "TensorDataModule") -> str:
    """Changes with the data set, its split and its served shape."""
    h = hashlib.sha1(type(dm).__name__.encode())
    for t in (dm.x_train, dm.y_train):
        h.update(str(tuple(t.shape)).encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def batches(dm: "TensorDataModule", x: Tensor) -> Tensor:
    return dm.batch_transform(x) if dm.batch_transform is not None else x.float()


def fit_classifier(dm: "TensorDataModule", updates: int = 1500, batch: int = 128, seed: int = 0) -> nn.Module:
    """Standardise + MLP(256), Adam 1e-3, about ``updates`` mini-batches on the training split."""
    torch.manual_seed(seed)
    x, y = dm.x_train, dm.y_train
    sample = batches(dm, x[: min(len(x), 20000)])
    dims = (0,) if sample.dim() == 2 else (0, 2, 3)
    net = nn.Sequential(Standardize.fit(sample, dims=dims), MLP(tuple(x.shape[1:]), dm.num_outputs, [HIDDEN]))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    epochs = max(1, math.ceil(updates * batch / len(x)))
    for _ in range(epochs):
        for idx in torch.randperm(len(x), generator=g).split(batch):
            idx = idx.to(x.device)
            loss = F.cross_entropy(net(batches(dm, x[idx])), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net


def accuracy(net: nn.Module, dm: "TensorDataModule") -> float:
    with torch.no_grad():
        pred = net(batches(dm, dm.x_val)).argmax(1)
    return float((pred == dm.y_val).float().mean())


def loaded_classifier(dm: "TensorDataModule", path: str) -> Features:
    """An aa-train classifier run (folder or checkpoint) restored by load_run; it must read as many input values
    as this data serves (the 8x8 digits flat or as an image) and name as many classes."""
    from aa.base.errors import ConfigError
    from aa.run.load import load_run  # the run floor, reached only when a config names another run

    run = load_run(path, key="objective.classifier")
    if run.task.objective.task != "classification" or math.prod(run.data.input_shape) != math.prod(dm.input_shape) \
            or run.data.num_outputs != dm.num_outputs:  # the same values in another shape are reshaped
        raise ConfigError("objective.classifier", path, f"is a {run.task.objective.task} run on inputs of shape "
                          f"{tuple(run.data.input_shape)} with {run.data.num_outputs} outputs; this run's data has "
                          f"inputs of shape {tuple(dm.input_shape)} and {dm.num_outputs} classes",
                          "a classifier run on the same data, or null (train and cache one)")
    return Features(run.model.cpu(), run.data.input_shape)


def reference_classifier(dm: "TensorDataModule", path: str | None = None) -> Features:
    """The classifier at ``path`` (an aa-train checkpoint), else the cached one for this data, else a new one."""
    if path:
        return loaded_classifier(dm, path)
    dm.setup()
    shape = tuple(dm.x_train.shape[1:])
    file = cache_dir() / f"{type(dm).__name__}-{data_key(dm)}.pt"
    if file.exists():
        saved = torch.load(file, map_location="cpu", weights_only=True)
        net = nn.Sequential(Standardize(saved["mean"], torch.ones_like(saved["mean"])), MLP(shape, dm.num_outputs, [HIDDEN]))
        net.load_state_dict(saved["state"])
    else:
        net = fit_classifier(dm)
        file.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"state": net.state_dict(), "mean": net[0].mean, "val_acc": accuracy(net, dm)}, file)
        log.info("reference classifier trained (val accuracy %.3f), cached at %s", accuracy(net, dm), file)
    return Features(net.cpu(), shape)
