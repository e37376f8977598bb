"""aa-train: check the command line cheaply, then hand it to Hydra; torch loads only to train."""
from __future__ import annotations

import sys

from aa.config.paths import config_dir, config_groups, group_options


def check(argv: list[str]) -> None:
    """Everything that can be refused before training, said in one paragraph (exit 2): names against
    configs/, then a single run composed and validated once, or every combination of a sweep."""
    from aa.base.errors import ConfigError
    from aa.config.command_line import check_names, checked, parse

    overrides = [a for a in argv if not a.startswith("-") and ("=" in a or a.startswith("~"))]
    flags = [a for a in argv if a.startswith("-")]
    try:
        check_names(parse(overrides))
        if any(a in ("-m", "--multirun") for a in flags):
            from aa.sweep.precheck import check_sweep

            problem = check_sweep(argv)
            if problem:
                raise SystemExit(_said(problem))
        elif not flags:
            checked(overrides)
    except ConfigError as e:
        raise SystemExit(_said(str(e))) from None


def _said(problem: str) -> int:
    print(problem, file=sys.stderr)
    return 2


def task(cfg):  # type: ignore[no-untyped-def]
    from aa.run.train import hydra_task

    return hydra_task(cfg)


HELP_EXAMPLES = """Examples:
  aa-train                                        MLP on the bundled digits, then test
  aa-train model=mlp model.hidden=[128,64] optim=adam optim.lr=0.003
  aa-train model=resnet18 optim=adam
  aa-train -m optim=sgd,adam optim.lr=0.01,0.1    sweep: one job per combination
  aa-train -m experiment=activations_spiral       a lecture experiment
  aa-train --cfg job                              print the composed config
  aa-train --hydra-help                           Hydra's own options
Dashboard: tensorboard --logdir outputs"""


def print_help(argv: list[str] | None = None) -> None:
    """Groups and options read straight from configs/, so --help needs neither Hydra nor torch;
    ``--help GROUP`` shows a group's options and the values a run uses (aa.config.help)."""
    from omegaconf import OmegaConf

    from aa.config.help import group_help, help_topic, train_defaults

    argv = sys.argv[1:] if argv is None else argv
    if (group := help_topic(argv)) is not None:
        print(group_help(group, argv))
        return
    defaults = train_defaults()
    lines = ["aa-train: train and test a network from composed configs; -m sweeps.", "",
             "Config groups (choose with group=option; * marks the default):"]
    for group in config_groups():
        opts = [f"{o}*" if o == defaults.get(group) else o for o in group_options(group)]
        lines.append(f"  {group}: {', '.join(opts)}")
    top = OmegaConf.load(config_dir() / "train.yaml")
    keys = [f"{k}={OmegaConf.to_yaml(top[k]).strip() if OmegaConf.is_config(top[k]) else top[k]}"
            for k in top if k not in ("defaults", "hydra") and not OmegaConf.is_config(top[k])]
    lines += ["", "Top-level settings: " + "  ".join(keys),
              "Any key of a chosen option can be set: optim.lr=0.01, model.hidden=[64,64], dataset.name=xor.",
              "A group's options and the values a run uses: aa-train --help GROUP (--help model, "
              "--help model=vae, --help trainer model=resnet18).", "", HELP_EXAMPLES]
    print("\n".join(lines))


def main() -> None:
    argv = sys.argv[1:]
    if any(a in ("--help", "-h") for a in argv):
        print_help()
        return
    from aa.config.command_line import resume_argv

    argv, problem = resume_argv(argv)
    if problem:
        raise SystemExit(_said(problem))
    check(argv)
    import hydra

    from aa.config import resolvers

    resolvers.register()

    sys.argv = [sys.argv[0], *argv]
    hydra.main(config_path=str(config_dir()), config_name="train", version_base="1.3")(task)()


if __name__ == "__main__":
    main()
