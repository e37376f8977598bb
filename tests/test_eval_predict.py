"""aa-eval tests a saved run's checkpoint and writes metrics.json; aa-predict writes one row per input
(tables, vectors, images); both refuse bad arguments like aa-train (one paragraph, exit 2)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import torch
from conftest import aa_train


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("run")
    p = aa_train("trainer.max_epochs=3", "callbacks.gradient_stats=null", f"hydra.run.dir={run}")
    assert p.returncode == 0, p.stderr[-2000:]
    return run


@pytest.mark.slow
def test_eval_reproduces_the_runs_test_metrics(digits_run: Path) -> None:
    from aa.entry.eval import main

    main([f"ckpt={digits_run}"])
    ours = json.loads((digits_run / "eval" / "best-test" / "metrics.json").read_text())
    theirs = json.loads((digits_run / "metrics.json").read_text())
    assert ours["test"]["acc"] == pytest.approx(theirs["test"]["acc"], abs=1e-6)
    assert ours["checkpoint"].endswith("best.ckpt")


@pytest.mark.slow
def test_a_checkpoint_moved_out_of_its_run_carries_its_config(digits_run: Path, tmp_path: Path) -> None:
    import shutil

    from aa.entry.eval import main

    alone = tmp_path / "shared" / "digits.ckpt"
    alone.parent.mkdir()
    shutil.copyfile(digits_run / "checkpoints" / "best.ckpt", alone)
    assert torch.load(alone, weights_only=True)["aa_overrides"] == ["trainer.max_epochs=3",
                                                                    "callbacks.gradient_stats=null"]
    main([f"ckpt={alone}"])
    ours = json.loads((tmp_path / "shared" / "eval" / "digits-test" / "metrics.json").read_text())
    assert ours["test"] == json.loads((digits_run / "metrics.json").read_text())["test"]


@pytest.mark.slow
def test_each_evaluation_keeps_its_own_results(digits_run: Path) -> None:
    from aa.entry.eval import main

    main([f"ckpt={digits_run}/checkpoints/last.ckpt", "split=val"])
    main([f"ckpt={digits_run}/checkpoints/last.ckpt", "split=val", "dataset.val_fraction=0.3"])
    plain, changed = (json.loads((digits_run / "eval" / name / "metrics.json").read_text())
                      for name in ("last-val", "last-val,dataset.val_fraction=0.3"))
    assert plain["overrides"] == [] and changed["overrides"] == ["dataset.val_fraction=0.3"]
    assert plain["val"]["loss"] != changed["val"]["loss"]  # another split, another loss: neither file overwrote the other


@pytest.mark.slow
@pytest.mark.parametrize("args,words", [
    (["model.hidden=[64]"], ["overrides='model.hidden=[64]'", "do not fit", "other shape: model."]),
    (["dataset.standardize=false"], ["overrides='dataset.standardize=false'", "missing: model.", "unexpected: model."]),
    (["ckpt=torn"], ["torn.ckpt'", "is not a checkpoint aa-train wrote, or it is damaged"]),
])
def test_weights_that_cannot_load_are_one_paragraph(digits_run: Path, capsys, args: list[str], words: list[str]) -> None:
    from aa.entry.eval import main

    whole = (digits_run / "checkpoints" / "last.ckpt").read_bytes()
    (digits_run / "checkpoints" / "torn.ckpt").write_bytes(whole[:len(whole) // 2])  # a write cut off half way
    ckpt = [f"ckpt={digits_run}/checkpoints/torn.ckpt"] if args == ["ckpt=torn"] else [f"ckpt={digits_run}"]
    with pytest.raises(SystemExit) as info:
        main([*ckpt, *(a for a in args if not a.startswith("ckpt="))])
    err = capsys.readouterr().err
    assert info.value.code == 2 and all(w in err for w in words) and "Traceback" not in err, err


@pytest.mark.slow
def test_eval_on_val_of_a_checkpoint_file(digits_run: Path, tmp_path: Path) -> None:
    from aa.entry.eval import main

    main([f"ckpt={digits_run}/checkpoints/last.ckpt", "split=val", f"output={tmp_path}"])
    assert 0.5 < json.loads((tmp_path / "metrics.json").read_text())["val"]["acc"] <= 1


@pytest.mark.slow
def test_predict_vectors_one_row_each(digits_run: Path, tmp_path: Path) -> None:
    from sklearn.datasets import load_digits

    from aa.entry.predict import main

    d = load_digits()
    (tmp_path / "in.csv").write_text("\n".join(",".join(str(v / 16) for v in row) for row in d.data[:25]))
    main([f"ckpt={digits_run}", f"input={tmp_path}/in.csv", f"output={tmp_path}/out.csv"])
    rows = list(csv.DictReader(open(tmp_path / "out.csv")))
    assert len(rows) == 25 and set(rows[0]) >= {"input", "prediction", "probability", "p_0", "p_9"}
    right = sum(r["prediction"] == str(t) for r, t in zip(rows, d.target[:25]))
    assert right >= 20


@pytest.mark.slow
def test_predict_output_makes_its_folder_and_refuses_a_folder(digits_run: Path, tmp_path: Path, capsys) -> None:
    from aa.entry.predict import main

    (tmp_path / "in.csv").write_text("\n".join(",".join(["0.5"] * 64) for _ in range(3)))
    main([f"ckpt={digits_run}", f"input={tmp_path}/in.csv", f"output={tmp_path}/new/deeper/p.csv"])
    assert len((tmp_path / "new" / "deeper" / "p.csv").read_text().splitlines()) == 4
    assert [p.name for p in (tmp_path / "new" / "deeper").iterdir()] == ["p.csv"]  # no temporary file left
    with pytest.raises(SystemExit) as info:
        main([f"ckpt={digits_run}", f"input={tmp_path}/in.csv", f"output={tmp_path}/new"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "is a folder" in err and "predictions.csv" in err, err


@pytest.mark.parametrize("args,words", [
    (["ckpt=/nonexistent/run"], ["ckpt='/nonexistent/run'", "does not exist"]),
    ([], ["ckpt is required"]),
    (["ckpt=x", "split=train"], ["split='train'", "test, val"]),
    (["ckpt=x", "modle=cnn"], ["modle", "model"]),
])
def test_bad_arguments_are_one_paragraph(capsys, args: list[str], words: list[str]) -> None:
    from aa.entry.eval import main

    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2 and all(w in err for w in words), err


@pytest.mark.slow
def test_predict_images_class_and_probability(tmp_path: Path) -> None:
    from PIL import Image

    from aa.entry.predict import main

    for split, n in (("train", 10), ("val", 4)):
        for c, col in (("red", (220, 30, 30)), ("blue", (30, 30, 220))):
            (tmp_path / "imgs" / split / c).mkdir(parents=True)
            for i in range(n):
                Image.new("RGB", (16, 16), col).save(tmp_path / "imgs" / split / c / f"{i}.png")
    run = tmp_path / "run"
    p = aa_train("model=cnn", "dataset=image_folder", f"dataset.root={tmp_path}/imgs", "dataset.workers=0",
                 "trainer.max_epochs=8", "batch.size=4", f"hydra.run.dir={run}")
    assert p.returncode == 0, p.stderr[-2000:]
    assert "no test/ folder" in p.stdout + p.stderr
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["test_split"] == "test"  # held out of train/: 2 of each class's 10 images
    assert metrics["data"]["test"]["samples"] == 4 and metrics["data"]["train"]["samples"] == 16
    assert "held out" in metrics["data"]["sources"]["test"]
    main([f"ckpt={run}", f"input={tmp_path}/imgs/val", f"output={tmp_path}/p.csv"])
    rows = list(csv.DictReader(open(tmp_path / "p.csv")))
    assert len(rows) == 8 and all(r["prediction"] == Path(r["input"]).parent.name for r in rows)


@pytest.mark.parametrize("content", [b"junk\n", b"\x80\x02K\x01."])
def test_a_file_that_is_no_checkpoint_is_one_paragraph(tmp_path: Path, capsys, content: bytes) -> None:
    from aa.entry.eval import main

    (tmp_path / "x.ckpt").write_bytes(content)  # foreign bytes; a pickled int
    with pytest.raises(SystemExit) as info:
        main([f"ckpt={tmp_path}/x.ckpt"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "x.ckpt'" in err and "is not a checkpoint aa-train wrote" in err, err
