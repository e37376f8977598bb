"""Graph neural networks (PyTorch Geometric) on karate, a stochastic block model and Planetoid's format."""
from __future__ import annotations

import pytest
import torch
from conftest import fit, make_cfg
from data_files import write_planetoid

from aa.base.errors import ConfigError
from aa.config.validate import validate
from aa.data.graphs import KarateData

pytest.importorskip("torch_geometric")

QUIET = ["callbacks.model_summary=null", "callbacks.model_graph=null", "callbacks.gradient_stats=null"]


@pytest.mark.slow
def test_gcn_on_karate_with_one_labelled_member_per_community_gets_nine_in_ten_others_right(run, one_thread, tmp_path):
    m = run(["experiment=gcn_karate", "dataset.labels=communities", *QUIET], name="karate")
    assert round(m["test"]["acc"] * 30) >= 27  # of the 30 unlabelled members, four classes: 90 %
    assert (tmp_path / "karate" / "node_embedding.png").exists()


@pytest.mark.parametrize("labels, labelled, nodes", [("factions", "leaders", [0, 33]),
                                                     ("communities", "leaders", [0, 5, 31, 33]),
                                                     ("communities", "pyg", [0, 4, 8, 24])])
def test_karate_labels_the_best_connected_member_of_each_class_or_pygs_choice(labels, labelled, nodes):
    dm = KarateData(labels=labels, labelled=labelled)
    dm.setup()
    train = dm.nodes["train"]
    assert sorted(train.tolist()) == nodes
    assert sorted(dm.graph.y[train].tolist()) == list(range(len(nodes)))  # one member per class
    assert sorted(dm.nodes["test"].tolist()) == [i for i in range(34) if i not in nodes]


@pytest.mark.slow
def test_on_a_block_model_with_uninformative_features_gcn_beats_an_mlp_by_twenty_points(run, one_thread):
    gcn = run(["model=gcn", "dataset=sbm", "trainer.max_epochs=30", *QUIET], name="gcn")["test"]["acc"]
    mlp = run(["model=mlp", "dataset=sbm", "optim.lr=0.01", "trainer.max_epochs=30", *QUIET], name="mlp")["test"]["acc"]
    assert gcn >= mlp + 0.20, (gcn, mlp)
    assert mlp < 0.4  # the features alone say nothing: about chance (4 classes)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["gat", "graphsage"])
def test_gat_and_graphsage_train_on_the_karate_club(one_thread, tmp_path, model):
    dm, task, trainer = fit([f"model={model}", "dataset=karate", "trainer.max_epochs=20", *QUIET], tmp_path)
    assert trainer.callback_metrics["val/acc"] == 1.0  # the two labelled members are learned


@pytest.mark.slow
def test_mini_batches_of_labelled_nodes_each_run_the_whole_graph(one_thread, tmp_path):
    dm, task, trainer = fit(["model=gcn", "dataset=sbm", "batch=mini", "batch.size=8", "trainer.max_epochs=2",
                             *QUIET], tmp_path)
    assert trainer.global_step == 2 * 5  # 40 labelled nodes in batches of 8
    graph, y = next(iter(dm.val_dataloader()))
    assert graph.x.shape[0] == 400 and len(y) == len(graph.nodes) == 72


@pytest.mark.slow
def test_a_graph_model_on_non_graph_data_is_refused_before_training():
    with pytest.raises(ConfigError, match="cannot read the vector/image inputs"):
        validate(make_cfg(["model=gcn", "dataset=digits"]))


def test_planetoid_without_files_or_download_is_refused_before_torch(tmp_path):
    with pytest.raises(ConfigError, match="dataset.download"):
        validate(make_cfg(["model=gcn", "dataset=planetoid", f"dataset.root={tmp_path}"]))


@pytest.mark.slow
def test_planetoid_files_on_disk_train_with_the_public_split(one_thread, tmp_path):
    write_planetoid(tmp_path / "data")
    dm, task, trainer = fit(["model=gcn", "dataset=planetoid", f"dataset.root={tmp_path / 'data'}",
                             "trainer.max_epochs=2", *QUIET], tmp_path / "run")
    assert {s: len(n) for s, n in dm.nodes.items()} == {"train": 20, "val": 500, "test": 10}
    assert dm.input_shape == (6,) and dm.num_outputs == 3
    assert torch.allclose(dm.graph.x.sum(1).cpu(), torch.ones(530))  # bag-of-words rows normalised
    assert "val/acc" in trainer.callback_metrics


def test_a_failed_planetoid_download_is_one_message_and_leaves_no_partial_file(tmp_path, monkeypatch):
    from torch_geometric.datasets import planetoid

    from aa.data.graphs import PlanetoidData

    def no_network(url, folder, **_):
        (tmp_path / "Cora" / "raw" / "ind.cora.x").write_bytes(b"<html>")  # half a download
        raise OSError("Name or service not known")

    monkeypatch.setattr(planetoid.fs, "cp", no_network)
    for reach in ("socket.socket.connect", "socket.getaddrinfo", "socket.create_connection"):
        monkeypatch.setattr(reach, lambda *a, **k: pytest.fail("the test reached for the network"))
    with pytest.raises(ConfigError, match="downloading them failed .*Name or service not known") as info:
        PlanetoidData(root=str(tmp_path), download=True).setup()
    assert "dataset.root" in str(info.value)
    assert not (tmp_path / "Cora" / "raw" / "ind.cora.x").exists()
