"""matplotlib for every figure aa draws (callbacks, generative grids, sweep figures, aa-sample)."""
from __future__ import annotations

from typing import Any


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, imported only when a figure is drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
