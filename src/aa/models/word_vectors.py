"""Start a text model's embedding table from trained word vectors (word2vec's text format).

The file is what a Word2Vec run writes (``embeddings.txt``) or gensim's ``save_word2vec_format``
(``binary=False``): a "count dim" header, then "word v1 ... vd" per line. Rows of the model's
vocabulary found in the file take their vector; the others (<unk> and padding too) keep their
start. Frozen tables stay as loaded; otherwise training fine-tunes them.
"""
from __future__ import annotations

import logging
from typing import Sequence

import torch
from torch import nn

from aa.base.errors import ConfigError

log = logging.getLogger("aa")


def read_header(path: str) -> tuple[int, int]:
    """(count, dim) of a word2vec text file, or a ConfigError naming the key."""
    try:
        with open(path, encoding="utf-8") as f:
            count, dim = (int(v) for v in f.readline().split())
    except FileNotFoundError:
        raise ConfigError("model.pretrained_embeddings", path, "is not a file; give the embeddings.txt of a "
                          "Word2Vec run or any word2vec text-format file") from None
    except ValueError:
        raise ConfigError("model.pretrained_embeddings", path, "does not start with a 'count dim' header "
                          "(word2vec text format)") from None
    return count, dim


def read_vectors(path: str, wanted: set[str]) -> dict[str, list[float]]:
    """The vectors of the wanted words."""
    _, dim = read_header(path)
    out: dict[str, list[float]] = {}
    with open(path, encoding="utf-8") as f:
        f.readline()
        for line in f:
            parts = line.rstrip("\n").split(" ")
            if parts[0] in wanted and len(parts) == dim + 1:
                out[parts[0]] = [float(v) for v in parts[1:]]
    return out


@torch.no_grad()
def load_word_vectors(table: nn.Embedding | nn.EmbeddingBag | None, path: str, vocabulary: Sequence[str] | None,
                      freeze: bool = False, padding_idx: int = 0) -> int:
    """Copy the file's vectors into the rows of ``vocabulary`` (token id -> word); returns the rows set."""
    if table is None:
        raise ConfigError("model.pretrained_embeddings", path, "needs an embedding table, but this model reads "
                          "one-hot codes", "model.embedding=learned or model.pretrained_embeddings=null")
    if vocabulary is None:
        raise ConfigError("model.pretrained_embeddings", path, "needs a dataset whose tokens are words "
                          "with a vocabulary (text_csv, ag_news)")
    _, dim = read_header(path)
    if dim != table.embedding_dim:
        raise ConfigError("model.embed_dim", table.embedding_dim, f"differs from the {dim}-dimensional vectors "
                          f"in {path}", f"model.embed_dim={dim}")
    vectors = read_vectors(path, set(vocabulary))
    rows = [i for i, w in enumerate(vocabulary) if w in vectors and i != padding_idx]
    if rows:
        table.weight[rows] = torch.tensor([vectors[vocabulary[i]] for i in rows], dtype=table.weight.dtype)
    table.weight.requires_grad_(not freeze)
    log.info("pretrained embeddings: %d of %d words found in %s%s", len(rows), len(vocabulary), path,
             " (frozen)" if freeze else "")
    return len(rows)
