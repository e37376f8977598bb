"""What the tools share: ``key=value`` arguments (the tool's own keys, the rest config overrides), one
paragraph and exit 2 for bad input, and a run restored through load_run."""
from __future__ import annotations

import sys
from typing import NoReturn

from aa.base.errors import ConfigError


def fail(message: str) -> NoReturn:
    print(message, file=sys.stderr)
    raise SystemExit(2)


def parse_args(argv: list[str], own: dict[str, str | None], tool: str) -> tuple[dict[str, str], list[str]]:
    """The tool's own keys (``own``: name -> default, None when required), and config overrides for the run's
    config, checked like aa-train's."""
    from aa.config.command_line import check_names, parse

    values: dict[str, str] = {}
    overrides = []
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq:
            fail(f"Invalid argument: {arg!r}: {tool} takes key=value arguments. Valid choices: "
                 f"{', '.join(f'{k}=...' for k in own)}, or config overrides such as dataset=digits.")
        if key in own:
            values[key] = value
        else:
            overrides.append(arg)
    for key, default in own.items():
        if key not in values:
            if default is None:
                fail(f"Invalid argument: {key} is required, e.g. {tool} {key}=outputs/runs/<time>.")
            values[key] = default
    try:
        check_names(parse(overrides))
    except ConfigError as e:
        fail(str(e))
    return values, overrides


def restore(ckpt: str, overrides: list[str]):  # type: ignore[no-untyped-def]
    """load_run for a command: Lightning quiet on the console, bad input ends it with one paragraph."""
    from aa.run.load import load_run, read_run

    try:
        read = read_run(ckpt, overrides)
        quiet()
        return load_run(ckpt, overrides, read=read)
    except ConfigError as e:
        fail(str(e))


def quiet() -> None:
    """Lightning's info lines and warnings off the console, as in aa-train."""
    import logging
    import warnings

    import pytorch_lightning  # noqa: F401  (it sets its loggers' levels on import; quiet them afterwards)

    warnings.filterwarnings("ignore")
    for name in ("pytorch_lightning", "lightning", "lightning.pytorch", "lightning_fabric"):
        logging.getLogger(name).setLevel(logging.ERROR)


def relative(path: object) -> str:
    from aa.config.files import shown

    return shown(str(path))
