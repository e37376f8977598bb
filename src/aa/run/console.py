"""A quiet console: aa's own messages and errors; third-party tips, info and warnings go to train.log only."""
from __future__ import annotations

import logging
import warnings

OWN = ("aa", "hydra", "__main__")
KNOWN = (  # third-party warnings of every normal run that aa cannot act on; kept out of train.log too
    r"`isinstance\(treespec, LeafSpec\)` is deprecated",  # Lightning's own call into torch's pytree
    r"Found \d+ module\(s\) in eval mode",  # torchmetrics' FID keeps its judge network in eval mode by design
)


class OwnOrSevere(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.split(".", 1)[0] in OWN or record.levelno >= logging.ERROR


def quiet_console() -> None:
    """Route Python warnings into logging and keep everything but aa's records and errors off the
    console handlers (the run's train.log still receives all of it)."""
    logging.captureWarnings(True)
    warnings.simplefilter("default")
    for message in KNOWN:
        warnings.filterwarnings("ignore", message=message)
    for handler in logging.getLogger().handlers:
        if type(handler) is logging.StreamHandler and not any(isinstance(f, OwnOrSevere) for f in handler.filters):
            handler.addFilter(OwnOrSevere())
