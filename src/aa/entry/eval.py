"""aa-eval: test a saved checkpoint on a split of its data (or of other data) and write metrics.json.

    aa-eval ckpt=outputs/runs/<time> [split=test|val] [output=DIR] [dataset=... other overrides]

Each evaluation has its own folder by default, RUN/eval/<checkpoint>-<split>[,<overrides>] (as Hydra
names a sweep's jobs), so comparing decodings or data sets of one checkpoint keeps every result.
"""
from __future__ import annotations

import json
import os
import sys
import time

from aa.entry.arguments import fail, parse_args, relative, restore

OWN = {"ckpt": None, "split": "test", "output": ""}


def main(argv: list[str] | None = None) -> None:
    args, overrides = parse_args(sys.argv[1:] if argv is None else argv, OWN, "aa-eval")
    if args["split"] not in ("test", "val"):
        fail(f"Invalid argument: split={args['split']!r}: is not a split aa-eval measures. Valid choices: test, val.")
    start = time.perf_counter()
    run = restore(args["ckpt"], overrides)
    file, cfg, dm, task = run.checkpoint, run.cfg, run.data, run.task
    import pytorch_lightning as pl

    from aa.callbacks.data_on_device import DataOnDevice

    trainer = pl.Trainer(accelerator=cfg.trainer.get("accelerator", "auto"), devices=1, logger=False,
                         callbacks=[DataOnDevice()], enable_progress_bar=False, enable_model_summary=False)
    split = args["split"]
    dm.setup("test")
    if split == "test" and dm.test_split is None:
        fail(f"Invalid argument: split='test': this run has no test split ({(dm.split_sources or {}).get('test')}). "
             "Valid choices: split=val.")
    run_split = trainer.test if split == "test" else trainer.validate
    run_split(task, datamodule=dm, verbose=False)
    values = {k.split("/", 1)[1]: float(v) for k, v in trainer.callback_metrics.items() if k.startswith(f"{split}/")}
    out_dir = args["output"] or os.path.join(run.run_dir, "eval", evaluation_name(file, split, overrides))
    os.makedirs(out_dir, exist_ok=True)
    metrics = {split: values, "checkpoint": str(file), "overrides": overrides,
               "test_split": dm.test_split if split == "test" else "val",
               "wall_time_s": round(time.perf_counter() - start, 2)}
    path = os.path.join(out_dir, "metrics.json")
    with open(path, "w") as f:
        json.dump(metrics, f, indent=2)
    print(f"aa-eval: {relative(file)} on the {split} split" + (f" ({metrics['test_split']})"
          if metrics["test_split"] != split else ""))
    for name, value in sorted(values.items()):
        print(f"  {split}/{name}: {value:.4f}")
    print(f"metrics: {relative(path)}")


def evaluation_name(file: os.PathLike, split: str, overrides: list[str]) -> str:
    """``best-test``, ``last-val,decode.strategy=beam``: a folder name per checkpoint, split and overrides
    (path separators in override values become underscores)."""
    name = ",".join([f"{os.path.splitext(os.path.basename(file))[0]}-{split}", *sorted(overrides)])
    return name.replace("/", "_").replace("\\", "_")[:200]


if __name__ == "__main__":
    main()
