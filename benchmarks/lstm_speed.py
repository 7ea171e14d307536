"""Race from-scratch LSTMs against torch.nn.LSTM on this machine (Chapter 9 of the book).

    python benchmarks/lstm_speed.py                       # batch 64, T = 100, D = H = 128, one thread, CPU
    python benchmarks/lstm_speed.py --threads 2 --batch 8
    python benchmarks/lstm_speed.py --compile             # add torch.compile's variant (compiles first)
    python benchmarks/lstm_speed.py --device cuda         # on a GPU, torch.nn.LSTM runs cuDNN

The variants: Chapter 7's loop ("naive"), the loop with the input projection hoisted ("hoisted"),
that loop compiled with TorchScript ("scripted"; TorchScript is deprecated, kept for comparison),
and, with --compile, the hoisted loop with its step compiled by torch.compile ("compiled").
All compute the same function (checked before timing). Times are medians over --repeats
interleaved rounds, after two warm-up calls, in milliseconds; ratios are to torch.nn.LSTM.
They are wall-clock times of this machine under its current load: nothing asserts on them.

Why one thread by default: on the book's two-core machines one matrix product of these sizes
(N = 64, H = 128) is too small to split well, so a second thread buys nothing; and when another
process holds a core, two threads wait for each other at every operation and the times jump
(the book's appendix on run times shows both). Pass --threads to try more.
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from rnn_helpers.speed import benchmark_lstm, format_table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=64, help="batch size N (default 64)")
    parser.add_argument("--T", type=int, default=100, help="sequence length T (default 100)")
    parser.add_argument("--D", type=int, default=128, help="input size D (default 128)")
    parser.add_argument("--H", type=int, default=128, help="hidden size H (default 128)")
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds; the median is reported (default 7)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch.set_num_threads for the run (default 1: steadier on a shared two-core machine)",
    )
    parser.add_argument(
        "--compile",
        nargs="?",
        const="inductor",
        default=None,
        metavar="BACKEND",
        help="also race torch.compile's variant (backend inductor unless named); its first call compiles",
    )
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
    args = parser.parse_args(argv)

    print(
        f"torch {torch.__version__}; os.cpu_count() = {os.cpu_count()}; torch.get_num_threads() = "
        f"{torch.get_num_threads()} by default, {args.threads} for this run; device {args.device}"
    )
    print(
        f"one LSTM layer, float32: batch N = {args.batch}, T = {args.T}, D = {args.D}, H = {args.H}; "
        f"median of {args.repeats} rounds\n"
    )
    start = time.perf_counter()
    rows = benchmark_lstm(
        batch=args.batch,
        T=args.T,
        D=args.D,
        H=args.H,
        repeats=args.repeats,
        device=args.device,
        num_threads=args.threads,
        compiled=args.compile or False,
    )
    print(format_table(rows))
    compile_s = {r["variant"]: r["compile_s"] for r in rows}
    print(f"\nTorchScript (deprecated) compile time: {compile_s['scripted']:.3f} s (not included above)")
    if "compiled" in compile_s:
        print(f"torch.compile ({args.compile}): first calls, mostly compiling: {compile_s['compiled']:.1f} s")
    print(f"whole benchmark: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
