"""The run's hyperparameters for TensorBoard's HParams dashboard: what the experiment varied, first.

TensorBoard lists a few hyperparameters (alphabetically, for several runs) and ticks the first five, so
a sweep logs only the keys it sweeps (read from the sweep's own overrides) and the model and data set;
a single run logs its command-line keys beside a few essentials. The full composed config is a text
card (and ``.hydra/config.yaml`` in the run folder). Each trial is named by its swept values."""
from __future__ import annotations

import os
from typing import Any

from omegaconf import DictConfig, OmegaConf

GROUPS = ("dataset", "model", "activation", "normalization", "init", "augmentation", "loss", "optim",
          "scheduler", "batch", "curriculum", "regularization")
SWEEP_ESSENTIALS = ("model", "dataset")
RUN_ESSENTIALS = ("model", "dataset", "optim", "optim.lr", "trainer.max_epochs")
NOT_HPARAMS = ("resume", "launcher", "hparams_search", "threads_per_job", "allow_targets")  # how, not what


def flat_hparams(cfg: DictConfig, choices: dict[str, str] | None = None) -> dict[str, Any]:
    """Group choices (model=mlp) plus every scalar setting (optim/lr=0.01); lists become strings."""
    out: dict[str, Any] = {"seed": cfg.seed, "backprop": cfg.get("backprop", "autograd"),
                           "max_epochs": cfg.trainer.max_epochs}
    for group, choice in (choices or {}).items():
        if group in GROUPS and choice is not None:
            out[group] = str(choice)
    data = OmegaConf.to_container(cfg, resolve=True)
    for group in GROUPS:
        _flatten(data.get(group), group, out)
    return out


def swept_keys(task_overrides: list[str], sweeper_params: dict[str, Any] | None = None) -> list[str]:
    """The keys a sweep varies, in command-line order: its sweep overrides (``optim.lr=0.001,0.01``)
    and the search space of a sweeper such as Optuna (``hydra.sweeper.params``)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides([str(o) for o in task_overrides])
    keys = [o.key_or_group for o in parsed if o.is_sweep_override()]
    return keys + [k for k in (sweeper_params or {}) if k not in keys]


def current_sweep() -> list[str] | None:
    """Within a Hydra multirun job: the keys its sweep varies (from the sweep folder's multirun.yaml,
    which Hydra writes before launching; without it, every key the job was given); None for a single run."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    hydra = HydraConfig.get()
    if str(hydra.mode) != "RunMode.MULTIRUN":
        return None
    path = os.path.join(hydra.sweep.dir, "multirun.yaml")
    if os.path.isfile(path):
        sweep = OmegaConf.load(path).hydra
        params = sweep.sweeper.get("params")
        return swept_keys(list(sweep.overrides.task), OmegaConf.to_container(params) if params else None)
    params = hydra.sweeper.get("params")  # no sweep file where this job runs (a remote worker): its own keys
    own = [o.key_or_group for o in _parse(list(hydra.overrides.task))]
    return own + [k for k in (OmegaConf.to_container(params) if params else {}) if k not in own]


def experiment_hparams(cfg: DictConfig, choices: dict[str, str] | None, overrides: list[str] | None,
                       swept: list[str] | None) -> tuple[dict[str, Any], str]:
    """(hyperparameters in the order the dashboard should show them, the trial's name). In a sweep:
    the swept keys, then the model and data set; in a single run: its command-line keys, then a few
    essentials. Names use ``/`` for nesting (``optim/lr``); group choices are their option names."""
    choices = choices or {}
    if swept is not None:
        first, rest = swept, SWEEP_ESSENTIALS
    else:
        first = [o.key_or_group for o in _parse(overrides or []) if not o.is_delete()]
        rest = RUN_ESSENTIALS
    params: dict[str, Any] = {}
    for key in [*first, *rest]:
        key = key.lstrip("+~")
        if key.startswith("hydra.") or key in NOT_HPARAMS or key.replace(".", "/") in params:
            continue
        value = choices.get(key) if key in choices else OmegaConf.select(cfg, key, default=None)
        if isinstance(value, DictConfig):  # a group chosen outside Hydra's choices (tests compose directly)
            value = choices.get(key) or value.get("_target_", "").rsplit(".", 1)[-1] or None
        if value is not None:
            params[key.replace(".", "/")] = value if isinstance(value, (bool, int, float, str)) else str(value)
    trial = ",".join(f"{k}={_shown(params[k.replace('.', '/')])}" for k in (swept or [])
                     if k.replace(".", "/") in params)
    return params, trial


def metric_tags(metrics: dict[str, Any]) -> list[str]:
    """The HParams metric columns: the optimised metric first, then val and train (the tags logged as
    curves over the epochs; test metrics are measured once and shown in the metrics text card)."""
    main = (metrics.get("optimized_metric") or {}).get("name")
    tags = [f"{s}/{k}" for s in ("val", "train") for k in metrics.get(s, {})]
    tags += (metrics.get("compression") or {}).get("tensorboard", [])  # before -> after series
    return ([main] if main else []) + [t for t in tags if t != main]


def write_hparams(logger: Any, cfg: DictConfig, choices: dict[str, str] | None, overrides: list[str] | None,
                  metrics: dict[str, Any]) -> None:
    """Declare the run for the HParams dashboard, and write the composed config and the final metrics as
    text cards. The metric values are the scalars already logged under these tags (their last value),
    so no extra points are written into the curves."""
    from tensorboard.plugins.hparams import plugin_data_pb2
    from torch.utils.tensorboard.summary import hparams

    params, trial = experiment_hparams(cfg, choices, overrides, current_sweep())
    writer = getattr(logger.experiment, "_get_file_writer", None)
    writer = writer() if writer else logger.experiment.file_writer
    for summary in hparams(params, {tag: 0.0 for tag in metric_tags(metrics)}):
        value = summary.value[0]
        data = plugin_data_pb2.HParamsPluginData.FromString(value.metadata.plugin_data.content)
        if trial and data.HasField("session_start_info"):
            data.session_start_info.group_name = trial  # the trial's name in the table: its swept values
            value.metadata.plugin_data.content = data.SerializeToString()
        writer.add_summary(summary)
    logger.experiment.add_text("config", _code(OmegaConf.to_yaml(cfg, resolve=True)))
    logger.experiment.add_text("metrics", metrics_table(metrics))
    logger.experiment.flush()


def metrics_table(metrics: dict[str, Any]) -> str:
    """The final train / val / test metrics as a markdown table (what the printed summary shows)."""
    from aa.run.summary import separate_players

    if separate_players(metrics)[1] is not None:  # a game: the train loss is one player's, d_loss and g_loss say whose
        metrics = {**metrics, "train": {k: v for k, v in metrics["train"].items() if k != "loss"}}
    splits = ("train", "val", "test")
    names = sorted({k for s in splits for k in metrics.get(s, {})})
    rows = ["| metric | train | val | test |", "| --- | ---: | ---: | ---: |"]
    rows += [f"| {n} | " + " | ".join(f"{metrics[s][n]:.4f}" if n in metrics.get(s, {}) else "-" for s in splits)
             + " |" for n in names]
    source = metrics.get("reported_from")
    return "\n".join(rows + ([f"\nval and test: {source}"] if source else []))


def _parse(overrides: list[str]) -> list[Any]:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create().parse_overrides([str(o) for o in overrides])


def _code(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())  # markdown code block: indentation kept


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _flatten(node: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if not k.startswith("_"):
                _flatten(v, f"{prefix}/{k}", out)
    elif isinstance(node, (bool, int, float, str)):
        out[prefix] = node
    elif node is not None:
        out[prefix] = str(node)
