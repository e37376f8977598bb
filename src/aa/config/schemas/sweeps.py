"""Schemas of the sweep engines chosen by launcher= and hparams_search= (Hydra plugins under hydra.*).

A node's ``info["nested"]`` names schemas for its sub-mappings that carry no ``_target_``."""
from __future__ import annotations

from typing import Any, Optional

from aa.config.schema import NodeSchema, opt, schema

JOBLIB = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
RAY = "hydra_plugins.hydra_ray_launcher.ray_launcher.RayLauncher"
SLURM = "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"
OPTUNA = "hydra_plugins.hydra_optuna_sweeper.optuna_sweeper.OptunaSweeper"


@schema(JOBLIB)
class Joblib(NodeSchema):
    n_jobs: int = opt(2, ge=1, doc="jobs at once on this machine; each gets cores // n_jobs threads")
    backend: Optional[str] = opt(None, choices=("loky", "multiprocessing"))
    prefer: str = opt("processes", choices=("processes",), doc="threads would share one torch")
    require: Optional[str] = opt(None)
    verbose: int = opt(0, ge=0)
    timeout: Optional[float] = opt(None, gt=0)
    pre_dispatch: Any = opt("2*n_jobs")
    batch_size: Any = opt("auto")
    temp_folder: Optional[str] = opt(None)
    max_nbytes: Any = opt(None)
    mmap_mode: Optional[str] = opt("r", choices=("r+", "r", "w+", "c"))


@schema()
class RayInit(NodeSchema):
    address: Optional[str] = opt(None, doc="an existing cluster ('auto' or host:port); null starts one here")
    num_cpus: Optional[int] = opt(None, ge=1)
    num_gpus: Optional[int] = opt(None, ge=0, doc="GPUs to declare; null detects them")
    include_dashboard: Optional[bool] = opt(None)
    object_store_memory: Optional[int] = opt(None, ge=78643200)
    log_to_driver: bool = opt(True)
    namespace: Optional[str] = opt(None)
    runtime_env: Optional[dict] = opt(None)


@schema()
class RayRemote(NodeSchema):
    num_gpus: float = opt(1, ge=0, doc="GPUs per job; Ray sets CUDA_VISIBLE_DEVICES to them")
    num_cpus: float = opt(1, ge=0)
    max_calls: int = opt(1, ge=0, doc="1: a fresh worker per job, so CUDA sees that job's GPU")
    max_retries: int = opt(0, ge=-1)
    memory: Optional[int] = opt(None, ge=1)
    resources: Optional[dict] = opt(None)
    runtime_env: Optional[dict] = opt(None)


@schema(RAY)
class Ray(NodeSchema):
    info = {"nested": {"ray.init": RayInit, "ray.remote": RayRemote}}
    ray: dict = opt({})


@schema(SLURM)
class Slurm(NodeSchema):
    submitit_folder: str = opt("${hydra.sweep.dir}/.submitit/%j")
    timeout_min: int = opt(60, ge=1)
    cpus_per_task: Optional[int] = opt(None, ge=1)
    gpus_per_node: Optional[int] = opt(None, ge=0)
    tasks_per_node: int = opt(1, ge=1, doc="DDP: one task per GPU, equal to trainer.devices")
    mem_gb: Optional[float] = opt(None, gt=0)
    nodes: int = opt(1, ge=1)
    name: str = opt("train")
    stderr_to_stdout: bool = opt(False)
    partition: Optional[str] = opt(None)
    qos: Optional[str] = opt(None)
    comment: Optional[str] = opt(None)
    constraint: Optional[str] = opt(None)
    exclude: Optional[str] = opt(None)
    gres: Optional[str] = opt(None)
    cpus_per_gpu: Optional[int] = opt(None, ge=1)
    gpus_per_task: Optional[int] = opt(None, ge=0)
    mem_per_gpu: Optional[str] = opt(None)
    mem_per_cpu: Optional[str] = opt(None)
    account: Optional[str] = opt(None)
    signal_delay_s: int = opt(120, ge=0)
    max_num_timeout: int = opt(0, ge=0)
    additional_parameters: dict = opt({})
    array_parallelism: int = opt(256, ge=1)
    setup: Optional[list] = opt(None)


@schema(OPTUNA)
class Optuna(NodeSchema):
    sampler: dict = opt({})
    direction: str = opt("maximize", choices=("minimize", "maximize"),
                         doc="maximize for accuracy, minimize for a loss")
    storage: Optional[str] = opt(None, doc="null keeps the study in memory (sqlite needs SQLAlchemy<2)")
    study_name: Optional[str] = opt(None)
    n_trials: int = opt(20, ge=1)
    n_jobs: int = opt(1, ge=1, doc="trials launched at once, by the chosen launcher")
    max_failure_rate: float = opt(1.0, ge=0, le=1, doc="1: failed or diverged trials never stop the search")
    search_space: Optional[dict] = opt(None)
    params: Optional[dict] = opt(None, doc="key: choice(..) | interval(a,b) | tag(log, interval(a,b))")
    custom_search_space: Optional[str] = opt(None)


@schema("optuna.samplers.TPESampler")
class TPE(NodeSchema):
    seed: Optional[int] = opt(None, ge=0)
    consider_prior: bool = opt(True)
    prior_weight: float = opt(1.0, gt=0)
    consider_magic_clip: bool = opt(True)
    consider_endpoints: bool = opt(False)
    n_startup_trials: int = opt(10, ge=0, doc="random trials before TPE models the results")
    n_ei_candidates: int = opt(24, ge=1)
    multivariate: bool = opt(False)
    warn_independent_sampling: bool = opt(True)


@schema("optuna.samplers.RandomSampler")
class RandomSampler(NodeSchema):
    seed: Optional[int] = opt(None, ge=0)


@schema("optuna.samplers.GridSampler")
class GridSampler(NodeSchema):
    """Every combination of the choice(..) parameters, once each."""
