"""Every run says what data it used: per split the samples, what was dropped, truncated, imputed or mapped
to unknown (with the reason) and where the split came from; a length limit that would drop more than 1 %
of the pairs is refused naming the longest pair and the option."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from aa.base.errors import ConfigError
from aa.data.text_pairs import TextPairsData


def reversal_pairs(path: Path, n: int = 300, longest: int = 30, seed: int = 0) -> Path:
    rng = random.Random(seed)
    with open(path, "w") as f:
        for _ in range(n):
            words = [rng.choice("abcdefgh") for _ in range(rng.randint(4, longest))]
            f.write(f"{' '.join(words)}\t{' '.join(reversed(words))}\n")
    return path


def test_every_pair_is_kept_by_default_and_counted_per_split(tmp_path: Path) -> None:
    data = TextPairsData(path=str(reversal_pairs(tmp_path / "p.tsv")), seed=0)
    data.setup()
    report = data.accounting()
    assert report["unit"] == "pairs"
    assert [report[s]["samples"] for s in ("train", "val", "test")] == [240, 30, 30]
    assert "dropped" not in report.get("file", {}) and report["changes"] == []
    assert data.x_train.shape[1] == 30 or data.x_val.shape[1] == 30 or data.x_test.shape[1] == 30
    assert "held out" in report["sources"]["test"] and "seed 0" in report["sources"]["test"]


def test_a_limit_that_drops_over_one_percent_is_refused_naming_the_longest_pair(tmp_path: Path) -> None:
    path = reversal_pairs(tmp_path / "p.tsv")
    lengths = [len(line.split("\t")[0].split()) for line in path.read_text().splitlines()]
    longest = max(range(len(lengths)), key=lengths.__getitem__)
    with pytest.raises(ConfigError) as refused:
        TextPairsData(path=str(path), max_length=10).setup()
    text = str(refused.value)
    assert "dataset.max_length=10" in text and f"line {longest + 1}" in text and "dataset.drop_longer=true" in text
    assert f"{sum(n > 10 for n in lengths):,} of the 300 pairs" in text


def test_an_explicit_drop_is_counted_with_its_reason(tmp_path: Path) -> None:
    path = reversal_pairs(tmp_path / "p.tsv")
    over = sum(len(line.split("\t")[0].split()) > 10 for line in path.read_text().splitlines())
    data = TextPairsData(path=str(path), max_length=10, drop_longer=True)
    data.setup()
    report = data.accounting()
    assert report["file"]["dropped"] == over and sum(report[s]["samples"] for s in ("train", "val", "test")) == 300 - over
    assert any(f"{over:,} pairs longer than dataset.max_length=10" in c for c in report["changes"])


def test_one_percent_or_less_is_dropped_and_counted_without_asking(tmp_path: Path) -> None:
    path = reversal_pairs(tmp_path / "p.tsv", n=200, longest=8)
    with open(path, "a") as f:
        f.write(" ".join("a" * 1 for _ in range(40)) + "\t" + " ".join("b" for _ in range(40)) + "\n")
    data = TextPairsData(path=str(path), max_length=8)
    data.setup()
    assert data.accounting()["file"]["dropped"] == 1


def test_unseen_test_tokens_are_counted_as_unknown(tmp_path: Path) -> None:
    train = tmp_path / "train.tsv"
    train.write_text("".join(f"go {w} .\tva {w} !\n" for w in ["home", "now", "away"] * 5))
    test = tmp_path / "test.tsv"
    test.write_text("go zebra .\tva zebra !\ngo 42 41 .\tva 42 !\n")
    data = TextPairsData(path=str(train), test_path=str(test), val_fraction=0.2, seed=0)
    data.setup()
    report = data.accounting()
    assert report["test"] == {"samples": 2, "unknown": 3 + 2}  # source: zebra, 42, 41; target: zebra, 42
    assert report["sources"]["test"] == "dataset.test_path"


@pytest.mark.slow
def test_a_run_writes_its_ledger_to_metrics_summary_and_tensorboard(tmp_path: Path, run, capsys) -> None:
    from conftest import Events

    path = reversal_pairs(tmp_path / "p.tsv", n=120, longest=6)
    m = run(["model=seq2seq", "dataset=text_pairs", f"dataset.path={path}", "trainer.max_epochs=1"], "r")
    saved = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert saved["data"]["test"]["samples"] == 12 == m["data"]["test"]["samples"]
    out = capsys.readouterr().out
    assert "data: train 96, val 12, test 12 pairs" in out and "test from 10% of the pairs, held out" in out
    assert "data/text_summary" in Events(tmp_path / "r").tags("tensors")


def test_a_small_corpus_still_holds_out_a_val_and_a_test_sentence(tmp_path: Path) -> None:
    """Two percent of five sentences is none; each held-out split still gets one sentence of its own."""
    from aa.data.corpus import CorpusData

    path = tmp_path / "five.txt"
    path.write_text("".join(f"the cat sat on mat number {i}\n" for i in range(5)))
    dm = CorpusData(path=str(path), min_count=1, seed=3)
    dm.setup()
    report = dm.accounting()
    counts = {part: (report[part]["samples"], report[part]["dropped"]) for part in ("train", "val", "test")}
    assert counts == {"train": (21, 0), "val": (6, 1), "test": (6, 1)}  # each held-out number is unseen


def test_a_corpus_too_small_to_hold_out_is_refused(tmp_path: Path) -> None:
    from aa.data.corpus import CorpusData

    path = tmp_path / "two.txt"
    path.write_text("the cat sat\non the mat\n")
    with pytest.raises(ConfigError, match="2 sentence"):
        CorpusData(path=str(path), min_count=1).setup()
