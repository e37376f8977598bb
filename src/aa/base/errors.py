"""The one error type a user sees for bad input: a paragraph, never a traceback."""
from __future__ import annotations


class ConfigError(ValueError):
    """A bad option; the message names the key, the value and the valid choices."""

    def __init__(self, key: str, value: object, problem: str, choices: str = "") -> None:
        self.key, self.value = key, value
        text = f"Invalid config: {key}={value!r}: {problem}."
        if choices:
            text += f" Valid choices: {choices}."
        super().__init__(text)
