"""The written contracts: every data module of configs/dataset/ is a DataModule and states its facts;
each declares exactly the optional capabilities it has; generative nets, graph networks and
objectives provide what figures, aa-sample and the callbacks configs count on."""
from __future__ import annotations

import pytest
import torch
from conftest import build, make_cfg, make_model
from hydra.utils import get_class
from omegaconf import OmegaConf

from aa.config.paths import config_dir, group_options
from aa.data.contract import (DataModule, Decodes, EpochUpdates, FlagsInputs, InMemory, KnownDensity, KnownTarget,
                              OnDevice,
                              ReadsInputs, TargetUnits, TestTexts, ValInputs)
from aa.generative.parts import split_model
from aa.models.contract import Encoder, Generator, NodeEmbedder, Sampler
from aa.task.classification import Classification
from aa.task.objective import Objective, WithLoss

CAPABILITIES = (ValInputs, InMemory, Decodes, TestTexts, ReadsInputs, FlagsInputs, OnDevice, EpochUpdates,
                KnownDensity, KnownTarget, TargetUnits)
TASKS = {"classification", "regression", "seq2seq", "embedding", "detection", "mixture", "recognition",
         "language_model", "tagging", "segmentation", "restoration"}
TENSORS = {ValInputs, InMemory, OnDevice, EpochUpdates}  # every TensorDataModule once set up


def target_class(group: str, option: str) -> type:
    """The class an option file names, through the options it extends (table_regression: table)."""
    node = OmegaConf.load(config_dir() / group / f"{option}.yaml")
    if "_target_" in node:
        return get_class(node._target_)
    parent = next(d for d in node.defaults if isinstance(d, str) and d != "_self_")
    return target_class(group, parent)


@pytest.mark.parametrize("name", group_options("dataset"))
def test_every_dataset_config_names_a_data_module_that_states_its_shape_and_outputs(name: str) -> None:
    cls = target_class("dataset", name)
    assert issubclass(cls, DataModule)
    assert cls.input_shape is not DataModule.input_shape and cls.num_outputs is not DataModule.num_outputs
    assert cls.task in TASKS and cls.kinds


# Cheap, generated or shipped with a library: set up for real, in the run's own way (build_data).
BUILT = [
    (["dataset=digits"], TENSORS),
    (["dataset=playground", "dataset.n_samples=60"], TENSORS),
    (["dataset=regions", "dataset.n_samples=60"], TENSORS),
    (["dataset=mixture", "dataset.n_samples=60", "model=gan"], TENSORS | {KnownDensity}),
    (["dataset=function", "dataset.n_samples=60"], TENSORS | {KnownTarget}),
    (["dataset=diabetes"], TENSORS | {TargetUnits}),
    (["dataset=tomita", "model=rnn"], TENSORS | {Decodes}),
    (["dataset=grammar_topics", "dataset.n_test=20", "model=embedding_bag"], TENSORS | {Decodes, TestTexts}),
    (["dataset=reverse", "dataset.n_samples=60", "model=seq2seq"], TENSORS | {ReadsInputs, FlagsInputs}),
    (["dataset=adding", "dataset.n_samples=60", "model=lstm"], TENSORS),
    (["dataset=digit_strings", "dataset.n_train=20", "dataset.n_val=5", "dataset.n_test=5", "model=crnn"], TENSORS),
    (["dataset=dtmf", "dataset.n_train=10", "dataset.n_val=5", "dataset.n_test=5", "model=crnn"], TENSORS),
    (["dataset=grammar_entities", "dataset.n_train=20", "dataset.n_val=5", "dataset.n_test=5", "model=tagger"],
     TENSORS | {Decodes}),
    (["dataset=text_file", f"dataset.path={config_dir() / 'train.yaml'}", "dataset.block_size=8", "model=gpt"],
     TENSORS | {Decodes}),
    (["dataset=karate", "model=gcn"], {OnDevice}),
    (["dataset=sbm", "dataset.block_size=20", "model=gcn"], {OnDevice}),
    (["dataset=grammar", "dataset.n_sentences=200", "model=word2vec"], {ValInputs, OnDevice}),
    (["dataset=shapes", "dataset.n_train=2", "dataset.n_val=1", "dataset.n_test=1", "model=maskrcnn"], set()),
    (["dataset=shapes_segmentation", "dataset.n_samples=20", "model=unet"], TENSORS),
    (["dataset=superres", "dataset.n_samples=20", "model=espcn"], TENSORS),
    (["dataset=moving_digits", "dataset.n_clips=30", "model=cnn_lstm"], TENSORS),
]


@pytest.mark.parametrize("overrides, capabilities", BUILT, ids=[o[0] for o, _ in BUILT])
def test_a_set_up_data_module_keeps_its_contract(overrides: list[str], capabilities: set) -> None:
    from aa.run.build import build_data

    dm = build_data(make_cfg(overrides))
    assert isinstance(dm, DataModule)
    assert {p for p in CAPABILITIES if isinstance(dm, p)} == capabilities
    shape, outputs = dm.input_shape, dm.num_outputs
    assert isinstance(shape, tuple) and shape and all(isinstance(d, int) and d > 0 for d in shape)
    assert isinstance(outputs, int) and outputs > 0
    assert dm.task in TASKS and dm.input_kind in dm.kinds and dm.test_split == "test"
    if dm.task in ("classification", "detection"):
        assert len(dm.class_names) == outputs
    if isinstance(dm, InMemory):
        assert dm.train_size() == len(dm.y_train) == len(dm.x_train) > 0
        assert dm.x_val.shape[1:] == dm.x_train.shape[1:]
    else:
        assert dm.train_size() is None
    assert isinstance(dm.model_args(), dict)
    ledger = dm.accounting()  # every run says what it used of each split, and where each split came from
    assert all(ledger[s]["samples"] > 0 for s in ("train", "val", "test")) and ledger["unit"], ledger
    assert set(ledger["sources"]) == {"train", "val", "test"}, ledger


def test_only_file_readers_read_inputs_to_predict() -> None:
    readers = {name for name in group_options("dataset") if issubclass(target_class("dataset", name), ReadsInputs)}
    assert readers == {"image_folder", "table", "table_regression", "reverse", "sort", "addition", "dates",
                       "text_pairs"}


def test_the_input_kind_is_the_served_one_else_the_usual_one() -> None:
    from aa.data.digits import DigitsData
    from aa.data.shapes import ShapesData

    assert DigitsData().input_kind == "vector" and DigitsData(input_kind="image").input_kind == "image"
    assert ShapesData().input_kind == "detection"


GENERATIVE = [("model=vae", {Generator, Sampler, Encoder}), ("model=gan", {Generator, Sampler}),
              ("model=autoencoder", {Generator, Encoder}), ("model=mlp", set())]


@pytest.mark.parametrize("choice, provides", GENERATIVE, ids=[c for c, _ in GENERATIVE])
def test_generative_nets_provide_what_their_figures_and_aa_sample_use(choice: str, provides: set) -> None:
    net = split_model(make_model([choice], (1, 8, 8), 3))[1]
    assert {p for p in (Generator, Sampler, Encoder) if isinstance(net, p)} == provides
    if Generator in provides:
        z = torch.randn(2, net.latent)
        assert net.render(z, None).shape == (2, 1, 8, 8) and net.classes == 0


def test_graph_networks_embed_their_nodes_and_other_nets_do_not() -> None:
    assert isinstance(make_model(["dataset=karate", "model=gcn"], (34,), 2), NodeEmbedder)
    assert not isinstance(make_model(["dataset=karate", "model=mlp"], (34,), 2), NodeEmbedder)


@pytest.mark.parametrize("name", group_options("objective"))
def test_every_objective_states_its_task_and_metric(name: str) -> None:
    cls = target_class("objective", name)
    assert issubclass(cls, Objective) and cls.step is not Objective.step
    assert isinstance(cls.task, str) and isinstance(cls.metric, str) and cls.metric


def test_the_objectives_that_add_the_confusion_matrix_count_one() -> None:
    adders = {name for name in group_options("objective")
              if any("confusion_matrix" in str(d) for d in OmegaConf.load(config_dir() / "objective" / f"{name}.yaml")
                     .get("defaults", []))}
    assert adders == {name for name in group_options("objective")
                      if issubclass(target_class("objective", name), Classification)}


def test_figures_that_predict_find_the_loss_of_supervised_objectives_only() -> None:
    _, _, supervised = build(["dataset=playground", "dataset.n_samples=60"])
    _, _, autoencoder = build(["dataset=playground", "dataset.n_samples=60", "model=autoencoder"])
    assert isinstance(supervised.objective, WithLoss) and supervised.loss is supervised.objective.loss
    assert not isinstance(autoencoder.objective, WithLoss) and autoencoder.loss is None
