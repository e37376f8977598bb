"""AG News (Zhang et al. 2015): 120,000 training and 7,600 test news items in 4 classes.

The public CSVs (class 1-4, title, description; no header) are downloaded once, checked against
the MD5 sums torchtext used, and kept in ``<root>/ag_news``; the official test split is the test.
"""
from __future__ import annotations

import os

from aa.base.errors import ConfigError
from aa.data.text_csv import Records, TextCSVData

BASE = "https://raw.githubusercontent.com/mhjabreel/CharCnn_Keras/master/data/ag_news_csv/"
MD5 = {"train.csv": "b1a00f826fdfbd249f79597b59e1dc12", "test.csv": "d52ea96a97a2d943681189a97654912d"}
CLASSES = ["World", "Sports", "Business", "Sci/Tech"]


class AGNewsData(TextCSVData):
    def __init__(self, root: str = "~/.cache/aa", download: bool = True, val_fraction: float = 0.05,
                 **kwargs) -> None:
        self.folder = os.path.join(os.path.expanduser(root), "ag_news")
        self.download = download
        super().__init__(path=os.path.join(self.folder, "train.csv"),
                         test_path=os.path.join(self.folder, "test.csv"), label_column="class",
                         text_columns=("title", "description"),
                         columns=("class", "title", "description"), val_fraction=val_fraction, **kwargs)

    def fetch(self) -> None:
        """Download missing files, checked by MD5; a file already there is used as it is."""
        from torchvision.datasets.utils import download_url

        for name, md5 in MD5.items():
            if os.path.isfile(os.path.join(self.folder, name)):
                continue
            if not self.download:
                raise ConfigError("dataset.root", os.path.dirname(self.folder),
                                  f"has no AG News file ag_news/{name} and dataset.download=false; put the "
                                  f"public AG News train.csv and test.csv in {self.folder} or set "
                                  "dataset.download=true")
            try:
                download_url(BASE + name, self.folder, name, md5)
            except Exception as e:  # no network, a proxy page, a checksum mismatch: one message
                if os.path.exists(os.path.join(self.folder, name)):
                    os.remove(os.path.join(self.folder, name))
                raise ConfigError("dataset.root", os.path.dirname(self.folder),
                                  f"could not receive AG News {name} from {BASE} ({type(e).__name__}: {e}); "
                                  f"download train.csv and test.csv by hand into {self.folder}") from None

    def read(self) -> Records:
        self.fetch()
        rec = super().read()
        if rec.class_names != ["1", "2", "3", "4"]:
            raise ConfigError("dataset.root", self.folder, "holds a train.csv whose classes are not AG News' 1-4")
        rec.class_names = list(CLASSES)
        return rec
