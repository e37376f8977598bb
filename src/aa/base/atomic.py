"""Files replaced whole: a reader, or a run killed mid-write, sees the old file or the new one, never part."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def replacing(path: str) -> Iterator[str]:
    """A temporary name beside ``path`` to write; renamed over ``path`` when the block ends without error,
    removed otherwise (also one a killed process left behind)."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        if os.path.exists(tmp):
            os.remove(tmp)
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
