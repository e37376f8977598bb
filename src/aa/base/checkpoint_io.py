"""Checkpoints written atomically: a kill during the write leaves the previous file whole.

The checkpoint is serialised in memory and written in one call: torch.save's many small writes to a
file cost twice the serialisation itself (3.7 ms against 1.7 ms for the digits MLP). No fsync: it cost
~30 ms a save on the course machines, more than a small model's whole epoch; the rename-over pattern is
what ext4 (auto_da_alloc) and most file systems order safely on a crash too."""
from __future__ import annotations

import io
import os
from typing import Any

import torch
from lightning_fabric.plugins import TorchCheckpointIO

from aa.base.atomic import replacing


class AtomicCheckpointIO(TorchCheckpointIO):
    """torch.save into memory, one write to a temporary file beside the target, one atomic rename over it."""

    def save_checkpoint(self, checkpoint: dict[str, Any], path: Any, storage_options: Any = None) -> None:
        path = os.fspath(path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        buffer = io.BytesIO()
        torch.save(checkpoint, buffer)
        with replacing(path) as tmp, open(tmp, "wb") as f:
            f.write(buffer.getbuffer())
