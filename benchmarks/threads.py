"""One thread or two? Time small recurrent training steps, quiet and with one core busy.

    .venv/bin/python benchmarks/threads.py            # the book's sizes: batch 64, T = 100, H = 32
    .venv/bin/python benchmarks/threads.py --H 256    # a larger model

For each thread count (1 and 2) and each load (quiet, one core kept busy by a
spinning process), it reports the median time of a forward+backward step of
`torch.nn.LSTM` and of `torch.nn.RNN` (tanh). The book's run-time appendix
quotes this table to explain why `rnn_helpers.setup()` uses one thread.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time

import torch


def _spin(stop) -> None:  # pragma: no cover - child process
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1


def step_ms(kind: str, batch: int, T: int, D: int, H: int, repeats: int) -> float:
    gen = torch.Generator().manual_seed(0)
    cls = {"LSTM": torch.nn.LSTM, "RNN": torch.nn.RNN}[kind]
    net = cls(D, H, batch_first=True)
    x = torch.randn(batch, T, D, generator=gen)
    times = []
    for _ in range(repeats + 2):
        start = time.perf_counter()
        out, _ = net(x)
        out.pow(2).mean().backward()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times[2:])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--T", type=int, default=100)
    p.add_argument("--D", type=int, default=32)
    p.add_argument("--H", type=int, default=32)
    p.add_argument("--repeats", type=int, default=30)
    args = p.parse_args(argv)
    print(f"batch {args.batch}, T = {args.T}, D = {args.D}, H = {args.H}; median of {args.repeats}, ms per step")
    print(f"{'model':<6}{'load':<8}{'1 thread':>10}{'2 threads':>11}")
    for busy in (False, True):
        stop = mp.Event()
        proc = mp.Process(target=_spin, args=(stop,), daemon=True) if busy else None
        if proc:
            proc.start()
        try:
            for kind in ("LSTM", "RNN"):
                row = []
                for threads in (1, 2):
                    torch.set_num_threads(threads)
                    row.append(step_ms(kind, args.batch, args.T, args.D, args.H, args.repeats))
                print(f"{kind:<6}{'busy' if busy else 'quiet':<8}{row[0]:>10.1f}{row[1]:>11.1f}", flush=True)
        finally:
            stop.set()
            if proc:
                proc.join(timeout=5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
