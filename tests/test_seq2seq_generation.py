"""One-to-many generation: a name given its country, trained through aa-train's path on surname
files written in the names loader's on-disk format; samples follow the class and the temperature."""
from __future__ import annotations

import random

import pytest
import torch
from conftest import build, trainer_for


def write_names(root) -> None:
    """Two made-up 'countries' whose surnames differ in a way the class must explain."""
    rng = random.Random(0)
    folder = root / "names" / "top200"
    folder.mkdir(parents=True)
    body = lambda: "".join(rng.choice("aeiou") + rng.choice("rtlnm") for _ in range(rng.randint(1, 2)))  # noqa: E731
    (folder / "AA.txt").write_text("\n".join("Mc" + body() + "son" for _ in range(200)) + "\n")
    (folder / "BB.txt").write_text("\n".join(body().capitalize() + "ez" for _ in range(200)) + "\n")


@pytest.mark.slow
def test_char_generator_writes_names_that_follow_their_class(tmp_path, one_thread):
    write_names(tmp_path)
    cfg, dm, task = build(["model=char_generator", "model.hidden_size=64", "dataset=names",
                           f"dataset.root={tmp_path}", "dataset.countries=[AA,BB]", "dataset.names_per_country=200",
                           "optim.lr=0.01", "trainer.max_epochs=8"])
    trainer = trainer_for(cfg, tmp_path / "run", dm)
    trainer.fit(task, datamodule=dm)
    trainer.test(task, datamodule=dm, verbose=False)
    m = trainer.callback_metrics
    assert float(m["test/char_acc"]) > 0.6 and float(m["test/loss"]) < 1.2
    g = torch.Generator().manual_seed(1)
    label = torch.tensor([0] * 30 + [1] * 30)
    names = [dm.decode(ids) for ids in task.objective.sample(task.model.eval(), label, 0.5, generator=g)]
    assert sum(n.startswith("Mc") and n.endswith("son") for n in names[:30]) >= 24
    assert sum(n.endswith("ez") and not n.startswith("Mc") for n in names[30:]) >= 24
    hot = [dm.decode(ids) for ids in task.objective.sample(task.model, label, 3.0, generator=g)]
    assert sum(n.endswith("son") for n in hot[:30]) < sum(n.endswith("son") for n in names[:30])
    table = (tmp_path / "run" / "generated_samples.md").read_text()
    assert "| AA |" in table and "| BB |" in table
