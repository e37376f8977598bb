"""Other runs a config names, restored by load_run (exactly as aa-eval restores one) and checked against this
run's data before they serve it: a distillation teacher (``distill.teacher``) and the classifier that judges a
VAE's or GAN's samples (``objective.classifier``). The run floor hands them to the objectives, so no lower
floor has to reach up for load_run."""
from __future__ import annotations

import math
from typing import Any

from torch import nn

from aa.base.errors import ConfigError
from aa.data.contract import DataModule
from aa.generative.classifier import Features
from aa.run.load import load_run, read_run


def teacher(path: str, cfg: Any, data: DataModule) -> nn.Module:
    """The teacher run's model with its trained weights, frozen, in evaluation mode; a run on other classes
    or inputs is refused in one paragraph."""
    read = read_run(path, key="distill.teacher")
    theirs, ours = read[3].dataset, cfg.dataset
    if theirs.get("_target_") != ours.get("_target_") or theirs.get("name") != ours.get("name"):
        raise ConfigError("distill.teacher", path, f"was trained on other classes ({theirs.get('_target_')} "
                          f"{theirs.get('name') or ''}) than this run's dataset ({ours.get('_target_')} "
                          f"{ours.get('name') or ''})", "a checkpoint of a run on the same dataset")
    run = load_run(path, key="distill.teacher", read=read)
    if tuple(run.data.input_shape) != tuple(data.input_shape) or run.data.num_outputs != data.num_outputs:
        raise ConfigError("distill.teacher", path, f"reads inputs of shape {tuple(run.data.input_shape)} into "
                          f"{run.data.num_outputs} classes; this run has {tuple(data.input_shape)} and "
                          f"{data.num_outputs}", "a checkpoint of a run on the same dataset")
    return run.model.cpu().eval().requires_grad_(False)


def judge(path: str, data: DataModule) -> Features:
    """A classifier run that reads as many input values as this data serves (the 8x8 digits flat or as an
    image) and names as many classes, as the feature space and class judge of generated samples."""
    run = load_run(path, key="objective.classifier")
    if run.task.objective.task != "classification" or math.prod(run.data.input_shape) != math.prod(data.input_shape) \
            or run.data.num_outputs != data.num_outputs:
        raise ConfigError("objective.classifier", path, f"is a {run.task.objective.task} run on inputs of shape "
                          f"{tuple(run.data.input_shape)} with {run.data.num_outputs} outputs; this run's data has "
                          f"inputs of shape {tuple(data.input_shape)} and {data.num_outputs} classes",
                          "a classifier run on the same data, or null (train and cache one)")
    return Features(run.model.cpu(), run.data.input_shape)
