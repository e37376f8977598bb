"""Whether the chosen pieces fit each other (model vs the dataset's inputs, objective and loss vs its task,
added groups vs its task), and the facts about option files the refusals list as fitting choices."""
from __future__ import annotations

import functools

from omegaconf import OmegaConf

from aa.base.errors import ConfigError
from aa.config.manual_backprop import check_manual_backprop
from aa.config.paths import config_dir, group_options, optional_groups
from aa.config import schemas  # noqa: F401  (registers every schema this file reads)
from aa.config.schema import SCHEMAS


def check_compatibility(data: dict) -> None:
    """Refuse combinations that cannot train, using facts the schemas declare in ``info``."""
    ds = SCHEMAS.get(data["dataset"].get("_target_"))
    model = SCHEMAS.get(data["model"].get("_target_"))
    loss = SCHEMAS.get(data["loss"].get("_target_"))
    dinfo = getattr(ds, "info", {}) if ds else {}
    task, kinds = dataset_task(data["dataset"], dinfo), tuple(dinfo.get("inputs", ()))
    check_objective(data, task)
    for group in optional_groups():
        if data.get(group):
            check_group_task(group, data, task)
    if model and kinds and not set(kinds) & set(model.info.get("inputs", kinds)):
        name, reads = option_name("model", data["model"]), tuple(model.info["inputs"])
        raise ConfigError("model", name, f"cannot read the {'/'.join(kinds)} inputs of this dataset "
                          f"(dataset={option_name('dataset', data['dataset'])} gives {'/'.join(kinds)}; "
                          f"model={name} needs {'/'.join(reads)})",
                          "models for this dataset: " + ", ".join(models_for(kinds))
                          + f"; datasets for model={name}: " + ", ".join(datasets_for(reads)))
    objective = SCHEMAS.get(data["objective"].get("_target_"))
    uses_loss = getattr(objective, "info", {}).get("uses_loss", True)  # objectives with their own loss
    if loss and task and uses_loss and task not in loss.info.get("tasks", (task,)):
        raise ConfigError("loss", data["loss"]["_target_"].rsplit(".", 1)[-1],
                          f"does not fit a {task} dataset", "for " + task + ": " + ", ".join(
                              n for n in group_options("loss") if task in option_facts("loss", n, "tasks")))
    served = input_kind(data)
    for name, node in (data.get("augmentation") or {}).items():
        aug = SCHEMAS.get(node.get("_target_"))
        accepts = getattr(aug, "info", {}).get("inputs", ()) if aug else ()
        if served and accepts and served not in accepts:
            fitting = [o for o in group_options("augmentation") if served in option_facts("augmentation", o, "inputs")]
            raise ConfigError("augmentation", name, f"transforms {'/'.join(accepts)} data, but this run "
                              f"feeds {served} data", f"for {served} data: {', '.join(fitting) or 'none'}")
    check_manual_backprop(data)


def dataset_task(node: dict, info: dict) -> str | None:
    """The task a dataset serves: its schema's ``info["task"]``, or for a dataset whose config chooses it
    (``info["task_key"]``, a table's ``task``) that key's value when it names one rather than ``auto``."""
    chosen = node.get(info.get("task_key", ""), "auto")
    return info.get("task") if chosen == "auto" else chosen


def check_group_task(group: str, data: dict, task: str | None) -> None:
    """An added group that serves some tasks only (``info["tasks"]``, e.g. decode) must fit the dataset's ``task``."""
    node = data[group] if isinstance(data[group], dict) else {}
    tasks = getattr(SCHEMAS.get(node.get("_target_")), "info", {}).get("tasks", ())
    if tasks and task and task not in tasks:
        raise ConfigError(group, option_name(group, node), f"serves {'/'.join(tasks)} data, but this dataset "
                          f"is a {task} dataset", f"drop {group}, or choose a {'/'.join(tasks)} model and dataset")


def check_objective(data: dict, task: str | None) -> None:
    """The objective must train on the dataset's kind of task (a GAN cannot use a regression table)."""
    objective = SCHEMAS.get(data["objective"].get("_target_"))
    tasks = getattr(objective, "info", {}).get("tasks", ()) if objective else ()
    if not task or not tasks or task in tasks:
        return
    name = next(iter(n for n in group_options("objective")
                     if option_node("objective", n).get("_target_")
                     == data["objective"]["_target_"]), data["objective"]["_target_"])
    fitting = [o for o in group_options("objective") if task in option_facts("objective", o, "tasks")]
    model, dataset = option_name("model", data["model"]), option_name("dataset", data["dataset"])
    reads = tuple(getattr(SCHEMAS.get(data["model"].get("_target_")), "info", {}).get("inputs", ()))
    raise ConfigError("objective", name, f"trains on {'/'.join(tasks)} data, but dataset={dataset} is a {task} "
                      f"dataset (model={model} or dataset={dataset} chose this objective)",
                      f"objectives for {task} data: {', '.join(fitting) or 'none'}; datasets for model={model} "
                      f"with objective={name}: {', '.join(datasets_for(reads, tasks)) or 'none'}")


@functools.lru_cache(maxsize=None)
def option_node(group: str, option: str) -> dict:
    """One option file as plain containers, read once per process: error messages list fitting options
    by reading every file of a group, which would otherwise cost a tenth of a second per refusal."""
    return OmegaConf.to_container(OmegaConf.load(config_dir() / group / f"{option}.yaml")) or {}


def option_name(group: str, node: dict) -> str:
    """The option the user chose (``lenet5``), found by the node it composed to, not the class name."""
    best, score = node.get("_target_", "").rsplit(".", 1)[-1], -1
    for option in group_options(group):
        loaded = option_node(group, option)
        if loaded.get("_target_") != node.get("_target_"):
            continue
        same = sum(1 for k, v in loaded.items() if k != "defaults" and node.get(k) == v)
        if same > score:
            best, score = option, same
    return best


def input_kind(data: dict) -> str | None:
    """The input form the model reads, among those the dataset can serve."""
    ds = SCHEMAS.get(data["dataset"].get("_target_"))
    model = SCHEMAS.get(data["model"].get("_target_"))
    kinds = tuple(getattr(ds, "info", {}).get("inputs", ()))
    wanted = tuple(getattr(model, "info", {}).get("inputs", kinds))
    return next((k for k in wanted if k in kinds), kinds[0] if kinds else None)


def option_facts(group: str, option: str, fact: str) -> tuple:
    """The ``info[fact]`` the schemas declare for one option file (merged over a multi-select file's
    children), so error messages can list the options that would fit."""
    node = option_node(group, option)
    nodes = [node] if "_target_" in node else [v for v in node.values() if isinstance(v, dict)]
    facts: tuple = ()
    for n in nodes:
        cls = SCHEMAS.get(n.get("_target_"))
        facts += tuple(getattr(cls, "info", {}).get(fact, ())) if cls else ()
    return facts


def models_for(kinds: tuple) -> list[str]:
    return [m for m in group_options("model")
            if not option_facts("model", m, "inputs") or set(kinds) & set(option_facts("model", m, "inputs"))]


def datasets_for(kinds: tuple, tasks: tuple = ()) -> list[str]:
    """The dataset options serving one of these input forms (any, when none are named), of one of these
    tasks (any, when none are named; a dataset whose config chooses its task fits every task)."""
    def fits(option: str) -> bool:
        node = option_node("dataset", option)
        info = getattr(SCHEMAS.get(node.get("_target_")), "info", {})
        task = dataset_task(node, info)
        inputs = set(info.get("inputs", ()))
        return (not kinds or bool(set(kinds) & inputs)) and (not tasks or task is None or task in tasks)

    return [d for d in group_options("dataset") if fits(d)]
