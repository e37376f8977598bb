"""Hogwild workers (Recht et al. 2011; gensim's ``workers``): forked processes that apply closed-form
updates to the same tables in shared memory, each on its own runs, without locks.

A model whose update needs no autograd and no optimiser (Word2Vec's ``closed_form``) can train one
epoch's runs in several processes at once: Python's interpreter lock keeps threads from overlapping
the many small tensor operations of an update, processes do not. The model's tables move to shared
memory before the first fork, so every process reads and writes the same rows; two processes may
update a row at the same moment and one of the two additions can be lost, as in word2vec.c and gensim.
Results are therefore not bit-for-bit reproducible above one worker.

Each epoch the main process keeps runs 0, w, 2w, ... and worker k takes runs k, k + w, ...; each
worker draws its random numbers from a seed the main process draws, and sends back each run's loss and
prediction count at the epoch's end. Workers are forked once (a fork costs about 10 ms) and stopped
at the last epoch's end, when the pool is collected, or with the main process (daemons).
"""
from __future__ import annotations

import multiprocessing as mp
import weakref
from multiprocessing.connection import Connection
from typing import Any, Callable, Sequence

import torch
from torch import Tensor, nn

Run = tuple[Tensor, Tensor, float]  # word ids, sentence ids, learning rate
Update = Callable[[Tensor, Tensor, float], tuple[Tensor, int]]


def _serve(update: Update, conn: Connection, threads: int) -> None:
    """A worker's loop: an epoch's runs in, each run's (loss, predictions) out; None stops it."""
    torch.set_num_threads(threads)
    while True:
        job = conn.recv()
        if job is None:
            return
        seed, runs = job
        torch.manual_seed(seed)
        results = []
        for tokens, sentences, lr in runs:
            loss, n = update(torch.from_numpy(tokens), torch.from_numpy(sentences), lr)
            results.append((float(loss), n))
        conn.send(results)


class HogwildPool:
    """``workers - 1`` forked helpers beside the main process, all updating ``model``'s tables."""

    def __init__(self, model: nn.Module, update: Update, workers: int, threads: int) -> None:
        if any(p.device.type != "cpu" for p in model.parameters()):
            from aa.base.errors import ConfigError

            raise ConfigError("model.workers", workers, "runs Hogwild processes on the CPU only; on an "
                              "accelerator one process already uses the whole device", "model.workers=1")
        model.share_memory()
        context = mp.get_context("fork")
        self.workers, self.threads, self.model_id = workers, threads, id(model)
        self.conns: list[Connection] = []
        self.procs: list[Any] = []
        for _ in range(workers - 1):
            ours, theirs = context.Pipe()
            proc = context.Process(target=_serve, args=(update, theirs, threads), daemon=True)
            proc.start()
            theirs.close()
            self.conns.append(ours)
            self.procs.append(proc)
        self._finalizer = weakref.finalize(self, _stop, self.conns, self.procs)

    def send(self, runs: Sequence[Run]) -> None:
        """Hand worker k the runs k, k + w, ... of this epoch (the main process keeps 0, w, ...)."""
        for k, conn in enumerate(self.conns, start=1):
            seed = int(torch.randint(2**62, ()))
            conn.send((seed, [(t.numpy(), s.numpy(), lr) for t, s, lr in runs[k::self.workers]]))

    def receive(self) -> list[list[tuple[float, int]]]:
        """Each worker's (loss, predictions) per run, waiting for the slowest; a worker that died is
        reported instead of waited for."""
        results = []
        for conn, proc in zip(self.conns, self.procs):
            while not conn.poll(1.0):
                if not proc.is_alive():
                    raise RuntimeError(f"a Hogwild worker (pid {proc.pid}) stopped with exit code {proc.exitcode}")
            results.append(conn.recv())
        return results

    def close(self) -> None:
        self._finalizer()


def _stop(conns: list[Connection], procs: list[Any]) -> None:
    for conn in conns:
        try:
            conn.send(None)
        except (BrokenPipeError, OSError):
            pass
    for proc in procs:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.terminate()
