"""The generated sequence tasks are what they claim, the pairs loader keeps a training-only
vocabulary, and bad options are refused with one paragraph before training."""
from __future__ import annotations

import datetime
import re
import subprocess
import sys

import pytest
import torch
from conftest import aa_train, make_cfg, refused

from aa.config.validate import validate
from aa.data.seq2seq_tasks import EOS_ID, AdditionData, DatesData, ReverseData, SortData
from aa.data.text_pairs import TextPairsData
from aa.data.tomita import GRAMMARS, TomitaData, accepts

TOMITA_REGEX = {1: r"1*", 2: r"(10)*", 4: r"(?!.*000).*", 7: r"0*1*0*1*"}


def pairs(data):
    data.setup()
    return [(data.decode_source(x), data.decode_target(y)) for x, y in zip(data.x_train, data.y_train)]


def test_reverse_sort_and_addition_targets_are_right():
    assert all(t == s[::-1] for s, t in pairs(ReverseData(n_samples=50, length=6, min_length=2, seed=1)))
    assert all(t == "".join(sorted(s)) for s, t in pairs(SortData(n_samples=50, length=6, seed=1)))
    for s, t in pairs(AdditionData(n_samples=200, digits=3, seed=1)):
        a, b = s.split("+")
        assert int(t) == int(a) + int(b) and len(a) <= 3
    rev = AdditionData(n_samples=20, digits=2, reverse_input=True, seed=1)
    assert all(int(t) == sum(map(int, s[::-1].split("+"))) for s, t in pairs(rev))


def test_dates_map_several_human_formats_to_iso():
    data = pairs(DatesData(n_samples=300, seed=2))
    assert len({re.sub(r"\d", "9", s.lower()) for s, _ in data}) >= 8  # several formats
    for s, t in data:
        day = datetime.date.fromisoformat(t)
        assert str(day.year)[-2:] in s and 1950 <= day.year <= 2049


def test_targets_end_with_the_end_token():
    data = ReverseData(n_samples=30, length=4, min_length=1, seed=0)
    data.setup()
    lengths = (data.y_train != 0).sum(1)
    assert (data.y_train[torch.arange(len(lengths)), lengths - 1] == EOS_ID).all()


@pytest.mark.parametrize("grammar", sorted(GRAMMARS))
def test_tomita_labels_follow_the_grammar_and_test_strings_are_longer(grammar):
    data = TomitaData(grammar=grammar, per_length=40, seed=3)
    data.setup()
    for x, y in [(data.x_train, data.y_train), (data.x_test, data.y_test)]:
        for row, label in zip(x, y.tolist()):
            text = data.decode(row)
            assert accepts(grammar, text) == bool(label)
            if grammar in TOMITA_REGEX:
                assert bool(re.fullmatch(TOMITA_REGEX[grammar], text)) == bool(label)
    assert (data.x_train != 0).sum(1).max() <= 10 and (data.x_test != 0).sum(1).min() >= 11
    assert 0.3 <= data.y_test.float().mean() <= 0.7


def test_text_pairs_vocabulary_comes_from_the_training_split_only(tmp_path):
    train = tmp_path / "train.tsv"
    train.write_text("".join(f"go {w} .\tva {w} !\tCC-BY attribution\n" for w in ["home", "now", "away"] * 5))
    test = tmp_path / "test.tsv"
    test.write_text("go zebra .\tva zebra !\n")
    data = TextPairsData(path=str(train), test_path=str(test), val_fraction=0.2, seed=0)
    data.setup()
    assert "zebra" not in data.src_vocab.stoi and "zebra" not in data.tgt_vocab.stoi
    assert data.decode_source(data.x_test[0]) == "go <unk> ."
    assert data.decode_target(data.y_test[0]) == "va <unk> !"
    assert "attribution" not in data.tgt_vocab.stoi  # the third column is ignored


@pytest.mark.parametrize("args,pattern", [
    (["decode.strategy=beam", "decode.beam_size=0"], r"decode.beam_size=0.*>= 1"),
    (["model.attention=sideways"], r"model.attention='sideways'.*none, additive, multiplicative"),
    (["dataset=text_pairs", "dataset.path=/nonexistent/pairs.tsv"], r"dataset.path=.*is not a file"),
], ids=["beam_size_0", "unknown_attention", "missing_file"])
def test_bad_options_are_refused_before_training(args, pattern):
    refused(lambda: validate(make_cfg(["model=seq2seq", "dataset=reverse", *args])), pattern)


@pytest.mark.slow
def test_a_tsv_without_two_columns_is_refused(tmp_path):
    bad = tmp_path / "one_column.tsv"
    bad.write_text("just one sentence per line\nand another\n")
    refused(lambda: validate(make_cfg(["model=seq2seq", "dataset=text_pairs", f"dataset.path={bad}"])),
            r"not a two-column TSV")
    half = tmp_path / "half.tsv"
    half.write_text("go .\tva !\nno tab here\nhi .\tsalut .\nnor here\n")
    refused(lambda: TextPairsData(path=str(half)).setup(), r"line 2 .*no tab")
    refused(lambda: validate(make_cfg(["model=seq2seq", "dataset=text_pairs", f"dataset.path={half}"])),
            r"line 2 \('no tab here'\) has no tab .*\(2 such lines\)")  # before torch: every line, not the first


@pytest.mark.slow
def test_the_command_line_refuses_a_beam_of_zero_with_exit_2_and_no_run(tmp_path):
    out = aa_train("model=seq2seq", "dataset=reverse", "decode.strategy=beam", "decode.beam_size=0",
                   f"hydra.run.dir={tmp_path / 'run'}", timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "decode.beam_size=0" in out.stderr and not (tmp_path / "run").exists()


@pytest.mark.slow
def test_seq2seq_models_are_refused_on_classification_data():
    refused(lambda: validate(make_cfg(["model=seq2seq", "dataset=digits"])), r"objective.*seq2seq")


@pytest.mark.slow
def test_decode_options_for_a_model_that_does_not_decode_are_refused_before_torch(tmp_path):
    """decode=beam with the default MLP: Hydra cannot place it; aa-train names the options that decode."""
    code = ("import sys\nfrom aa.entry.train import main\nsys.argv = ['aa-train', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    print('EXIT', e.code, 'torch' in sys.modules)\n")
    p = subprocess.run([sys.executable, "-c", code, "decode=beam", f"hydra.run.dir={tmp_path / 'run'}"],
                       capture_output=True, text=True, timeout=120)
    assert p.stdout.strip().splitlines()[-1] == "EXIT 2 False"
    assert p.stderr.strip().count("\n") == 0 and "Traceback" not in p.stderr
    assert "decode='beam'" in p.stderr and "model=seq2seq, model=transformer" in p.stderr
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_a_decode_key_for_a_model_that_does_not_decode_is_refused(tmp_path, capsys, monkeypatch):
    from aa.entry.train import main

    monkeypatch.setattr(sys, "argv", ["aa-train", "decode.beam_size=2", f"hydra.run.dir={tmp_path / 'run'}"])
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.startswith("Invalid config: decode.beam_size='2': no option chosen")
    assert "model=transformer" in err and not (tmp_path / "run").exists()


def test_a_decode_group_appended_to_a_classification_run_is_refused():
    refused(lambda: validate(make_cfg(["+decode=beam"])), r"decode='beam': serves seq2seq data.*classification")
