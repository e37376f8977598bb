"""Every model with every dataset, as ``aa-train model=M dataset=D debug=fast`` composes them: each pair is
either refused by the checks aa-train runs before torch (one ConfigError paragraph) or trains a few batches
and tests to the end in-process. Datasets read from disk get tiny files in their real formats (data_files)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from conftest import make_cfg
from data_files import (write_ag_news, write_cifar, write_coco_boxes, write_conll, write_corpus, write_csv,
                        write_dtmf_wavs, write_image_folder, write_line_images, write_mnist, write_pairs,
                        write_penn_fudan, write_planetoid, write_segmentation_folder, write_surnames, write_text8,
                        write_tiny_hf, write_topics, write_video_folder, write_voc)

from aa.base.errors import ConfigError
from aa.config.paths import group_options
from aa.config.validate import validate

pytestmark = pytest.mark.usefixtures("one_thread")

MODELS, DATASETS = group_options("model"), group_options("dataset")


def _table(root: Path) -> Path:
    rows = [[i % 7 * 0.5, (i * 3) % 5, "ab"[i % 2], "yes" if i % 3 else "no"] for i in range(40)]
    return write_csv(root / "table.csv", ["a", "b", "kind", "y"], rows)


def _table_numeric(root: Path) -> Path:
    return write_csv(root / "numbers.csv", ["a", "b", "y"], [[i % 7, i % 5, i % 7 + 2 * (i % 5)] for i in range(40)])


# The models of each family; a dataset trains the families it lists in TRAINS, and refuses every other model.
VECTOR, GENERATIVE, GRAPH = {"mlp", "perceptron"}, {"autoencoder", "vae", "gan", "cgan"}, {"gat", "gcn", "graphsage"}
IMAGE = {"alexnet", "cnn", "inception_v1", "lenet5", "resnet18", "resnet34", "resnet50", "vgg11", "vgg13", "vgg16",
         "vgg19", "vit"}
SEQUENCE = {"gru", "lstm", "rnn"}
TEXT = SEQUENCE | {"bert", "char_generator", "hf", "embedding_bag", "second_order_rnn", "text_rnn", "transformer_encoder"}
SEQ2SEQ, DETECTION, EMBEDDING = {"seq2seq", "transformer"}, {"fasterrcnn", "maskrcnn"}, {"word2vec"}
IMAGES = VECTOR | IMAGE | GENERATIVE
SEGMENTATION, SUPERRES, VIDEO = {"unet", "fcn", "deeplabv3"}, {"espcn", "srcnn"}, {"cnn_lstm", "r3d"}
TRAINS: dict[str, set[str]] = {
    **dict.fromkeys(["cifar10", "cifar100", "digits", "fashion_mnist", "mnist"], IMAGES),
    "image_folder": IMAGE | GENERATIVE,
    **dict.fromkeys(["playground", "regions", "table"], VECTOR | GENERATIVE),
    **dict.fromkeys(["function", "diabetes", "table_regression"], VECTOR),
    "mixture": {"gan", "cgan"},
    **dict.fromkeys(["karate", "sbm", "planetoid"], VECTOR | GRAPH | GENERATIVE),
    **dict.fromkeys(["adding", "copy", "parity"], SEQUENCE),
    **dict.fromkeys(["ag_news", "grammar_topics", "names", "text_csv", "tomita"], TEXT),
    **dict.fromkeys(["addition", "dates", "reverse", "sort", "text_pairs"], SEQ2SEQ),
    **dict.fromkeys(["coco", "penn_fudan", "shapes"], DETECTION),
    **dict.fromkeys(["corpus", "grammar", "lee", "text8"], EMBEDDING | {"bert", "gpt"}),
    **dict.fromkeys(["digit_strings", "dtmf", "line_images", "audio_folder"], {"crnn"}),
    "text_file": {"bert", "gpt"},
    **dict.fromkeys(["conll", "grammar_entities"], {"tagger"}),
    **dict.fromkeys(["shapes_segmentation", "segmentation_folder"], SEGMENTATION),
    **dict.fromkeys(["penn_fudan_segmentation", "voc_segmentation"], SEGMENTATION),
    "superres": SUPERRES,
    "moving_digits": VIDEO,
    "video_folder": VIDEO,
}

# The overrides that point each disk-reading dataset at files written under ``root`` (shared by all pairs).
FILES: dict[str, Callable[[Path], list[str]]] = {
    "mnist": lambda r: [f"dataset.root={write_mnist(r / 'mnist', n_train=40, n_test=20)}", "dataset.download=false"],
    "fashion_mnist": lambda r: [f"dataset.root={write_mnist(r / 'fashion', 'FashionMNIST', 40, 20, True)}",
                                "dataset.download=false"],
    "cifar10": lambda r: [f"dataset.root={write_cifar(r / 'cifar10', per_batch=8, n_test=20)}",
                          "dataset.download=false"],
    "cifar100": lambda r: [f"dataset.root={write_cifar(r / 'cifar100', True, per_batch=40, n_test=20)}",
                           "dataset.download=false"],
    "image_folder": lambda r: [f"dataset.root={write_image_folder(r / 'folder', {'train': 6, 'val': 3})}",
                               "dataset.workers=0"],
    "coco": lambda r: [f"dataset.annotations={write_coco_boxes(r / 'coco')}", f"dataset.root={r / 'coco' / 'images'}"],
    "penn_fudan": lambda r: [f"dataset.root={write_penn_fudan(r / 'penn')}", "dataset.workers=0",
                             "dataset.image_size=64"],
    "planetoid": lambda r: [f"dataset.root={write_planetoid(r / 'planetoid')}"],
    "text_pairs": lambda r: [f"dataset.path={write_pairs(r / 'pairs.tsv')}"],
    "text_csv": lambda r: [f"dataset.path={write_topics(r / 'topics.csv', 40)}"],
    "corpus": lambda r: [f"dataset.path={write_corpus(r / 'corpus.txt')}"],
    "text8": lambda r: [f"dataset.root={write_text8(r / 'text8')}", "dataset.download=false"],
    "ag_news": lambda r: [f"dataset.root={write_ag_news(r / 'ag_news')}", "dataset.download=false"],
    "names": lambda r: [f"dataset.root={write_surnames(r / 'names', 20)}", "dataset.names_per_country=20",
                        "dataset.countries=[JP,PL,IT]"],
    "table": lambda r: [f"dataset.path={_table(r)}", "dataset.target=y"],
    "table_regression": lambda r: [f"dataset.path={_table_numeric(r)}", "dataset.target=y"],
    "line_images": lambda r: [f"dataset.root={write_line_images(r / 'lines', n=12)}"],
    "audio_folder": lambda r: [f"dataset.root={write_dtmf_wavs(r / 'wavs', n=12)}", "dataset.sample_rate=8000"],
    "conll": lambda r: [f"dataset.path={write_conll(r / 'ner.conll')}"],
    "text_file": lambda r: [f"dataset.path={write_corpus(r / 'story.txt')}", "dataset.block_size=8"],
    "segmentation_folder": lambda r: [f"dataset.root={write_segmentation_folder(r / 'seg', {'train': 6, 'val': 2})}"],
    "video_folder": lambda r: [f"dataset.root={write_video_folder(r / 'clips', {'train': 4, 'val': 2})}",
                               "dataset.frames=4", "dataset.image_size=16"],
    "penn_fudan_segmentation": lambda r: [f"dataset.root={write_penn_fudan(r / 'penn_seg')}", "dataset.image_size=32"],
    "voc_segmentation": lambda r: [f"dataset.root={write_voc(r / 'voc')}", "dataset.image_size=32"],
}


# Built-in data sets shrunk to a few batches, so that a pair that trains costs about a second; image batches
# of 4 and a gradient probe of 4 samples keep the large vision nets (ResNet-50, Inception) to a few seconds
# (batch norm still sees 4 x H x W values a channel); the model graph, a trace of the whole net that does not
# depend on the data set (tests/test_model_graph.py), is left to the pairs of other data.
IMAGE_DATA = ["cifar10", "cifar100", "digits", "fashion_mnist", "image_folder", "mnist"]
LIGHT = ["batch.size=4", "callbacks.gradient_stats.probe_size=4", "callbacks.model_graph=null"]
SMALL: dict[str, list[str]] = {
    "shapes": ["dataset.image_size=48", "dataset.n_train=8", "dataset.n_val=4", "dataset.n_test=4"],
    "mixture": ["dataset.n_samples=200"], "regions": ["dataset.n_samples=200"],
    "playground": ["dataset.n_samples=200"], "function": ["dataset.n_samples=200"],
    "adding": ["dataset.n_samples=200"], "copy": ["dataset.n_samples=200"], "parity": ["dataset.n_samples=200"],
    "grammar": ["dataset.n_sentences=300"], "tomita": ["dataset.per_length=20"], "sbm": ["dataset.block_size=20"],
    "grammar_topics": ["dataset.n_test=50"],
    "digit_strings": ["dataset.n_train=40", "dataset.n_val=8", "dataset.n_test=8"],
    "grammar_entities": ["dataset.n_train=40", "dataset.n_val=10", "dataset.n_test=10"],
    "dtmf": ["dataset.n_train=20", "dataset.n_val=6", "dataset.n_test=6"], "digits": ["dataset.val_fraction=0.05", "dataset.test_fraction=0.05"],
    "shapes_segmentation": ["dataset.n_samples=30"], "superres": ["dataset.n_samples=30"],
    "moving_digits": ["dataset.n_clips=60"],
}

# Detectors with few proposals and detections: an untrained RPN's thousand boxes make NMS the cost of a test.
DETECTOR = ["model.rpn_pre_nms_top_n_train=50", "model.rpn_post_nms_top_n_train=50", "model.rpn_pre_nms_top_n_test=50",
            "model.rpn_post_nms_top_n_test=50", "model.box_detections_per_img=10", "model.fpn_channels=32"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each dataset's overrides, its files written once for the whole matrix."""
    root = tmp_path_factory.mktemp("matrix_data")
    given = {**SMALL, **{name: write(root) for name, write in FILES.items()}}
    models = {"model=hf": [f"model.path={write_tiny_hf(root / 'tiny_hf')}"]}  # a checkpoint folder of its own
    return {**models, **{name: [*given.get(name, []), *(LIGHT if name in IMAGE_DATA else [])] for name in DATASETS}}


@pytest.fixture(autouse=True)
def own_cache(files: dict[str, list[str]], tmp_path_factory: pytest.TempPathFactory,
              monkeypatch: pytest.MonkeyPatch) -> None:
    """Reference classifiers of the generative pairs cached for this matrix only, shared by its pairs."""
    monkeypatch.setenv("AA_CACHE", str(tmp_path_factory.getbasetemp() / "matrix_cache"))


def outcome(model: str, dataset: str, files: dict[str, list[str]], run_dir: Path) -> str:
    """'refused: MESSAGE' when the pre-torch checks refuse the pair, 'trained' when it trains and tests."""
    from aa.run.train import train

    small = DETECTOR if model in DETECTION else files.get(f"model={model}", [])
    cfg = make_cfg([f"model={model}", f"dataset={dataset}", "debug=fast", *small, *files.get(dataset, [])])
    try:
        validate(cfg)
    except ConfigError as e:
        return f"refused: {e}"
    metrics = train(cfg, str(run_dir))
    data = metrics["data"]  # every run says what it used of each split and where each split came from
    measured = ("train", "val", "test") if metrics["test_split"] is not None else ("train", "val")
    missing = [s for s in measured if data.get(s, {}).get("samples", 0) <= 0 or s not in (data.get("sources") or {})]
    assert not missing, f"model={model} dataset={dataset}: no count or source for {missing}: {data}"
    return "trained"


def test_every_model_and_dataset_has_an_expected_outcome() -> None:
    assert set(TRAINS) == set(DATASETS), set(TRAINS) ^ set(DATASETS)
    assert set().union(*TRAINS.values()) == set(MODELS), set().union(*TRAINS.values()) ^ set(MODELS)


@pytest.mark.slow
@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("model", MODELS)
def test_pair_is_refused_before_torch_or_trains(model: str, dataset: str, files, tmp_path: Path) -> None:
    """Refused with one paragraph naming the model, or trained and tested, as TRAINS expects."""
    try:
        result = outcome(model, dataset, files, tmp_path)
    except Exception as e:  # the failure this matrix exists to catch: a traceback after training started
        pytest.fail(f"model={model} dataset={dataset}: neither refused before torch nor trained: "
                    f"{type(e).__name__}: {e}")
    expected = "trained" if model in TRAINS[dataset] else "refused"
    assert result.split(":")[0] == expected, f"model={model} dataset={dataset}: expected {expected}, got {result}"
    if expected == "refused":
        assert "\n" not in result and "Valid choices: " in result, result
