"""What a Word2Vec run learned, shown and kept: nearest-neighbour tables, the projector, a vector file.

After testing: for chosen words their nearest words by cosine (printed and as TensorBoard text), the
vectors of the most frequent words in TensorBoard's projector labelled with their word (and, when the
corpus knows it, with their class as the metadata's first column and each point drawn as a square of its
class's colour, so the projector opens coloured by class), and ``embeddings.txt`` in word2vec's text format (gensim's
``KeyedVectors.load_word2vec_format`` reads it; text models start from it with
``model.pretrained_embeddings``).
"""
from __future__ import annotations

import os
from typing import Sequence

import pytorch_lightning as pl
import torch
from torch import Tensor

from aa.data.word_tests import nearest


def write_word2vec(path: str, words: Sequence[str], vectors: Tensor) -> None:
    """word2vec text format: a "count dim" header, then one "word v1 ... vd" line per word."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{len(words)} {vectors.shape[1]}\n")
        for word, row in zip(words, vectors.tolist()):
            f.write(word + " " + " ".join(f"{v:.6g}" for v in row) + "\n")


def class_squares(classes: Sequence[str], side: int = 8) -> Tensor:
    """One ``side`` x ``side`` square per point in its class's colour (grey without a class): the
    projector's sprites, which show the classes before any setting is chosen."""
    from aa.base.plotting import palette

    names = sorted({c for c in classes if c})
    colours = dict(zip(names, palette(len(names))))
    rgb = torch.tensor([colours.get(c, (0.6, 0.6, 0.6)) for c in classes], dtype=torch.float32)
    return rgb[:, :, None, None].expand(-1, -1, side, side).contiguous()


class WordVectorReport(pl.Callback):
    """Acts on runs whose data module serves running text (task ``embedding``); others are left alone."""

    def __init__(self, words: Sequence[str] | None = None, count: int = 8, neighbours: int = 8,
                 projector_words: int = 10000) -> None:
        self.words, self.count, self.neighbours, self.projector_words = words, count, neighbours, projector_words

    def chosen(self, itos: Sequence[str], classes: dict[str, str]) -> list[str]:
        if self.words:
            return [w for w in self.words if w in set(itos)]
        if classes:
            first: dict[str, str] = {}
            for w in itos:
                first.setdefault(classes.get(w, ""), w)
            return [w for c, w in first.items() if c][: self.count]
        return list(itos[20:20 + self.count]) or list(itos[: self.count])

    @torch.no_grad()
    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        dm = trainer.datamodule
        if dm is None or not trainer.is_global_zero:
            return
        vectors = pl_module.model.vectors.weight.detach().float().cpu()
        itos, classes = dm.itos, dm.word_classes
        rows = self.table(vectors, itos, classes)
        from rich.console import Console
        from rich.table import Table

        table = Table(title="nearest neighbours (cosine)")
        table.add_column("word"), table.add_column("nearest words")
        for word, near in rows:
            table.add_row(word, near)
        Console().print(table)
        write_word2vec(os.path.join(trainer.default_root_dir, "embeddings.txt"), itos, vectors)
        n = min(self.projector_words, len(itos))
        labels = [[classes.get(w, ""), w] for w in itos[:n]] if classes else list(itos[:n])
        text = "| word | nearest words |\n| --- | --- |\n" + "\n".join(f"| {w} | {near} |" for w, near in rows)
        for logger in trainer.loggers:
            writer = logger.experiment
            if hasattr(writer, "add_embedding"):
                writer.add_text("nearest_neighbours", text, global_step=trainer.current_epoch)
                writer.add_embedding(vectors[:n], metadata=labels, tag="word_vectors", global_step=trainer.current_epoch,
                                     metadata_header=["class", "word"] if classes else None,
                                     label_img=class_squares([c for c, _ in labels]) if classes else None)
                writer.flush()

    def table(self, vectors: Tensor, itos: Sequence[str], classes: dict[str, str]) -> list[tuple[str, str]]:
        words = self.chosen(itos, classes)
        if not words:
            return []
        index = {w: i for i, w in enumerate(itos)}
        near = nearest(vectors, torch.tensor([index[w] for w in words]), self.neighbours).tolist()
        tag = (lambda w: f"{w} ({classes[w]})" if w in classes else w) if classes else (lambda w: w)
        return [(tag(w), ", ".join(itos[j] for j in row)) for w, row in zip(words, near)]
