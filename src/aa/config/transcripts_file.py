"""Reading a transcripts file without torch: one ``FILE TRANSCRIPT`` line per sample (the file path relative
to the folder, then a tab or space, then the text; blank lines and lines starting with # skipped). Refused
with the file and line: a line without a transcript, a file that does not exist, a character outside the
given alphabet."""
from __future__ import annotations

import os

from aa.base.errors import ConfigError


def read_transcripts(root: str, name: str, alphabet: str | None, key: str = "dataset.root") -> list[tuple[str, str]]:
    """(absolute file, transcript) per line of ``root/name``."""
    path = os.path.join(root, name)
    if not os.path.isfile(path):
        raise ConfigError(key, root, f"has no {name}; give a folder with the files and a {name} of "
                          "'FILE TRANSCRIPT' lines")
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, start=1):
            line = line.rstrip("\n\r")
            if not line.strip() or line.startswith("#"):
                continue
            file, _, text = line.replace("\t", " ", 1).partition(" ")
            where = f"{name} line {n} ({line[:60]!r})"
            if not text.strip():
                raise ConfigError(key, root, f"{where} has no transcript after the file name",
                                  "'FILE TRANSCRIPT' per line")
            full = os.path.join(root, file)
            if not os.path.isfile(full):
                raise ConfigError(key, root, f"{where} names {file}, which is not a file in {root}")
            if alphabet is not None:
                outside = sorted(set(text) - set(alphabet))
                if outside:
                    raise ConfigError(key, root, f"{where} has characters outside dataset.alphabet: "
                                      f"{''.join(outside)!r}", "an alphabet with every character of the transcripts, "
                                      "or dataset.alphabet=null (the training transcripts' characters)")
            rows.append((full, text.strip()))
    if not rows:
        raise ConfigError(key, root, f"{name} lists no sample")
    return rows
