"""OmegaConf resolvers used by configs/train.yaml; registered before Hydra composes."""
from __future__ import annotations

import hashlib
import re

from omegaconf import OmegaConf

MAX_SUFFIX = 120
_PAIRS = re.compile(r",(?=[\w.+~/@-]+=)")  # the commas between key=value items, not those inside a list value


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9=.,_+-]+", "-", text).strip("-")


def run_suffix(override_dirname: str) -> str:
    """Hydra's override_dirname as a filesystem-safe folder suffix that keeps every value: when it is too
    long, each key is cut to its last part (``optim.lr`` -> ``lr``) and a short hash of the whole makes the
    name distinct, so a sweep's jobs never differ only by their number."""
    if not override_dirname:
        return ""
    safe = _safe(override_dirname)
    if len(safe) <= MAX_SUFFIX:
        return "_" + safe
    pairs = [item.partition("=") for item in _PAIRS.split(override_dirname)]
    short = _safe(",".join(f"{key.rsplit('.', 1)[-1]}={value}" for key, _, value in pairs))
    digest = hashlib.sha1(override_dirname.encode()).hexdigest()[:6]
    return f"_{short[: MAX_SUFFIX - len(digest) - 1]}_{digest}"


def register() -> None:
    OmegaConf.register_new_resolver("aa_suffix", run_suffix, replace=True)
