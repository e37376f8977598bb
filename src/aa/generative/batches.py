"""A split's (x, y) batches as the model sees them, read through the data module's own loaders, so the
generative tools work on every data set: tensors held in memory (digits, MNIST files) and image trees
decoded by DataLoader workers (image_folder) alike."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

import torch
from torch import Tensor

if TYPE_CHECKING:
    from aa.data.contract import DataModule


def split_batches(dm: "DataModule", split: str) -> Iterator[tuple[Tensor, Tensor]]:
    """One pass over the ``train`` or ``val`` loader (see ``served``)."""
    return served(dm, dm.train_dataloader() if split == "train" else dm.val_dataloader())


def served(dm: "DataModule", loader: Iterable) -> Iterator[tuple[Tensor, Tensor]]:
    """A loader's batches after the module's on-device step (uint8 images become float there), a chunk
    of several updates taken apart into its batches. Iterating again passes over the loader again."""
    for item in loader:
        item = dm.on_after_batch_transfer(item, 0)
        whole = isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], Tensor)
        for x, y in [item] if whole else item:
            yield x.float(), y


def rebatch(batches: Iterable[tuple[Tensor, Tensor]], size: int) -> Iterator[tuple[Tensor, Tensor]]:
    """Batches of ``size`` samples (the last may be smaller) whatever the loader's batch mode served:
    single samples are joined, a full batch is cut."""
    xs: list[Tensor] = []
    ys: list[Tensor] = []
    held = 0
    for x, y in batches:
        xs.append(x)
        ys.append(y)
        held += len(x)
        while held >= size:
            x_all, y_all = torch.cat(xs), torch.cat(ys)
            yield x_all[:size], y_all[:size]
            xs, ys, held = [x_all[size:]], [y_all[size:]], held - size
    if held:
        yield torch.cat(xs), torch.cat(ys)


def take(dm: "DataModule", split: str, n: int | None = None) -> tuple[Tensor, Tensor]:
    """The first ``n`` samples of a split (all when ``n`` is None), as one batch."""
    xs: list[Tensor] = []
    ys: list[Tensor] = []
    for x, y in split_batches(dm, split):
        xs.append(x)
        ys.append(y)
        if n is not None and sum(len(b) for b in xs) >= n:
            break
    return torch.cat(xs)[:n], torch.cat(ys)[:n]
