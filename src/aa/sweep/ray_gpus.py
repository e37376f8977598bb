"""Fit launcher=ray to the cluster it runs on: a GPU per job where there are GPUs, CPU jobs where
there are none (a job asking for a GPU that no machine has would wait forever)."""
from __future__ import annotations

import logging

from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from aa.config.schemas.sweeps import RAY

log = logging.getLogger("aa")


def fit_ray_to_cluster(config: DictConfig) -> None:
    launcher = config.hydra.launcher
    if launcher.get("_target_") != RAY or not launcher.ray.remote.get("num_gpus"):
        return
    import ray

    if not ray.is_initialized():
        ray.init(**OmegaConf.to_container(launcher.ray.init, resolve=True))
    if ray.cluster_resources().get("GPU", 0) > 0:
        return
    with read_write(launcher), open_dict(launcher):
        launcher.ray.remote.num_gpus = 0
    log.warning("launcher=ray: no GPU in the Ray cluster, so each job runs on %s CPU(s)",
                launcher.ray.remote.get("num_cpus", 1))
