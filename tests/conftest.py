"""The shared test toolkit. Tests compose the real configs with Hydra's compose API and shrink them;
nothing is mocked. Build a config (``make_cfg``), build or fit it as aa-train does (``build``, ``fit``,
the ``run`` fixture), run aa-train as a user does (``aa_train``, always with a timeout), read what a run
left in TensorBoard (``Events``) and assert a refusal (``refused``)."""
from __future__ import annotations

import glob
import os
import re
import subprocess
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, open_dict

from aa.config import resolvers
from aa.config.paths import config_dir

resolvers.register()
os.environ.setdefault("PL_DISABLE_FORK", "1")
if os.environ.get("PYTEST_XDIST_WORKER"):  # one worker per core (addopts: -n 2): one torch thread each,
    os.environ["OMP_NUM_THREADS"] = "1"     # in the aa-train processes it starts too, so no core runs two
    import torch

    torch.set_num_threads(1)
TESTS = Path(__file__).resolve().parent


def make_cfg(overrides: Iterable[str] = ()) -> DictConfig:
    """The composed run config for these overrides, quiet and CPU-only."""
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = compose(config_name="train", overrides=["trainer=cpu", *overrides])
    with open_dict(cfg):
        cfg.trainer.enable_progress_bar = False
    return cfg


def build(overrides: Iterable[str] = (), check: bool = True):
    """(cfg, data module, task module) as ``aa.run.train.train`` builds them: same seeding, same order,
    so the task's weights are the ones a run with these overrides starts from."""
    import pytorch_lightning as pl

    from aa.config.validate import validate
    from aa.run import build as builders

    cfg = make_cfg(overrides)
    if check:
        validate(cfg)
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    dm = builders.build_data(cfg)
    return cfg, dm, builders.build_task(cfg, dm)


def trainer_for(cfg: DictConfig, run_dir: Path | str, dm: Any, quiet: bool = False):
    """The run's Trainer; ``quiet`` drops callbacks, logger and checkpoints (tests that only need weights)."""
    from aa.run import build as builders

    if quiet:
        with open_dict(cfg):
            cfg.callbacks, cfg.logger = {}, None
            cfg.trainer.enable_checkpointing = False
    return builders.build_trainer(cfg, str(run_dir), dm)


def fit(overrides: Iterable[str], run_dir: Path | str, quiet: bool = False):
    """Validate, build and fit a composed config without testing it; returns (data, task, trainer)."""
    cfg, dm, task = build(overrides)
    trainer = trainer_for(cfg, run_dir, dm, quiet)
    trainer.fit(task, datamodule=dm)
    return dm, task, trainer


def make_model(overrides: Iterable[str], shape: tuple[int, ...], classes: int):
    """The validated config's model, built for inputs of ``shape`` and ``classes`` outputs."""
    from aa.config.validate import validate
    from aa.models.build import build_model

    cfg = make_cfg(overrides)
    validate(cfg)
    return build_model(cfg, shape, classes)


def refused(action: Callable[[], Any], pattern: str) -> str:
    """``action`` raises a ConfigError (itself, or wrapped by Hydra's instantiate) matching ``pattern``."""
    from aa.run.train import config_error

    with pytest.raises(Exception) as info:
        action()
    problem = config_error(info.value)
    assert problem is not None, f"not a ConfigError: {info.value!r}"
    assert re.search(pattern, str(problem)), str(problem)
    return str(problem)


def aa_train(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None,
             timeout: int = 300) -> subprocess.CompletedProcess:
    """``aa-train ARGS`` as a user runs it, in a new process that cannot hang the suite; the tests
    folder is importable there, so ``+callbacks.NAME={_target_: probes....}`` can watch a job."""
    return subprocess.run(["aa-train", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=_aa_env(env))


def aa_train_start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``aa-train ARGS`` started in the background (finish it with ``.communicate(timeout=...)``)."""
    return subprocess.Popen(["aa-train", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_aa_env(env))


def _aa_env(extra: dict[str, str] | None) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **(extra or {})}


class Events:
    """What a run wrote to TensorBoard (every event file under ``run_dir/tb``), read with TensorBoard's reader."""

    def __init__(self, run_dir: Path | str) -> None:
        from tensorboard.backend.event_processing.event_accumulator import (
            EventAccumulator,
        )

        files = sorted(glob.glob(os.path.join(str(run_dir), "tb", "**", "events.out.tfevents*"), recursive=True))
        assert files, f"no event file under {run_dir}/tb"
        self.readers = [EventAccumulator(f, size_guidance={"images": 0, "scalars": 0, "tensors": 0}).Reload()
                        for f in files]

    def tags(self, kind: str = "scalars") -> set[str]:
        return {t for r in self.readers for t in r.Tags()[kind]}

    def scalars(self, tag: str) -> list[float]:
        """The values of one scalar tag in step order."""
        events = [e for r in self.readers if tag in r.Tags()["scalars"] for e in r.Scalars(tag)]
        assert events, f"no scalar {tag!r}; scalars: {sorted(self.tags())}"
        return [e.value for e in sorted(events, key=lambda e: e.step)]

    def images(self, tag: str) -> list:
        return [e for r in self.readers if tag in r.Tags()["images"] for e in r.Images(tag)]

    def text(self, tag: str) -> str:
        """The last text card of ``tag`` (TensorBoard's text plugin stores it as a string tensor)."""
        from tensorboard.util import tensor_util

        events = [e for r in self.readers if f"{tag}/text_summary" in r.Tags()["tensors"]
                  for e in r.Tensors(f"{tag}/text_summary")]
        assert events, f"no text card {tag!r}"
        return tensor_util.make_ndarray(events[-1].tensor_proto).item().decode()

    def graphs(self) -> list:
        return [r.Graph() for r in self.readers if r.Tags()["graph"]]

    def trial(self) -> str:
        """The trial's name in the HParams table (its session group)."""
        from tensorboard.plugins.hparams import plugin_data_pb2

        names = []
        for r in self.readers:
            try:
                content = r.PluginTagToContent("hparams")
            except KeyError:
                continue
            for raw in content.values():
                info = plugin_data_pb2.HParamsPluginData.FromString(raw)
                if info.HasField("session_start_info"):
                    names.append(info.session_start_info.group_name)
        assert names, "no session_start_info"
        return names[-1]

    def hparams(self) -> tuple[dict[str, Any], dict[str, None]]:
        """The HParams tab: the run's hyperparameters by name (in the order logged), and the metric tags
        it lists, in the order shown."""
        from tensorboard.plugins.hparams import plugin_data_pb2

        values: dict[str, Any] = {}
        metrics: dict[str, None] = {}
        for r in self.readers:
            try:
                content = r.PluginTagToContent("hparams")
            except KeyError:
                continue
            for raw in content.values():
                info = plugin_data_pb2.HParamsPluginData.FromString(raw)
                if info.HasField("session_start_info"):
                    for name, v in info.session_start_info.hparams.items():
                        values[name] = getattr(v, v.WhichOneof("kind"))
                if info.HasField("experiment"):
                    metrics.update(dict.fromkeys(m.name.tag for m in info.experiment.metric_infos))
        assert values, "no hparams summary"
        return values, metrics


@pytest.fixture
def one_thread():
    """Small nets run fastest on one torch thread on a shared 2-core CPU."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def run(tmp_path: Path):
    """Validate and train a composed config in a temporary run directory; returns the metrics."""
    return runner(tmp_path)


def runner(root: Path) -> Callable[..., dict]:
    """``aa.run.train.train`` for composed overrides in ``root/NAME`` (for module-scoped fixtures too)."""
    from aa.config.validate import validate
    from aa.run.train import train

    def _run(overrides: Iterable[str] = (), name: str = "run") -> dict:
        cfg = make_cfg(overrides)
        validate(cfg)
        return train(cfg, str(root / name), overrides=list(overrides))  # checkpoints carry it, as aa-train's do

    return _run
