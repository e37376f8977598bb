"""Every config schema, one module per area; importing this package registers them all."""
from aa.config.schemas import data, models, nn, run, task, trainer  # noqa: F401
