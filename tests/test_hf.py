"""model=hf: a Hugging Face checkpoint the test saves itself, fine-tuned offline through aa-train."""
from __future__ import annotations

import pytest
from conftest import make_cfg

from aa.base.errors import ConfigError
from aa.config.validate import validate

pytest.importorskip("transformers")


def test_a_folder_without_a_checkpoint_is_refused_before_torch(tmp_path):
    with pytest.raises(ConfigError, match="config.json"):
        validate(make_cfg(["model=hf", f"model.path={tmp_path}", "dataset=grammar_topics"]))


@pytest.mark.slow
def test_a_local_checkpoint_learns_the_grammar_topics_with_its_own_tokenizer(run, tmp_path, one_thread):
    from data_files import write_tiny_hf

    folder = write_tiny_hf(tmp_path / "tiny")
    m = run(["model=hf", f"model.path={folder}", "dataset=grammar_topics", "dataset.n_train=200", "dataset.n_test=200",
             "trainer.max_epochs=10", "optim.lr=0.003"])
    assert m["task"] == "classification" and m["test"]["acc"] > 0.6, m["test"]  # 4 topics: chance 0.25
