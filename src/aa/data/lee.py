"""Real corpora for Word2Vec: gensim's Lee news corpus (inside the gensim wheel) and text8 (download).

Lee (Lee, Pincombe & Welsh 2005) is 300 news documents, one per line, ~60k words: the corpus gensim's
own Word2Vec tests train on. text8 is the first 10^8 characters of English Wikipedia, cleaned to
lower-case words (~17M); the usual benchmark for Word2Vec speed and analogy accuracy.
"""
from __future__ import annotations

import os
from typing import Any, Iterable

from aa.base.errors import ConfigError
from aa.data.corpus import CorpusData, read_lines
from aa.data.word_tests import gensim_test_data

TEXT8_URL = "http://mattmahoney.net/dc/text8.zip"


def lee_path() -> str:
    folder = gensim_test_data()
    if folder is None:
        raise ConfigError("dataset", "lee", "reads the Lee corpus from the gensim wheel, which is not "
                          "installed", "pip install 'aa[embeddings]' (or pip install gensim)")
    return os.path.join(folder, "lee_background.cor")


class LeeData(CorpusData):
    """lee_background.cor from the installed gensim package; one document per line."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(path=lee_path(), **kwargs)


class Text8Data(CorpusData):
    """text8, fetched from Matt Mahoney's site into ``root``/text8 the first time (``download=true``)."""

    def __init__(self, root: str = "~/.cache/aa", download: bool = True, batch_size: int = 4096,
                 val_fraction: float = 0.001, **kwargs: Any) -> None:
        self.folder = os.path.join(os.path.expanduser(root), "text8")
        super().__init__(path=os.path.join(self.folder, "text8"), batch_size=batch_size, val_fraction=val_fraction,
                         **kwargs)
        self.download = download

    def sentences(self) -> Iterable[list[str]]:
        if not os.path.isfile(self.path):
            self.fetch()
        return read_lines(self.path)

    def fetch(self) -> None:
        if not self.download:
            raise ConfigError("dataset.download", False, f"but {self.path} is missing; allow the download "
                              "or unpack text8.zip there", "dataset.download=true")
        from torchvision.datasets.utils import download_and_extract_archive

        try:
            download_and_extract_archive(TEXT8_URL, self.folder, md5=None)
        except Exception as e:  # no network, a proxy page: one message
            raise ConfigError("dataset.root", os.path.dirname(self.folder), f"has no text8/text8 and downloading "
                              f"{TEXT8_URL} failed ({type(e).__name__}: {' '.join(str(e).split())}); run once "
                              f"with network, or unpack text8.zip into {self.folder}") from None
        if not os.path.isfile(self.path):
            raise ConfigError("dataset.root", self.folder, "holds no text8 file after the download")

