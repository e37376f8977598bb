"""``aa-train --help GROUP`` states the values a run uses: every key it prints is the value Hydra composes
for the same command line, and it loads no torch."""
from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import aa_train
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from aa.config.help import group_help, help_topic, show
from aa.config.paths import config_dir

def composed(argv: list[str]):
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return compose(config_name="train", overrides=argv)


@pytest.mark.parametrize("group, argv", [("model", []), ("optim", []), ("model", ["model=vae"]),
                                         ("trainer", ["model=resnet18"]), ("objective", ["model=gan"]),
                                         ("callbacks", ["model=vae"]), ("scheduler", ["model=resnet18", "debug=fast"]),
                                         ("dataset", ["dataset=addition"]), ("model", ["experiment=gan_ring"])])
def test_each_printed_key_states_the_composed_value(group: str, argv: list[str]) -> None:
    """What the help text says, key by key, is the composed config's value (model.hidden: [128])."""
    node = OmegaConf.to_container(composed(argv)[group], resolve=False)
    lines = group_help(group, argv).splitlines()
    for key, value in node.items():
        line = next(line for line in lines if line.startswith(f"  {key}: "))
        assert line.startswith(f"  {key}: {show(value)}") and line[len(f"  {key}: {show(value)}"):][:1] in ("", " ")


def test_aa_train_help_model_prints_the_models_hidden_widths() -> None:
    out = aa_train("--help", "model", timeout=60).stdout
    assert "mlp*" in out and "model=mlp:" in out
    assert f"  hidden: {show(list(composed([]).model.hidden))} " in out


def test_help_model_vae_shows_the_vae_and_its_training_settings_under_objective() -> None:
    text = group_help("model", ["model=vae"])
    assert "model=vae:" in text and "  latent: 20" in text and "beta" not in text.split("model=vae:")[1]
    assert "  beta: 1.0" in group_help("objective", ["model=vae"])


def test_the_topic_is_the_group_named_after_help() -> None:
    assert help_topic(["--help", "model"]) == "model"
    assert help_topic(["--help", "model=vae"]) == "model"
    assert help_topic(["--help", "trainer", "model=resnet18"]) == "trainer"
    assert help_topic(["--help"]) is None and help_topic(["--help", "nonsense"]) is None


def test_help_group_imports_no_torch() -> None:
    probe = ("import sys; sys.argv = ['aa-train', '--help', 'trainer', 'model=resnet18']\n"
             "from aa.entry.train import main\nmain()\n"
             "print('HEAVY:', sorted(m for m in ('torch', 'pytorch_lightning') if m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "max_epochs: 20" in p.stdout and p.stdout.strip().splitlines()[-1] == "HEAVY: []", p.stdout + p.stderr


@pytest.mark.parametrize("argv", [["debug=fast"], ["recipe=small_images"], ["experiment=gan_ring"]])
def test_a_global_presets_help_lists_the_values_it_sets_in_the_run(argv: list[str]) -> None:
    group = argv[0].split("=")[0]
    cfg, text = composed(argv), group_help(group, argv)
    sets = [line[2:].split(": ", 1) for line in text.split("sets:")[1].splitlines() if line.startswith("  ")]
    assert len(sets) >= 1
    for key, stated in sets:
        value = OmegaConf.select(cfg, key)
        assert show(OmegaConf.to_container(value) if OmegaConf.is_config(value) else value) == stated, key


def test_help_for_a_missing_option_says_so() -> None:
    assert group_help("model", ["model=mpl"]).endswith("There is no model option named 'mpl'.")
    assert "no model option" not in group_help("model", ["model=mlp"])
