"""OmegaConf resolvers used by configs/train.yaml; registered before Hydra composes."""
from __future__ import annotations

import re

from omegaconf import OmegaConf

MAX_SUFFIX = 80


def run_suffix(override_dirname: str) -> str:
    """Turn Hydra's override_dirname into a short, filesystem-safe directory suffix."""
    if not override_dirname:
        return ""
    safe = re.sub(r"[^A-Za-z0-9=.,_+-]+", "-", override_dirname).strip("-")
    return "_" + safe[:MAX_SUFFIX]


def register() -> None:
    OmegaConf.register_new_resolver("aa_suffix", run_suffix, replace=True)
