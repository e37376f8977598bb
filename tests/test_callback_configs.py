"""Each family's config adds the figures it needs; callbacks/default.yaml holds only what every run gets.

Composed only (no torch): the callback set of every objective/data/model family, switching one off
with callbacks.NAME=null, and aa-train's key check knowing the keys a family adds."""
from __future__ import annotations

import pytest
from conftest import make_cfg

from aa.base.errors import ConfigError
from aa.config.command_line import compose

EVERY_RUN = {"model_checkpoint", "lr_monitor", "gradient_stats", "model_summary", "model_graph", "input_rate"}
CLASSIFYING = {"confusion_matrix", "sample_predictions"}

FAMILIES = [
    ([], CLASSIFYING),                                                   # digits, mlp, classification
    (["dataset=playground"], CLASSIFYING | {"decision_boundary"}),
    (["dataset=regions"], CLASSIFYING | {"decision_boundary"}),
    (["dataset=table"], CLASSIFYING | {"decision_boundary"}),
    # table_regression extends table: the decision boundary is there but draws only for classification data
    (["dataset=table_regression"], {"regression_fit", "decision_boundary"}),
    (["dataset=diabetes"], {"regression_fit"}),
    (["dataset=function"], {"regression_fit"}),
    (["dataset=adding", "model=lstm"], {"regression_fit"}),
    (["dataset=tomita", "model=rnn"], CLASSIFYING),
    (["dataset=ag_news", "model=embedding_bag"], CLASSIFYING),
    (["distill=kd"], CLASSIFYING),
    (["model=vae"], {"generative_figures"}),
    (["model=gan"], {"generative_figures"}),
    (["model=autoencoder"], {"generative_figures"}),
    (["dataset=mixture", "model=gan"], {"generative_figures"}),
    (["dataset=lee", "model=word2vec"], {"word_vectors"}),
    (["dataset=grammar", "model=word2vec"], {"word_vectors"}),
    (["dataset=shapes", "model=maskrcnn"], {"detection_figures"}),
    (["dataset=coco", "model=fasterrcnn"], {"detection_figures"}),
    (["dataset=karate", "model=gcn"], CLASSIFYING | {"node_embedding"}),
    (["dataset=sbm", "model=gat"], CLASSIFYING | {"node_embedding"}),
    (["dataset=planetoid", "model=graphsage"], CLASSIFYING | {"node_embedding"}),
    (["dataset=reverse", "model=seq2seq"], {"decoded_examples", "stop_when_solved"}),
    (["dataset=names", "model=char_generator"], {"generated_samples"}),
    (["dataset=digit_strings", "model=crnn"], {"transcriptions"}),
    (["dataset=dtmf", "model=crnn"], {"transcriptions"}),
    (["dataset=text_file", "dataset.path=x", "model=gpt"], set()),
    (["dataset=grammar", "model=bert"], set()),
    (["dataset=grammar_topics", "model=bert"], set()),
    (["dataset=grammar_entities", "model=tagger"], set()),
    (["model=unet"], {"segmentation_overlays"}),
    (["model=espcn"], {"superres_figure"}),
    (["model=cnn_lstm"], CLASSIFYING),
    (["model=vit"], CLASSIFYING | {"attention_rollout"}),
]


def callbacks(overrides: list[str]) -> set[str]:
    cfg = make_cfg(overrides)
    return {name for name, node in cfg.callbacks.items() if node is not None}


@pytest.mark.parametrize("overrides, added", FAMILIES, ids=[" ".join(o) or "default" for o, _ in FAMILIES])
def test_each_family_gets_exactly_its_callbacks(overrides: list[str], added: set[str]) -> None:
    assert callbacks(overrides) == EVERY_RUN | added


def test_a_family_callback_switches_off_and_keeps_its_settings() -> None:
    assert "decision_boundary" not in callbacks(["dataset=playground", "callbacks.decision_boundary=null"])
    cfg = make_cfg(["dataset=playground", "callbacks.decision_boundary.every_n_epochs=3"])
    assert cfg.callbacks.decision_boundary.every_n_epochs == 3
    assert cfg.callbacks.decision_boundary._target_ == "aa.callbacks.figures.DecisionBoundary"


def test_the_key_check_knows_the_keys_a_family_adds() -> None:
    assert compose(["callbacks.confusion_matrix=null"]).callbacks.confusion_matrix is None
    assert compose(["dataset=playground", "callbacks.decision_boundary.every_n_epochs=3"]) \
        .callbacks.decision_boundary.every_n_epochs == 3
    assert compose(["model=seq2seq", "dataset=reverse", "callbacks.decoded_examples=null"]).callbacks.decoded_examples is None
    assert compose(["dataset=table_regression", "callbacks.regression_fit=null"]).callbacks.regression_fit is None
    with pytest.raises(ConfigError) as refusal:
        compose(["model=vae", "callbacks.confusion_matrix=null"])
    assert "generative_figures" in str(refusal.value) and "confusion_matrix'" in str(refusal.value)
    with pytest.raises(ConfigError):
        compose(["callbacks.decision_boundary=null"])
