"""Bad input that needs only the config and the file system is refused before torch loads: misspelt
groups, unknown code in _target_, zero sizes and empty lists, missing folders, files and columns."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_cfg


def refuse(overrides: list[str]) -> str:
    from aa.base.errors import ConfigError
    from aa.config.validate import validate

    with pytest.raises(ConfigError) as info:
        validate(make_cfg(overrides))
    return str(info.value)


def cli(args: list[str]) -> tuple[int, str, bool]:
    """aa.entry.train.main in a fresh interpreter: (exit code, output, whether torch was imported)."""
    code = ("import sys\nfrom aa.entry.train import main\nsys.argv = ['aa-train', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    print('EXIT', e.code, 'torch' in sys.modules)\n")
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    last = [ln for ln in out.splitlines() if ln.startswith("EXIT")][-1].split()
    return int(last[1]), out, last[2] == "True"


def test_misspelt_group_gets_aa_format_with_nearest_name(tmp_path: Path) -> None:
    code, out, torch_loaded = cli(["modle=cnn", f"hydra.run.dir={tmp_path}/r"])
    assert code == 2 and not torch_loaded
    assert "Invalid config: modle='cnn'" in out and "(did you mean model" in out
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_model_data_mismatch_names_the_option_typed() -> None:
    assert "model='lenet5'" in refuse(["model=lenet5", "dataset=playground"])
    assert "model='resnet34'" in refuse(["model=resnet34", "dataset=playground"])


@pytest.mark.slow
def test_unknown_target_refused_before_torch(tmp_path: Path) -> None:
    code, out, torch_loaded = cli(["model._target_=os.system", f"hydra.run.dir={tmp_path}/r"])
    assert code == 2 and not torch_loaded and "Traceback" not in out
    assert "model._target_='os.system'" in out and "allow_targets" in out
    assert not (tmp_path / "r").exists()


def test_targets_deep_in_a_node_are_checked_too() -> None:
    assert "os.remove" in refuse(["+model.extra={_target_: os.remove}"])


def test_allow_targets_opts_a_module_in() -> None:
    from aa.config.targets import check_targets

    data = {"model": {"_target_": "mypkg.nets.Net"}, "allow_targets": ["mypkg"]}
    check_targets(data)  # opted in: no error
    data["allow_targets"] = ["mypkgx"]
    with pytest.raises(Exception, match="mypkg.nets.Net"):
        check_targets(data)


@pytest.mark.parametrize("override,key", [
    ("model.hidden=[0]", "model.hidden[0]"),
    ("model.hidden=[64,-3]", "model.hidden[1]"),
    ("batch.size=0", "batch.size"),
    ("model=gcn dataset=karate model.hidden=[0]", "model.hidden[0]"),
    ("model=gat dataset=karate model.hidden=[8,-1]", "model.hidden[1]"),
    ("model=vae model.hidden=[0]", "model.hidden[0]"),
    ("model=maskrcnn dataset=shapes model.mask_head_channels=[0]", "model.mask_head_channels[0]"),
])
def test_zero_and_negative_sizes_are_refused(override: str, key: str) -> None:
    assert f"{key}=" in refuse(override.split())


@pytest.mark.slow
def test_zero_width_and_empty_conv_lists_are_refused() -> None:
    assert "model.hidden[0]" in refuse(["model=cnn", "model.hidden=[0]"])
    assert "is empty" in refuse(["model=cnn", "model.blocks=[]"])


@pytest.mark.slow
def test_missing_image_folder_and_layout(tmp_path: Path) -> None:
    assert "is not a folder" in refuse(["model=lenet5", "dataset=image_folder", f"dataset.root={tmp_path}/none"])
    (tmp_path / "imgs" / "train" / "a").mkdir(parents=True)
    assert "no val/ subfolder" in refuse(["model=lenet5", "dataset=image_folder", f"dataset.root={tmp_path}/imgs"])


@pytest.mark.slow
def test_text_csv_missing_file_and_column(tmp_path: Path) -> None:
    base = ["dataset=text_csv", "model=embedding_bag"]
    assert "does not exist" in refuse([*base, f"dataset.path={tmp_path}/none.csv"])
    (tmp_path / "t.csv").write_text("label,body\nx,hello\n")
    msg = refuse([*base, f"dataset.path={tmp_path}/t.csv"])
    assert "dataset.text_columns='text'" in msg and "label, body" in msg


@pytest.mark.slow
def test_table_missing_target_column(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("a,b,y\n1,2,3\n")
    msg = refuse(["dataset=table", f"dataset.path={tmp_path}/t.csv", "dataset.target=label"])
    assert "dataset.target='label'" in msg and "a, b, y" in msg


@pytest.mark.slow
def test_missing_weights_file(tmp_path: Path) -> None:
    msg = refuse(["model=resnet18", "model.pretrained=true", f"model.weights_path={tmp_path}/w.pth"])
    assert "model.weights_path" in msg and "does not exist" in msg


@pytest.mark.parametrize("text, extra, words", [
    ("a,b,y\n", [], ["dataset.path=", "header row but no data rows"]),
    ("a,b,y\n1,2,x\n3,,y\n", [], ["missing value in column 'b' on line 3", "dataset.missing=drop"]),
    ("a,b,y\n1,2,3.5\n3,4,heavy\n", ["dataset=table_regression"], ["dataset.task='regression'", "'heavy' on line 3"]),
])
def test_a_tables_file_problems_are_refused_before_torch(tmp_path: Path, text: str, extra: list[str],
                                                        words: list[str]) -> None:
    """Checks that need only the file run with the config: one paragraph, exit 2, torch never imported."""
    (tmp_path / "t.csv").write_text(text)
    code, out, torch_loaded = cli(["dataset=table", *extra, f"dataset.path={tmp_path}/t.csv", "dataset.target=y",
                                   f"hydra.run.dir={tmp_path}/run"])
    assert code == 2 and not torch_loaded and "Traceback" not in out, out
    assert all(w in out for w in words), out
    assert not (tmp_path / "run").exists()
