"""Every config schema, one module per area; importing this package registers them all."""
from aa.config.schemas import data, models, nn, run, task, trainer  # noqa: F401
from aa.config.schemas import backprop  # noqa: F401
from aa.config.schemas import sequences  # noqa: F401
from aa.config.schemas import sweeps  # noqa: F401
from aa.config.schemas import vision  # noqa: F401
from aa.config.schemas import toolbox  # noqa: F401
