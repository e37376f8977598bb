"""aa-predict on a sequence-to-sequence run: a file of sources in, decoded outputs out (greedy or beam,
the same decoding the run's val/test use), sources with tokens outside the training vocabulary flagged per
row and counted."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest


@pytest.mark.slow
def test_sources_are_decoded_greedy_and_beam_and_unknown_tokens_flagged(tmp_path: Path, run, capsys) -> None:
    from aa.decode.search import Decoder
    from aa.entry.predict import main as predict
    from aa.run.load import load_run

    run(["model=seq2seq", "dataset=reverse", "dataset.n_samples=400", "trainer.max_epochs=1"], "s2s")
    (tmp_path / "src.txt").write_text("abcdef\n\nhgfe\n3 1 4\n")
    restored = load_run(str(tmp_path / "s2s"))
    dm, task = restored.data, restored.task
    names, x = dm.read_inputs(str(tmp_path / "src.txt"))
    assert names == ["1", "3", "4"]  # line numbers; the empty line is skipped
    for strategy in ("greedy", "beam"):
        out = tmp_path / f"{strategy}.csv"
        predict([f"ckpt={tmp_path / 's2s'}", f"input={tmp_path / 'src.txt'}", f"output={out}",
                 f"decode.strategy={strategy}"])
        rows = list(csv.DictReader(open(out)))
        task.objective.decoder = Decoder(strategy=strategy)
        task.eval()
        expected = [dm.decode_target(r) for r in task.objective.decode(task.model, x).tokens]
        assert [r["prediction"] for r in rows] == expected and all(expected), (rows, expected)
        assert [r["source"] for r in rows] == ["abcdef", "hgfe", "<unk>" * 5]
        assert rows[0]["flags"] == "" and rows[2]["flags"].startswith("5 unknown source token(s): '3', ' '")
        assert "1 of 3 rows" in capsys.readouterr().out
