"""This project's Word2Vec against gensim's on the same corpus, hyper-parameters and thread count.

Both train on the same training sentences (the corpus data module's, held-out sentences left out) with
the same dim, window, negative, min_count, sample and epochs, on the same number of threads (torch's
threads for aa, gensim's ``workers``); both sets of vectors are scored by the
same word tests (aa.data.word_tests, which match gensim's evaluate_word_pairs/analogies).

What is timed, on both sides, is the training call alone: aa's ``trainer.fit`` (validation off; the
corpus is read and the model built before the clock starts) and gensim's ``Word2Vec.train`` (its
vocabulary built before the clock starts, from the same sentences already in memory). Words per second
are raw training-corpus words x epochs / that time, the median of ``--rounds`` runs of each side taken in
turn (the word scores are the first round's vectors'). torch.set_num_threads and gensim's workers are both
the thread count. aa trains with its default update (on a CPU word2vec.c's compiled loop) and
``--workers`` of its threads at once (``model.workers``, default 1: on the Lee corpus on a 2-core machine
two Hogwild workers were slower than one, the two cores invalidating each other's cached rows).

Per seed and thread count, one line per system: words/s, time, WordSim-353 and SimLex-999 Spearman and
analogy accuracy (pairs/questions in the vocabulary). Per thread count, a summary line with both
words/s figures, the three-seed mean scores of both and ``ratio <aa time / gensim time>``.

    pip install 'aa[embeddings]'
    python scripts/bench_word2vec.py                                  # gensim's Lee corpus, skip-gram, 1 and 2 threads
    python scripts/bench_word2vec.py --mode cbow --seeds 3
    python scripts/bench_word2vec.py --corpus grammar --extra dataset.n_sentences=120000 --threads 1
    python scripts/bench_word2vec.py --corpus text8 --epochs 5 --extra trainer=gpu   # needs the download
"""
from __future__ import annotations

import argparse
import gc
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
                 f"dataset.sample={args.sample}",
                 *([f"dataset.batch_size={args.batch_size}"] if args.batch_size else []),
                 f"trainer.max_epochs={args.epochs}", f"seed={seed}", f"model.workers={args.workers}",
                 "+trainer.enable_checkpointing=false",
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
    gc.collect()  # the earlier rounds' objects, collected before the clock (on both sides)
    fit_start = time.perf_counter()
    trainer.fit(task, datamodule=dm)
    fit_s = time.perf_counter() - fit_start
    words = sum(1 for s in dm.training_sentences() for _ in s)
    vectors = task.model.vectors.weight.detach().cpu()
    return {"fit_s": fit_s, "wall_s": time.perf_counter() - start, "words": words, "vocab": len(dm.itos),
            **tests.run(vectors, dm.stoi), **neighbours(vectors, dm.itos, dm), "dm": dm}


def neighbours(vectors, itos: list[str], dm) -> dict:
    """The share of words whose nearest word is of their class, when the corpus knows its classes."""
    from aa.data.word_tests import same_class_neighbours

    return {"neighbour_same_class": same_class_neighbours(vectors, itos, dm.word_classes)} if dm.word_classes else {}


def run_gensim(args: argparse.Namespace, seed: int, threads: int, dm, tests) -> dict:
    import torch
    from gensim.models import Word2Vec

    sentences = list(dm.training_sentences())
    model = Word2Vec(vector_size=args.dim, window=args.window, negative=args.negative, hs=0,
                     min_count=args.min_count, sample=args.sample, sg=int(args.mode == "skipgram"), epochs=args.epochs,
                     workers=threads, seed=seed)
    model.build_vocab(sentences)
    gc.collect()
    start = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    fit_s = time.perf_counter() - start
    kv = model.wv
    vectors = torch.tensor(kv.vectors)
    return {"fit_s": fit_s, "wall_s": fit_s, "words": sum(len(s) for s in sentences), "vocab": len(kv),
            **tests.run(vectors, kv.key_to_index), **neighbours(vectors, list(kv.index_to_key), dm)}


def line(system: str, seed: int, threads: int, epochs: int, r: dict, workers: int | None = None) -> str:
    keys = ("wordsim353_spearman", "simlex999_spearman", "analogy_acc")
    counts = ("wordsim353_pairs", "simlex999_pairs", "analogy_questions")
    scores = " ".join(f"{k}={r.get(k, float('nan')):.4f}({int(r.get(c, 0))})" for k, c in zip(keys, counts))
    if "neighbour_same_class" in r:
        scores += f" neighbour_same_class={r['neighbour_same_class']:.4f}"
    workers = f" workers={workers}" if workers else ""
    return (f"system={system} seed={seed} threads={threads}{workers} vocab={r['vocab']} tokens_per_s={r['words'] * epochs / r['fit_s']:.0f} "
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
    p.add_argument("--batch-size", type=int, default=None, help="centre words per update (aa; default: the dataset's)")
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--rounds", type=int, default=3, help="timed runs of each side per seed, alternating; medians")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="torch threads and gensim workers, each in turn")
    p.add_argument("--workers", type=int, default=1, help="aa's model.workers: threads training its tables at once")
    p.add_argument("--optim", nargs="*", default=[], help="aa's optimiser overrides (model.update=autograd uses them)")
    p.add_argument("--extra", nargs="*", default=[], help="further aa-train overrides, e.g. trainer=gpu")
    args = p.parse_args()

    import torch

    from aa.data.word_tests import WordTests

    tests = WordTests()
    keys = (("wordsim353_spearman", "WordSim"), ("simlex999_spearman", "SimLex"), ("analogy_acc", "analogy"), ("neighbour_same_class", "neighbour"))
    summaries = []
    for threads in args.threads:
        torch.set_num_threads(threads)
        results: dict[str, list[dict]] = {"aa": [], "gensim": []}
        for seed in range(1, args.seeds + 1):
            fits: dict[str, list[float]] = {"aa": [], "gensim": []}
            for round_ in range(args.rounds):  # alternating rounds: a second of training is at the mercy of a busy core
                run_ours = run_aa(args, seed, tests)
                run_theirs = run_gensim(args, seed, threads, run_ours.pop("dm"), tests)
                fits["aa"].append(run_ours["fit_s"]), fits["gensim"].append(run_theirs["fit_s"])
                if round_ == 0:
                    ours, theirs = run_ours, run_theirs  # the scores: the first round's vectors
            ours["fit_s"], theirs["fit_s"] = statistics.median(fits["aa"]), statistics.median(fits["gensim"])
            print(line("aa", seed, threads, args.epochs, ours, args.workers), flush=True)
            print(line("gensim", seed, threads, args.epochs, theirs), flush=True)
            results["aa"].append(ours), results["gensim"].append(theirs)
        rate = {s: statistics.fmean(r["words"] * args.epochs / r["fit_s"] for r in rs) for s, rs in results.items()}
        times = {s: statistics.fmean(r["fit_s"] for r in rs) for s, rs in results.items()}
        present = [(k, name) for k, name in keys if k in results["aa"][0]]
        scores = " ".join(
            f"{name} aa={statistics.fmean(r.get(k, float('nan')) for r in results['aa']):.4f} "
            f"gensim={statistics.fmean(r.get(k, float('nan')) for r in results['gensim']):.4f}" for k, name in present)
        summaries.append(f"{args.mode} {args.corpus} threads={threads} aa_workers={args.workers} seeds=1-{args.seeds}: aa {rate['aa']:,.0f} "
                         f"words/s, gensim {rate['gensim']:,.0f} words/s; mean {scores}; "
                         f"ratio {times['aa'] / times['gensim']:.2f} (aa time / gensim time)")
    for summary in summaries:
        print(summary, flush=True)


if __name__ == "__main__":
    main()
