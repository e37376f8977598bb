"""The run's hyperparameters, flattened for TensorBoard's HParams dashboard."""
from __future__ import annotations

from typing import Any

from omegaconf import DictConfig, OmegaConf

GROUPS = ("dataset", "model", "activation", "normalization", "init", "augmentation", "loss", "optim",
          "scheduler", "batch", "curriculum", "regularization")


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


def write_hparams(logger: Any, params: dict[str, Any], metric_tags: list[str]) -> None:
    """Declare the run for the HParams dashboard. The metric values are the scalars already logged
    under these tags (their last value), so no extra points are written into the curves."""
    from torch.utils.tensorboard.summary import hparams

    writer = getattr(logger.experiment, "_get_file_writer", None)
    writer = writer() if writer else logger.experiment.file_writer
    for summary in hparams(params, {tag: 0.0 for tag in metric_tags}):
        writer.add_summary(summary)
    logger.experiment.flush()


def _flatten(node: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if not k.startswith("_"):
                _flatten(v, f"{prefix}/{k}", out)
    elif isinstance(node, (bool, int, float, str)):
        out[prefix] = node
    elif node is not None:
        out[prefix] = str(node)
