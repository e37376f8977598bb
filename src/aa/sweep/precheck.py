"""Validate every combination of a sweep before its first job starts, so a bad one cannot cost the
hours of the jobs before it (or stop the sweep half way)."""
from __future__ import annotations

from typing import Any

BASIC = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"


def sweep_jobs(argv: list[str], compose: Any) -> list[list[str]] | None:
    """The override list of every job the basic sweeper would launch (experiment files' sweep params
    included); None for other sweepers (Optuna draws its trials as it goes)."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    parsed = parser.parse_overrides(argv)
    first = [o.input_line if not o.is_sweep_override() else f"{o.get_key_element()}={_first(o)}" for o in parsed]
    cfg = compose(first, hydra=True)
    sweeper = cfg.hydra.sweeper
    if sweeper.get("_target_") != BASIC:
        return None
    params = sweeper.get("params") or {}
    lines = [f"{k}={v}" for k, v in params.items()] + argv
    batches = BasicSweeper.split_arguments(parser.parse_overrides(lines), None)
    return [list(job) for batch in batches for job in batch]


def _first(override: Any) -> str:
    values = list(override.sweep_string_iterator())
    return values[0] if values else ""


def check_sweep(argv: list[str]) -> str | None:
    """One paragraph listing the combinations that cannot run, or None when all can."""
    from hydra import compose, initialize_config_dir

    from aa.base.errors import ConfigError
    from aa.config.command_line import compose as compose_run
    from aa.config.paths import config_dir
    from aa.config.validate import validate

    overrides = [a for a in argv if not a.startswith("-")]
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        def make(ov: list[str], hydra: bool = False) -> Any:
            return compose(config_name="train", overrides=ov, return_hydra_config=hydra)

        try:
            jobs = sweep_jobs(overrides, make)
        except Exception:  # Hydra's own message for what it cannot parse comes when it runs
            return None
    if not jobs:
        return None
    bad = []
    for num, job in enumerate(jobs):
        try:
            validate(compose_run(job))
        except ConfigError as e:
            bad.append(f"  job {num} ({' '.join(job)}): {str(e).removeprefix('Invalid config: ')}")
        except Exception as e:  # noqa: BLE001 - a combination Hydra cannot compose
            bad.append(f"  job {num} ({' '.join(job)}): {' '.join(str(e).split())}")
    if not bad:
        return None
    return (f"Invalid sweep: {len(bad)} of {len(jobs)} combinations cannot run, so no job was started:\n"
            + "\n".join(bad) + "\nRemove those values from the sweep, or sweep the others separately.")
