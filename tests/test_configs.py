"""Every config option composes and validates; the configs travel inside the wheel."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from omegaconf import OmegaConf

from aa.config.paths import config_dir, config_groups, group_options
from aa.config.schema import SCHEMAS
from aa.config.validate import validate
from conftest import make_cfg

SKIP = {"experiment", "debug", "launcher", "hparams_search", "callbacks", "logger", "hydra"}
OPTIONS = [(g, o) for g in config_groups() if g not in SKIP for o in group_options(g)]


def _targets(node):
    if isinstance(node, dict):
        if "_target_" in node:
            yield node["_target_"]
        for v in node.values():
            yield from _targets(v)


@pytest.mark.parametrize("group,option", OPTIONS, ids=[f"{g}={o}" for g, o in OPTIONS])
def test_every_option_has_a_schema(group: str, option: str) -> None:
    node = OmegaConf.to_container(OmegaConf.load(config_dir() / group / f"{option}.yaml"))
    for target in _targets(node or {}):
        assert target in SCHEMAS or not target.startswith("aa."), f"{group}/{option}: no schema for {target}"


@pytest.mark.parametrize("group,option", OPTIONS, ids=[f"{g}={o}" for g, o in OPTIONS])
def test_every_option_composes_and_validates(group: str, option: str) -> None:
    overrides = [f"{group}={option}"]
    try:
        validate(make_cfg(overrides))
    except Exception as e:  # an option may need a partner (a data path, a fitting model)
        assert "Valid choices" in str(e) or "is required" in str(e), e


def test_wheel_carries_the_configs(tmp_path) -> None:
    root = config_dir().parent
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(root)], check=True, timeout=300)
    wheel = next(tmp_path.glob("aa-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "aa/configs/train.yaml" in names
    assert "aa/configs/model/mlp.yaml" in names and "aa/configs/experiment/deep_residual.yaml" in names
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = "from aa.config.paths import config_dir; print(config_dir())"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(target), "PATH": ""}).stdout.strip()
    assert out == str(target / "aa" / "configs")


@pytest.mark.parametrize("name", group_options("experiment"))
def test_every_experiment_composes_and_validates(name: str) -> None:
    try:
        validate(make_cfg([f"experiment={name}"]))
    except Exception as e:  # a recipe may need its data path on the command line
        assert "is required" in str(e), e
