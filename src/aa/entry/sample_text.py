"""aa-sample's text branch: a language model (GPT) continues a prompt; one text per line of the output."""
from __future__ import annotations

from typing import Any

from aa.entry.arguments import fail


def number(key: str, value: str, cast: type, low: float) -> Any:
    try:
        x = cast(value)
    except ValueError:
        x = None
    if x is None or x < low:
        fail(f"Invalid argument: {key}={value!r}: must be a {'whole ' if cast is int else ''}number >= {low}.")
    return x


def sample_text(net: Any, dm: Any, task: Any, args: dict[str, str], n: int, seed: int) -> None:
    import torch

    objective = task.objective
    temperature = number("temperature", args["temperature"], float, 1e-3) if args["temperature"] \
        else getattr(objective, "temperature", 1.0)
    top_k = number("top_k", args["top_k"], int, 1) if args["top_k"] else getattr(objective, "top_k", None)
    length = number("length", args["length"], int, 1)
    tokens = dm.tokens(args["prompt"])
    unknown = [t for t in tokens if t not in dm.stoi]
    if unknown:
        fail(f"Invalid argument: prompt={args['prompt']!r}: {', '.join(map(repr, unknown[:5]))} "
             f"{'is' if len(unknown) == 1 else 'are'} not in the model's vocabulary of {len(dm.itos)} tokens "
             f"(dataset.level={dm.level}). Valid choices: a prompt of tokens from the training text.")
    generator = torch.Generator().manual_seed(seed)
    if tokens:
        start = torch.tensor([dm.encode(tokens)] * n)
    else:
        train = dm.x_train[:, 0]
        start = train[torch.randint(len(train), (n, 1), generator=generator)]
    out = net.generate(start, length, temperature, top_k, generator)
    texts = [dm.decode(row) for row in out]
    output = args["output"] or "samples.txt"
    with open(output, "w", encoding="utf-8") as f:
        f.write("\n".join(texts) + "\n")
    print(f"{n} texts of {length} tokens after {args['prompt']!r} (temperature {temperature}, top_k {top_k}) "
          f"written to {output}")
    for text in texts[:5]:
        print("  " + text)
