"""The model graph is traced without torch's tracer warnings on a normal text run (issue 18)."""
from __future__ import annotations

import warnings

import pytest
from conftest import fit


@pytest.mark.slow
def test_text_rnn_run_draws_its_graph_without_tracer_warnings(tmp_path, one_thread):
    import torch

    csv = tmp_path / "reviews.csv"
    csv.write_text("label,text\n" + "".join(f"{'pos' if i % 2 else 'neg'},{'good fine' if i % 2 else 'bad awful'} film {i}\n"
                                             for i in range(40)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(["model=text_rnn", "dataset=text_csv", f"dataset.path={csv}", "trainer.max_epochs=1"], tmp_path / "run")
    assert not [w for w in caught if issubclass(w.category, torch.jit.TracerWarning)]
    assert list((tmp_path / "run").rglob("events.out.tfevents*"))
