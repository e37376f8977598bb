"""matplotlib for every figure aa draws (callbacks, generative grids, sweep figures, aa-sample)."""
from __future__ import annotations

from typing import Any


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, imported only when a figure is drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def palette(n: int) -> list[tuple[float, float, float]]:
    """``n`` class colours, distinct up to 20: matplotlib's tab10, or tab20 for 11 to 20 classes (beyond
    20 the colours repeat)."""
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [tuple(cmap(i % cmap.N)[:3]) for i in range(n)]


MIN_SIDE = 256  # TensorBoard's default image card shows a picture this size legibly
LABEL_PX = 14   # text drawn into pictures: at least 12 px high


def legible(image: Any, min_side: int = MIN_SIDE) -> Any:
    """An (H, W, C) uint8 array enlarged by the smallest whole factor that makes its short side at least
    ``min_side``, each pixel repeated (nearest neighbour: no smoothing blurs small digits)."""
    import numpy as np

    k = -(-min_side // max(1, min(image.shape[:2])))
    return np.repeat(np.repeat(image, k, 0), k, 1) if k > 1 else image


def font(size: int = LABEL_PX) -> Any:
    """PIL's built-in scalable font at ``size`` pixels."""
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def header(image: Any, labels: list[str], cell: int, left: int = 0, size: int = LABEL_PX) -> Any:
    """A white strip above an (H, W, 3) uint8 picture with one label centred over each column of ``cell``
    pixels (starting ``left`` pixels in), in black."""
    import numpy as np
    from PIL import Image, ImageDraw

    strip = Image.new("RGB", (image.shape[1], size + 8), "white")
    pen, face = ImageDraw.Draw(strip), font(size)
    for i, text in enumerate(labels):
        pen.text((left + (i + 0.5) * cell, 4), text, fill="black", font=face, anchor="ma")
    return np.concatenate([np.asarray(strip), image], 0)


def side_labels(image: Any, labels: list[str], cell: int, size: int = LABEL_PX) -> Any:
    """A white strip left of an (H, W, 3) uint8 picture with one label centred beside each row of ``cell``
    pixels, in black."""
    import numpy as np
    from PIL import Image, ImageDraw

    face = font(size)
    width = 8 + max((int(face.getlength(t)) for t in labels), default=0)
    strip = Image.new("RGB", (width, image.shape[0]), "white")
    pen = ImageDraw.Draw(strip)
    for i, text in enumerate(labels):
        pen.text((width - 4, (i + 0.5) * cell), text, fill="black", font=face, anchor="rm")
    return np.concatenate([np.asarray(strip), image], 1)
