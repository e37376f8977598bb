"""This project's Word2Vec against gensim's on the same corpus and hyper-parameters.

Both train on the same training sentences (the corpus data module's, held-out sentences left out) with
the same dim, window, negative, min_count, sample and epochs; both sets of vectors are scored by the
same word tests (aa.data.word_tests, which match gensim's evaluate_word_pairs/analogies). One line per
system and seed: tokens per second of training (raw corpus words x epochs / training time), wall time,
WordSim-353 and SimLex-999 Spearman, analogy accuracy, with the pairs/questions in the vocabulary.

    pip install 'aa[embeddings]'
    python scripts/bench_word2vec.py                                  # gensim's Lee corpus, skip-gram
    python scripts/bench_word2vec.py --mode cbow --seeds 3
    python scripts/bench_word2vec.py --corpus text8 --epochs 5 --extra trainer=gpu   # needs the download
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time



def compose(args: argparse.Namespace, seed: int) -> object:
    from hydra import compose as hydra_compose, initialize_config_dir
    from aa.config import resolvers
    from aa.config.paths import config_dir

    resolvers.register()
    is_file = os.path.isfile(args.corpus)
    dataset = ["dataset=corpus", f"dataset.path={args.corpus}"] if is_file else [f"dataset={args.corpus}"]
    overrides = ["model=word2vec", f"model.mode={args.mode}", f"model.dim={args.dim}", f"model.window={args.window}",
                 f"model.negative={args.negative}", *dataset, f"dataset.min_count={args.min_count}",
                 f"dataset.sample={args.sample}", f"dataset.batch_size={args.batch_size}",
                 f"trainer.max_epochs={args.epochs}", f"seed={seed}", "+trainer.enable_checkpointing=false",
                 "trainer.enable_progress_bar=false", *args.optim, *args.extra]
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return hydra_compose(config_name="train", overrides=overrides)


def run_aa(args: argparse.Namespace, seed: int, tests) -> dict:
    import pytorch_lightning as pl

    from aa.config.validate import validate
    from aa.run import build

    from omegaconf import open_dict

    cfg = compose(args, seed)
    validate(cfg)
    with open_dict(cfg):
        cfg.trainer.limit_val_batches = 0  # training time only; the word tests run on the vectors after
        cfg.logger, cfg.callbacks = None, None
    start = time.perf_counter()
    pl.seed_everything(seed, verbose=False)
    dm = build.build_data(cfg)
    task = build.build_task(cfg, dm)
    trainer = build.build_trainer(cfg, tempfile.mkdtemp(prefix="w2v-bench-"), dm)
    fit_start = time.perf_counter()
    trainer.fit(task, datamodule=dm)
    fit_s = time.perf_counter() - fit_start
    words = sum(1 for s in dm.training_sentences() for _ in s)
    vectors = task.model.vectors.weight.detach().cpu()
    return {"fit_s": fit_s, "wall_s": time.perf_counter() - start, "words": words, "vocab": len(dm.itos),
            **tests.run(vectors, dm.stoi), "dm": dm}


def run_gensim(args: argparse.Namespace, seed: int, dm, tests) -> dict:
    import torch
    from gensim.models import Word2Vec

    sentences = list(dm.training_sentences())
    start = time.perf_counter()
    model = Word2Vec(sentences, vector_size=args.dim, window=args.window, negative=args.negative, hs=0,
                     min_count=args.min_count, sample=args.sample, sg=int(args.mode == "skipgram"), epochs=args.epochs,
                     workers=args.threads, seed=seed)
    fit_s = time.perf_counter() - start
    kv = model.wv
    vectors = torch.tensor(kv.vectors)
    return {"fit_s": fit_s, "wall_s": fit_s, "words": sum(len(s) for s in sentences), "vocab": len(kv),
            **tests.run(vectors, kv.key_to_index)}


def line(system: str, seed: int, epochs: int, r: dict) -> str:
    keys = ("wordsim353_spearman", "simlex999_spearman", "analogy_acc")
    counts = ("wordsim353_pairs", "simlex999_pairs", "analogy_questions")
    scores = " ".join(f"{k}={r.get(k, float('nan')):.4f}({int(r.get(c, 0))})" for k, c in zip(keys, counts))
    return (f"system={system} seed={seed} vocab={r['vocab']} tokens_per_s={r['words'] * epochs / r['fit_s']:.0f} "
            f"train_s={r['fit_s']:.2f} wall_s={r['wall_s']:.2f} {scores}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default="lee", help="lee, text8, grammar or a plain-text file")
    p.add_argument("--mode", default="skipgram", choices=("skipgram", "cbow"))
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-3)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=1024, help="centre words per update (aa)")
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--threads", type=int, default=1, help="torch threads and gensim workers")
    p.add_argument("--optim", nargs="*", default=["optim=adam", "optim.lr=0.003"], help="aa's optimiser overrides")
    p.add_argument("--extra", nargs="*", default=[], help="further aa-train overrides, e.g. trainer=gpu")
    args = p.parse_args()

    import torch

    from aa.data.word_tests import WordTests

    torch.set_num_threads(args.threads)
    tests = WordTests()
    results: dict[str, list[dict]] = {"aa": [], "gensim": []}
    for seed in range(1, args.seeds + 1):
        ours = run_aa(args, seed, tests)
        print(line("aa", seed, args.epochs, ours), flush=True)
        theirs = run_gensim(args, seed, ours.pop("dm"), tests)
        print(line("gensim", seed, args.epochs, theirs), flush=True)
        results["aa"].append(ours), results["gensim"].append(theirs)
    for key in ("wordsim353_spearman", "simlex999_spearman", "analogy_acc"):
        means = {s: statistics.fmean(r.get(key, float("nan")) for r in rs) for s, rs in results.items()}
        diff = means["aa"] - means["gensim"]
        print(f"mean {key}: aa={means['aa']:.4f} gensim={means['gensim']:.4f} diff={diff:+.4f}")
    times = {s: statistics.fmean(r["fit_s"] for r in rs) for s, rs in results.items()}
    ratio = times["aa"] / times["gensim"]
    print(f"training time ratio aa/gensim: {ratio:.2f} ({args.threads} thread(s))")


if __name__ == "__main__":
    main()
