"""aa-sample: draw samples from a trained VAE, GAN or language model (GPT) without training.

    aa-sample ckpt=outputs/runs/<time> n=64 class=3 output=samples.png seed=0
    aa-sample ckpt=outputs/runs/<gpt run> n=3 prompt="the cat" length=40 temperature=0.8 top_k=10 output=samples.txt

Images become a grid (``nrow`` per row); 2-D mixtures a scatter of the samples over the data's modes.
``class`` (conditional models only) fixes the class of every sample; without it they cycle the classes.
A language model continues ``prompt`` (empty: from a random training token) by ``length`` tokens, one
text per line of ``output`` (default samples.txt), at ``temperature`` among the ``top_k`` most probable.
"""
from __future__ import annotations

import sys

from aa.entry.arguments import fail, parse_args, relative, restore

OWN = {"ckpt": None, "n": "64", "class": "", "output": "", "seed": "0", "nrow": "8", "prompt": "", "length": "50",
       "temperature": "", "top_k": ""}


def integer(key: str, value: str, low: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if number < low:
        fail(f"Invalid argument: {key}={value!r}: must be a whole number >= {low}.")
    return number


def main(argv: list[str] | None = None) -> None:
    args, overrides = parse_args(sys.argv[1:] if argv is None else argv, OWN, "aa-sample")
    n, seed, nrow = integer("n", args["n"], 1), integer("seed", args["seed"], 0), integer("nrow", args["nrow"], 1)
    wanted = integer("class", args["class"], 0) if args["class"] else None
    run = restore(args["ckpt"], overrides)
    file, dm, task = run.checkpoint, run.data, run.task
    import torch

    from aa.generative.parts import split_model
    from aa.models.contract import Sampler

    net = split_model(task.model)[1].eval()
    if hasattr(net, "generate"):
        from aa.entry.sample_text import sample_text

        sample_text(net, dm, task, args, n, seed)
        return
    if not isinstance(net, Sampler):
        fail(f"Invalid argument: ckpt={args['ckpt']!r}: its model ({type(net).__name__}) cannot draw samples; "
             "sampling needs a model=vae or model=gan run (an autoencoder has no prior).")
    names = list(dm.class_names)
    if wanted is not None and not net.classes:
        fail(f"Invalid argument: class={wanted}: this model is not conditional (model.conditional=false), so "
             "it cannot draw a chosen class; leave class out.")
    if wanted is not None and wanted >= net.classes:
        fail(f"Invalid argument: class={wanted}: the model has {net.classes} classes. Valid choices: 0-"
             f"{net.classes - 1} ({', '.join(names)}).")
    labels = None
    if net.classes:
        labels = torch.full((n,), wanted) if wanted is not None else torch.arange(n) % net.classes
    with torch.no_grad():
        samples = net.sample(n, labels, generator=torch.Generator().manual_seed(seed))
    output = args["output"] or "samples.png"
    write(samples, dm, output, nrow)
    chosen = f" of class {names[wanted] if wanted < len(names) else wanted}" if wanted is not None else ""
    print(f"{n} samples{chosen} from {relative(file)} written to {output}")


def write(samples, dm, output: str, nrow: int) -> None:
    """A PNG grid of images, or for 2-D points a scatter over the data's modes."""
    if samples.dim() == 4:
        from torchvision.utils import save_image

        from aa.generative.figures import grid

        save_image(grid(samples, nrow), output)
        return
    from aa.base.plotting import pyplot
    from aa.data.contract import KnownDensity
    from aa.generative.figures import mixture_cloud

    if not isinstance(dm, KnownDensity) or samples.shape[1] != 2:
        fail("Invalid argument: this run's samples are neither images nor 2-D points, so there is no picture "
             "to write.")
    fig = mixture_cloud(samples, dm.x_val, dm.centers, dm.std, 0)
    fig.axes[0].set_title(f"{len(samples)} samples over the modes (3 sigma)")
    fig.savefig(output, dpi=90, bbox_inches="tight")
    pyplot().close(fig)


if __name__ == "__main__":
    main()
