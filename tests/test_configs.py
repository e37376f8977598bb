"""Every config option composes and validates (alone, or with the partner it names below), the
refusals of impossible combinations name the fitting options, and the configs travel inside the wheel."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import make_cfg
from omegaconf import OmegaConf

from aa.base.errors import ConfigError
from aa.config.paths import config_dir, config_groups, group_options
from aa.config.schema import SCHEMAS
from aa.config.validate import optional_groups, validate


def _user_files() -> tuple[str, str, str, str, str]:
    """An image tree, a text CSV, a table, sentence pairs and a COCO folder on disk: their options' paths
    are checked with the config."""
    import json
    import tempfile
    from pathlib import Path

    from PIL import Image

    root = Path(tempfile.mkdtemp(prefix="aa-configs-"))
    for split in ("train", "val"):
        (root / "imgs" / split / "a").mkdir(parents=True)
    (root / "reviews.csv").write_text("label,text\npos,good\n")
    (root / "table.csv").write_text("x,label\n1,a\n")
    (root / "pairs.tsv").write_text("go\tva\nstop\tarrete\n")
    (root / "coco").mkdir()
    Image.new("RGB", (32, 32)).save(root / "coco" / "0.png")
    coco = {"images": [{"id": 1, "file_name": "0.png", "width": 32, "height": 32}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [4, 4, 10, 10], "area": 100,
                             "iscrowd": 0, "segmentation": [[4, 4, 14, 4, 14, 14, 4, 14]]}],
            "categories": [{"id": 1, "name": "box"}]}
    (root / "coco.json").write_text(json.dumps(coco))
    (root / "clips" / "train" / "a" / "c0").mkdir(parents=True)
    (root / "clips" / "val").mkdir()
    for sub in ("images", "masks"):
        (root / "seg" / sub).mkdir(parents=True)
        Image.new("L", (8, 8)).save(root / "seg" / sub / "0.png")
    return (str(root / "imgs"), str(root / "reviews.csv"), str(root / "table.csv"), str(root / "pairs.tsv"),
            str(root / "coco"))


IMAGE_ROOT, TEXT_CSV, TABLE_CSV, PAIRS_TSV, COCO_ROOT = _user_files()
CONLL = os.path.join(os.path.dirname(IMAGE_ROOT), "ner.conll")
with open(CONLL, "w") as _f:
    _f.write("Ana B-PER\nruns O\n")
LINES = os.path.join(os.path.dirname(IMAGE_ROOT), "lines")  # the schema reads transcripts.txt and checks its files
os.makedirs(LINES, exist_ok=True)
with open(os.path.join(LINES, "transcripts.txt"), "w") as _f:
    _f.write("a.png 12\n")
with open(os.path.join(LINES, "a.png"), "w") as _f:
    _f.write("")
HF_ROOT = os.path.join(os.path.dirname(IMAGE_ROOT), "hf")
os.makedirs(HF_ROOT, exist_ok=True)
with open(os.path.join(HF_ROOT, "config.json"), "w") as _f:  # the schema checks the folder, not the weights
    _f.write("{}")
SEGMENTATION_ROOT = str(Path(COCO_ROOT).parent / "seg")
TEACHER = f"distill.teacher={config_dir() / 'train.yaml'}"  # the schema checks the file exists

SKIP = {"experiment", "debug", "launcher", "hparams_search", "callbacks", "logger", "hydra", "optim_d"}
OPTIONS = [(g, o) for g in config_groups() if g not in SKIP for o in group_options(g)]
# Options that cannot run alone on the default digits MLP, with the partner that makes them valid. A new
# option that needs a partner adds it here; every other option must validate as it is.
IMAGES, TOKENS, SEQUENCES = ["dataset=mnist", "model=cnn"], ["dataset=ag_news", "model=embedding_bag"], ["dataset=adding"]
PARTNERS = {
    **{("augmentation", a): IMAGES for a in ("color", "crop", "flip", "noise", "rotate")},
    **{("augmentation", a): TOKENS for a in ("delete", "insert", "substitute")},
    **{("dataset", d): ["model=lstm"] for d in ("adding", "copy", "parity", "names")},
    ("dataset", "ag_news"): ["model=embedding_bag"],
    ("dataset", "image_folder"): [f"dataset.root={IMAGE_ROOT}", "model=cnn"],
    ("dataset", "text_csv"): [f"dataset.path={TEXT_CSV}", "model=embedding_bag"],
    ("dataset", "table"): [f"dataset.path={TABLE_CSV}", "dataset.target=label"],
    ("dataset", "table_regression"): [f"dataset.path={TABLE_CSV}", "dataset.target=x"],
    **{("model", m): SEQUENCES for m in ("rnn", "lstm", "gru")},
    **{("model", m): TOKENS[:1] for m in ("embedding_bag", "text_rnn")},
    ("objective", "regression"): ["dataset=function"],
    ("dataset", "mixture"): ["model=gan"],
    ("dataset", "corpus"): [f"dataset.path={config_dir() / 'train.yaml'}", "model=word2vec"],
    **{("dataset", d): ["model=word2vec"] for d in ("grammar", "lee", "text8")},
    ("dataset", "grammar_topics"): ["model=text_rnn"],
    ("dataset", "planetoid"): ["dataset.download=true", "model=gcn"],
    **{(g, o): ["dataset=grammar", "model=word2vec"] for g, o in (("model", "word2vec"), ("objective", "word2vec"),
                                                                 ("loss", "negative_sampling"))},
    **{("model", m): ["dataset=karate"] for m in ("gcn", "gat", "graphsage")},
    **{(g, o): ["model=seq2seq", "dataset=reverse"] for g, o in (("objective", "seq2seq"), ("decode", "greedy"),
                                                                ("decode", "beam"))},
    **{("model", m): ["dataset=reverse"] for m in ("seq2seq", "transformer")},
    **{("model", m): ["dataset=tomita"] for m in ("transformer_encoder", "second_order_rnn", "char_generator")},
    **{("dataset", d): ["model=seq2seq"] for d in ("reverse", "sort", "addition", "dates")},
    ("dataset", "tomita"): ["model=second_order_rnn"],
    ("dataset", "text_pairs"): ["model=seq2seq", f"dataset.path={PAIRS_TSV}"],
    **{(g, o): ["model=maskrcnn"] for g, o in (("dataset", "shapes"), ("dataset", "penn_fudan"),
                                               ("objective", "detection"))},
    ("dataset", "coco"): ["model=maskrcnn", f"dataset.root={COCO_ROOT}", f"dataset.annotations={COCO_ROOT}.json"],
    ("distill", "kd"): [TEACHER],
    **{(g, o): ["model=crnn", "dataset=digit_strings"] for g, o in (("model", "crnn"), ("objective", "ctc"))},
    **{("dataset", d): ["model=crnn"] for d in ("digit_strings", "dtmf")},
    **{("dataset", d): ["model=crnn", f"dataset.root={LINES}"] for d in ("line_images", "audio_folder")},
    **{(g, o): ["model=gpt", "dataset=text_file", f"dataset.path={config_dir() / 'train.yaml'}"]
       for g, o in (("model", "gpt"), ("objective", "language_model"), ("dataset", "text_file"))},
    **{(g, o): ["model=tagger", "dataset=grammar_entities"] for g, o in (("model", "tagger"), ("objective", "tagging"))},
    ("dataset", "grammar_entities"): ["model=tagger"],
    ("dataset", "conll"): ["model=tagger", f"dataset.path={CONLL}"],
    ("model", "bert"): ["dataset=grammar_topics"],
    ("model", "hf"): ["dataset=grammar_topics", f"model.path={HF_ROOT}"],
    ("dataset", "segmentation_folder"): [f"dataset.root={SEGMENTATION_ROOT}", "model=unet"],
    **{("dataset", d): [f"model={m}"] for d, m in (("shapes_segmentation", "unet"), ("superres", "espcn"),
                                                   ("moving_digits", "cnn_lstm"))},
    ("objective", "segmentation"): ["model=unet"],
    ("dataset", "video_folder"): [f"dataset.root={Path(COCO_ROOT).parent / 'clips'}", "model=cnn_lstm"],
    ("objective", "restoration"): ["model=espcn"],
    **{("dataset", d): ["model=unet"] for d in ("penn_fudan_segmentation", "voc_segmentation")},
}
DEFAULT_GROUPS = {next(iter(d)) for d in OmegaConf.to_container(OmegaConf.load(config_dir() / "train.yaml").defaults)
                  if isinstance(d, dict)}
MODEL_GROUPS = {"decode"}  # groups a model config brings in its defaults list (seq2seq, transformer)
RECIPES_NEED = {"transfer_hymenoptera": [f"dataset.root={IMAGE_ROOT}"], "distill_digits": [TEACHER]}  # experiment: its data path


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
    added = group in optional_groups() and group not in DEFAULT_GROUPS and group not in MODEL_GROUPS
    choice = f"+{group}={option}" if added else f"{group}={option}"  # a family's own group
    validate(make_cfg([choice, *PARTNERS.get((group, option), [])]))


NEEDED = sorted(k for k in PARTNERS if k[0] not in MODEL_GROUPS)  # decode alone: Hydra has no such group yet


@pytest.mark.slow
@pytest.mark.parametrize("group,option", NEEDED, ids=[f"{g}={o}" for g, o in NEEDED])
def test_partners_are_needed(group: str, option: str) -> None:
    """Each partner above is there because the option alone is refused, naming the key and the fitting choices."""
    with pytest.raises(ConfigError) as e:
        validate(make_cfg([f"{group}={option}"]))
    assert "Valid choices" in str(e.value) or "is required" in str(e.value)


@pytest.mark.slow
@pytest.mark.parametrize("overrides, message", [
    (["model=lstm"], r"model='lstm': cannot read the vector/image inputs of this dataset \(dataset=digits gives vector/image; "
                     r"model=lstm needs sequence/tokens\)\. Valid choices: "
                     r"models for this dataset: alexnet, autoencoder, cgan, cnn, .*mlp, perceptron"),
    (["dataset=adding"], r"model='mlp': cannot read the sequence inputs .* models for this dataset: gru, lstm, rnn"),
    (["dataset=ag_news", "model=cnn"], r"model='cnn': cannot read the tokens inputs .* embedding_bag, gru, hf, lstm"),
])
def test_a_model_that_cannot_read_the_dataset_is_refused_naming_the_models_that_can(overrides, message) -> None:
    with pytest.raises(ConfigError, match=message) as e:
        validate(make_cfg(overrides))
    assert e.value.key == "model"


@pytest.mark.parametrize("overrides, message", [
    (["augmentation=flip"], r"augmentation='flip': transforms image data, but this run feeds vector data\. "
                            r"Valid choices: for vector data: none"),
    (["augmentation=[flip]", "dataset=mnist"], r"'flip': transforms image data, but this run feeds vector data"),
    (["augmentation=rotate", "dataset=ag_news", "model=embedding_bag"],
     r"augmentation='rotate': transforms image data, .* feeds tokens data\. Valid choices: for tokens data: "
     r"delete, insert, substitute"),
    (["augmentation=delete", "dataset=mnist", "model=cnn"],
     r"'delete': transforms tokens data, .* feeds image data\. Valid choices: for image data: color, crop, flip"),
])
def test_an_augmentation_that_cannot_transform_the_served_input_is_refused(overrides, message) -> None:
    """MNIST served to an MLP is a vector: image augmentation only where a model reads images."""
    with pytest.raises(ConfigError, match=message) as e:
        validate(make_cfg(overrides))
    assert e.value.key == "augmentation"


@pytest.mark.slow
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
                         env={"PYTHONPATH": str(target), "PATH": ""}, timeout=120).stdout.strip()
    assert out == str(target / "aa" / "configs")


@pytest.mark.parametrize("name", group_options("experiment"))
def test_every_experiment_composes_and_validates(name: str) -> None:
    validate(make_cfg([f"experiment={name}", *RECIPES_NEED.get(name, [])]))
    if name in RECIPES_NEED:
        with pytest.raises(ConfigError, match="is required"):
            validate(make_cfg([f"experiment={name}"]))


# The parameter counts that experiment headers claim, checked against the models the configs build.
CLAIMS = [("cnn_vs_mlp", ["model=mlp"], "mlp [128] 9,610 parameters", 9_610),
          ("cnn_vs_mlp", ["model=cnn"], "cnn [16, 32 channels] 6,090 parameters", 6_090),
          ("lenet5_mnist", [], "61,706 parameters", 61_706)]


@pytest.mark.parametrize("name, choice, claim, count", CLAIMS, ids=[f"{n} {' '.join(c)}" for n, c, _, _ in CLAIMS])
def test_parameter_counts_in_experiment_headers_are_those_of_the_built_models(name, choice, claim, count) -> None:
    from conftest import build, make_model

    assert claim in (config_dir() / "experiment" / f"{name}.yaml").read_text()
    overrides = [f"experiment={name}", *choice]
    if name == "lenet5_mnist":  # MNIST is not on disk here: build for the 32x32 field the header names
        model = make_model(overrides, (1, 32, 32), 10)
    else:
        model = build(overrides)[2].model
    assert sum(p.numel() for p in model.parameters()) == count
