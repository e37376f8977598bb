"""Reading a CoNLL-2003 style file without torch: one token per line with its tag in the last column,
blank lines between sentences, ``-DOCSTART-`` lines skipped. Tags follow BIO (IOB2): O, B-TYPE, or I-TYPE
continuing an entity of the same TYPE. The first line that breaks the format is refused, named with its
file and line number."""
from __future__ import annotations

import os
import re

from aa.base.errors import ConfigError

TAG = re.compile(r"^(O|[BI]-\S+)$")


def read_conll(path: str, key: str = "dataset.path") -> list[tuple[list[str], list[str]]]:
    """The file's sentences as (tokens, tags)."""
    if not os.path.isfile(path):
        raise ConfigError(key, path, "is not a file; give a CoNLL file: a token and its tag per line, blank "
                          "lines between sentences")
    sentences: list[tuple[list[str], list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    columns = None
    name = os.path.basename(path)

    def bad(n: int, line: str, why: str) -> ConfigError:
        return ConfigError(key, path, f"{name} line {n} ({line.strip()[:60]!r}) {why}",
                           "lines of 'TOKEN ... TAG' with BIO tags (O, B-TYPE, I-TYPE after B-/I-TYPE), "
                           "blank lines between sentences")

    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, start=1):
            parts = line.split()
            if not parts or parts[0] == "-DOCSTART-":
                if tokens:
                    sentences.append((tokens, tags))
                tokens, tags = [], []
                continue
            if len(parts) < 2:
                raise bad(n, line, "has no tag: a token and its tag need two columns")
            if columns is None:
                columns = len(parts)
            elif len(parts) != columns:
                raise bad(n, line, f"has {len(parts)} columns where the lines before it have {columns}")
            tag = parts[-1]
            if not TAG.match(tag):
                raise bad(n, line, f"has the tag {tag!r}, which is not O, B-TYPE or I-TYPE")
            if tag.startswith("I-") and (not tags or tags[-1][2:] != tag[2:] or tags[-1] == "O"):
                raise bad(n, line, f"has {tag} after {tags[-1] if tags else 'the start of a sentence'}: an I- tag "
                          "must continue an entity of its type (BIO)")
            tokens.append(parts[0])
            tags.append(tag)
    if tokens:
        sentences.append((tokens, tags))
    if not sentences:
        raise ConfigError(key, path, f"{name} holds no tagged sentence")
    return sentences
