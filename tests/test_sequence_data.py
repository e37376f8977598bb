"""Sequence tasks, tokeniser and text data sets, each read from small files written here."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
import torch
from conftest import make_cfg
from hydra.utils import instantiate

from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.data.names import cache_dir
from aa.data.tokenize import PAD_ID, UNK_ID, Vocabulary, characters, with_ngrams, words


def data(overrides: list[str]):
    """The data module a run with these overrides would train on (an LSTM reads every one)."""
    cfg = make_cfg(["model=lstm", *overrides])
    validate(cfg)
    dm = instantiate(cfg.dataset, seed=cfg.seed)
    dm.setup()
    return dm


def test_adding_problem_marks_one_value_in_each_half_and_sums_them():
    dm = data(["dataset=adding", "dataset.length=40", "dataset.n_samples=3000"])
    x = torch.cat([dm.x_train, dm.x_val, dm.x_test])
    y = torch.cat([dm.y_train, dm.y_val, dm.y_test])
    assert x.shape == (3000, 40, 2) and dm.input_shape == (40, 2) and dm.num_outputs == 1
    markers = x[:, :, 1]
    assert torch.equal(markers[:, :20].sum(1), torch.ones(3000))
    assert torch.equal(markers[:, 20:].sum(1), torch.ones(3000))
    assert torch.allclose(y, (x[:, :, 0] * markers).sum(1))
    assert dm.task == "regression"
    assert abs(((y - 1.0) ** 2).mean().item() - 1 / 6) < 0.01  # the constant-prediction baseline


@pytest.mark.slow
def test_sequence_tasks_are_generated_from_the_seed():
    a = data(["dataset=adding", "dataset.n_samples=100", "seed=1"])
    b = data(["dataset=adding", "dataset.n_samples=100", "seed=1"])
    c = data(["dataset=adding", "dataset.n_samples=100", "seed=2"])
    assert torch.equal(a.x_train, b.x_train) and not torch.equal(a.x_train, c.x_train)


def test_copy_task_recalls_the_symbols_after_the_delimiter():
    dm = data(["dataset=copy", "dataset.length=3", "dataset.delay=6", "dataset.alphabet=4",
               "dataset.n_samples=50"])
    x, y = dm.x_train, dm.y_train
    steps = 3 + 6 + 3
    assert x.shape[1:] == (steps, 4 + 2) and y.shape[1:] == (steps,)
    assert dm.class_names == ["blank", "1", "2", "3", "4"] and dm.num_outputs == 5
    symbols = x.argmax(2)
    assert torch.equal(y[:, -3:], symbols[:, :3])
    assert (y[:, :-3] == 0).all()
    assert (symbols[:, 3 + 6 - 1] == 5).all()  # the delimiter, one step before the recall
    assert (symbols[:, 3:3 + 6 - 1] == 0).all() and (symbols[:, -3:] == 0).all()


@pytest.mark.slow
def test_parity_labels_the_count_of_ones_modulo_two():
    dm = data(["dataset=parity", "dataset.length=7", "dataset.n_samples=200"])
    assert torch.equal(dm.y_train, dm.x_train.squeeze(2).sum(1).long() % 2)
    run = data(["dataset=parity", "dataset.length=7", "dataset.n_samples=200", "dataset.per_step=true"])
    assert torch.equal(run.y_train, run.x_train.squeeze(2).long().cumsum(1) % 2)


def test_tokenisers_split_words_punctuation_and_characters():
    assert words("Wall St. Bears Claw Back\\Into the Black (Reuters)") == [
        "wall", "st", ".", "bears", "claw", "back", "into", "the", "black", "(", "reuters", ")"]
    assert words("it's 3 o'clock") == ["it's", "3", "o'clock"]
    assert with_ngrams(["a", "b", "c"], 2) == ["a", "b", "c", "a b", "b c"]
    assert characters("Müller") == ["M", "ü", "l", "l", "e", "r"]


def test_vocabulary_reserves_padding_and_unknown_and_pads_right():
    vocab = Vocabulary.build([["b", "a", "b"], ["c"]], min_freq=1)
    assert vocab.itos[:2] == ["<pad>", "<unk>"] and (PAD_ID, UNK_ID) == (0, 1)
    assert vocab.itos[2] == "b"  # most frequent first
    ids = vocab.encode([["b", "zzz"], ["a", "b", "c", "a"], []], max_length=3)
    assert ids.tolist() == [[2, UNK_ID, 0], [3, 2, 4], [UNK_ID, 0, 0]]
    assert Vocabulary.build([["b", "a", "b"]], min_freq=2).itos == ["<pad>", "<unk>", "b"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] | None = None, delimiter: str = ",") -> str:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=delimiter)
        if header:
            w.writerow(header)
        w.writerows(rows)
    return str(path)


def test_text_csv_builds_the_vocabulary_from_the_training_split_only(tmp_path):
    rows = [["pos" if i % 2 else "neg", f"common word{i}"] for i in range(40)]
    path = write_csv(tmp_path / "t.tsv", rows, ["label", "text"], delimiter="\t")
    dm = data(["dataset=text_csv", f"dataset.path={path}", "dataset.val_fraction=0.25",
               "dataset.test_fraction=0.25"])
    assert dm.class_names == ["neg", "pos"]
    assert (len(dm.y_train), len(dm.y_val), len(dm.y_test)) == (20, 10, 10)
    # each "word<i>" occurs once, so words of the held-out texts are unknown to the vocabulary
    assert len(dm.vocab) == 2 + 1 + 20
    assert (dm.x_test[:, 1] == UNK_ID).all() and (dm.x_train[:, 1] > UNK_ID).all()
    assert dm.input_shape == (2, len(dm.vocab)) and dm.test_texts[0].startswith("common")


def test_text_csv_reads_a_headerless_file_with_a_separate_test_file(tmp_path):
    train = write_csv(tmp_path / "train.csv", [["2", "t", "b"], ["10", "t", "c"], ["2", "x", "y"]] * 4)
    test = write_csv(tmp_path / "test.csv", [["10", "t", "c"]])
    dm = data(["dataset=text_csv", f"dataset.path={train}", f"dataset.test_path={test}",
               "dataset.columns=[y,title,body]", "dataset.label_column=y", "dataset.text_columns=[title,body]"])
    assert dm.class_names == ["2", "10"]  # integer labels in numeric order
    assert dm.y_test.tolist() == [1] and len(dm.y_train) + len(dm.y_val) == 12
    assert dm.vocab.decode(dm.x_test[0]) == "t c"


def test_text_csv_names_a_missing_column(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["a", "b"]], ["category", "text"])
    with pytest.raises(ConfigError, match="label"):
        data(["dataset=text_csv", f"dataset.path={path}"])


def write_ag_news(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    topics = ["war talks minister", "match goal season", "stocks profit market", "software chip space"]
    for name, count in (("train.csv", n), ("test.csv", n // 4)):
        rows = [[str(i % 4 + 1), f"Title {topics[i % 4]}", f"Some \\text, about {topics[i % 4]}."]
                for i in range(count)]
        with open(folder / name, "w", newline="") as f:
            csv.writer(f, quoting=csv.QUOTE_ALL).writerows(rows)


@pytest.mark.slow
def test_ag_news_reads_the_public_csv_format_with_its_official_test_split(tmp_path):
    write_ag_news(tmp_path / "ag_news", 40)
    dm = data(["dataset=ag_news", f"dataset.root={tmp_path}", "dataset.download=false",
               "dataset.val_fraction=0.25", "dataset.ngrams=2"])
    assert dm.class_names == ["World", "Sports", "Business", "Sci/Tech"]
    assert (len(dm.y_train), len(dm.y_val), len(dm.y_test)) == (30, 10, 10)
    assert "war talks" in dm.vocab.stoi  # bigrams
    assert dm.test_texts[0] == "Title war talks minister Some \\text, about war talks minister."


def test_ag_news_absent_without_download_names_the_folder(tmp_path):
    with pytest.raises(ConfigError, match="dataset.download=true"):
        data(["dataset=ag_news", f"dataset.root={tmp_path}", "dataset.download=false"])


def write_names(root: Path, per_country: int, table: dict[str, list[str]]) -> None:
    folder = Path(cache_dir(str(root), per_country))
    folder.mkdir(parents=True)
    for country, names in table.items():
        (folder / f"{country}.txt").write_text("\n".join(names) + "\n", encoding="utf-8")


def test_names_reads_the_cached_per_country_table(tmp_path):
    write_names(tmp_path, 4, {"ES": ["García", "López", "Pérez", "Ruiz"], "PL": ["Nowak", "Wójcik", "Mazur", "Kowalski"],
                              "JP": ["Sato", "Ito", "Kato", "Abe"]})
    dm = data(["dataset=names", f"dataset.root={tmp_path}", "dataset.names_per_country=4",
               "dataset.countries=[PL,ES]", "dataset.val_fraction=0.25", "dataset.test_fraction=0.25"])
    assert dm.class_names == ["PL", "ES"] and len(dm.y_train) + len(dm.y_val) + len(dm.y_test) == 8
    everything = {dm.decode(r) for x in (dm.x_train, dm.x_val, dm.x_test) for r in x if UNK_ID not in r}
    assert everything <= {"García", "López", "Pérez", "Ruiz", "Nowak", "Wójcik", "Mazur", "Kowalski"}


def test_names_refuses_a_country_the_table_lacks_and_lists_those_it_has(tmp_path):
    write_names(tmp_path, 2, {"ES": ["A", "B"], "FR": ["C", "D"]})
    with pytest.raises(ConfigError, match="dataset.countries='XX'.*ES, FR"):
        data(["dataset=names", f"dataset.root={tmp_path}", "dataset.names_per_country=2",
              "dataset.countries=[ES,XX]"])


def test_names_without_cache_or_package_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "names_dataset", None)  # as if the optional extra were absent
    with pytest.raises(ConfigError, match=r"pip install 'aa\[names\]'"):
        data(["dataset=names", f"dataset.root={tmp_path}"])
