"""Surnames labelled by country, read character by character (the lecture's char-RNN notebook).

The source is the optional ``names-dataset`` package (``pip install 'aa[names]'``); loading it takes
~20 s and gigabytes of memory, so the first run writes the top surnames of every country it knows as one small
text file per country, ``<root>/names/top<N>/<alpha-2 code>.txt`` (a name per line, most frequent
first), and later runs read only those files; a folder holding any such file counts as built.
"""
from __future__ import annotations

import os
from typing import Sequence

from aa.base.errors import ConfigError
from aa.data.text_csv import Records, TextData

COUNTRIES = ("CN", "CZ", "DE", "ES", "FR", "GB", "GR", "IE", "IT", "JP", "KR", "NL", "PL", "PT", "RU", "TR")


def cache_dir(root: str, names_per_country: int) -> str:
    return os.path.join(os.path.expanduser(root), "names", f"top{names_per_country}")


def build_cache(folder: str, names_per_country: int) -> None:
    """Write one file per country from names-dataset's surname ranks (its slow load happens once)."""
    try:
        from names_dataset import NameDataset
    except ImportError:
        raise ConfigError("dataset.root", os.path.dirname(os.path.dirname(folder)),
                          f"has no cached surname table in {folder} and the optional package names-dataset "
                          "is not installed; run pip install 'aa[names]' (a one-time build of about a minute), "
                          "or write <alpha-2 code>.txt files with one surname per line there") from None
    top = NameDataset(load_first_names=False, load_last_names=True).get_top_names(
        n=names_per_country, use_first_names=False)
    os.makedirs(folder, exist_ok=True)
    for country, names in top.items():
        with open(os.path.join(folder, f"{country}.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(names) + "\n")


class NamesData(TextData):
    def __init__(self, root: str = "~/.cache/aa", countries: Sequence[str] = COUNTRIES,
                 names_per_country: int = 500, max_length: int = 32, val_fraction: float = 0.1, **kwargs) -> None:
        super().__init__(level="char", max_length=max_length, val_fraction=val_fraction, **kwargs)
        self.root, self.countries, self.names_per_country = root, list(countries), names_per_country

    def read(self) -> Records:
        folder = cache_dir(self.root, self.names_per_country)
        known = sorted(f[:-4] for f in os.listdir(folder) if f.endswith(".txt")) if os.path.isdir(folder) else []
        if not known:
            build_cache(folder, self.names_per_country)
            known = sorted(f[:-4] for f in os.listdir(folder) if f.endswith(".txt"))
        texts, labels = [], []
        for i, country in enumerate(self.countries):
            path = os.path.join(folder, f"{country}.txt")
            if not os.path.isfile(path):
                raise ConfigError("dataset.countries", country, "has no surnames in the names table",
                                  ", ".join(known))
            with open(path, encoding="utf-8") as f:
                names = [line.strip() for line in f if line.strip()][: self.names_per_country]
            texts += names
            labels += [i] * len(names)
        return Records(texts, labels, list(self.countries))
