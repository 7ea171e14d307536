"""Table 2 of Koutník et al. (2014), sequence generation, at small scale (Chapter 12 of the book).

    python benchmarks/clockwork_replication.py           # the book's table: writes book/part4/clockwork_table.csv
    python benchmarks/clockwork_replication.py --sizes 100 --steps 5 --seeds 2 --tune-seeds 1 --long-steps 8 \
        --out /tmp/t.csv

Three generators with no input, one hidden layer and a linear output learn to produce the same
320-sample multi-scale waveform (rnn_helpers.multiscale_target, seed 0): an SRN (tanh RNN), an
LSTM (forget-gate bias 1) and a clockwork RNN (modules of equal size, periods 1, 2, 4, ...), at
about 100, 250, 500 and 1,000 parameters each (the closest counts the architectures allow).
Each is trained with full-batch Adam on the normalised mean squared error (NMSE), every network's
gradient clipped to norm --clip (each network its own norm). For every model and size, the
learning rate is picked from --rates by the mean NMSE over the last 10% of the steps, averaged
over the --tune-seeds seeds (100, 101, ...); the table then reports mean and sd of the final NMSE
over --seeds fresh seeds (0, 1, ...) at that rate (protocol "tuned"). For the same networks it
also reports a baseline that trains nothing recurrent: the untrained network (its initial random
weights) with the readout U, b^u fitted by least squares ("readout_*" columns). At the largest
size the fresh seeds train on to --long-steps steps at the same rates (protocol "long"; the
"tuned" row is read off the same runs after --steps steps, which is what a --steps run gives).
Two baselines that learn nothing are added: the target's mean (NMSE 1) and the best single
sinusoid. Seeds, rates and models are batched (rnn_helpers.fit_generators). One torch thread.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np
import torch

from rnn_helpers.clockwork import fit_generators, generator_params, multiscale_target, sinusoid_baseline

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = [
    "size",
    "model",
    "hidden",
    "module_sizes",
    "periods",
    "params",
    "rate",
    "nmse_mean",
    "nmse_sd",
    "n_seeds",
    "nmse_seeds",
    "steps",
    "grid",
    "protocol",
    "clip",
    "readout_mean",
    "readout_sd",
    "readout_seeds",
]


def size_specs(target: int) -> dict:
    """The three models whose parameter counts are closest to ``target`` (CW-RNN: 6 to 8 equal modules)."""
    H_srn = min(range(1, 200), key=lambda H: abs(generator_params("srn", [H]) - target))
    H_lstm = min(range(1, 100), key=lambda H: abs(generator_params("lstm", [H]) - target))
    M, k = min(
        ((M, k) for M in (6, 7, 8) for k in range(1, 40)),
        key=lambda mk: abs(generator_params("cwrnn", [mk[1]] * mk[0]) - target),
    )
    return {
        "SRN": ("srn", [H_srn], [1]),
        "LSTM": ("lstm", [H_lstm], [1]),
        "CW-RNN": ("cwrnn", [k] * M, [2**m for m in range(M)]),
    }


def _fmt(values) -> tuple[str, str, str]:
    v = np.asarray(values, dtype=float)
    sd = v.std(ddof=1) if len(v) > 1 else 0.0
    return f"{v.mean():.6g}", f"{sd:.6g}", " ".join(f"{x:.6g}" for x in v)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,250,500,1000", help="target parameter counts")
    parser.add_argument(
        "--rates", default="0.0001,0.0003,0.001,0.003,0.01,0.03,0.1,0.3", help="learning-rate grid (Adam)"
    )
    parser.add_argument("--steps", type=int, default=500, help="full-batch Adam steps per run (default 500)")
    parser.add_argument("--long-steps", type=int, default=3000, help="steps of the long-budget row (0: none)")
    parser.add_argument("--clip", type=float, default=1.0, help="gradient-norm bound per network (default 1)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds reported (0, 1, ...; default 5)")
    parser.add_argument("--tune-seeds", type=int, default=3, help="seeds that pick the rate (100, ...; default 3)")
    parser.add_argument("--T", type=int, default=320, help="length of the target (default 320)")
    parser.add_argument("--out", default=str(ROOT / "book" / "part4" / "clockwork_table.csv"))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)  # vanishing gradients: tiny numbers are slow on a CPU

    sizes = [int(s) for s in args.sizes.split(",")]
    grid = [float(r) for r in args.rates.split(",")]
    seeds, tune_seeds = list(range(args.seeds)), [100 + s for s in range(args.tune_seeds)]
    target = multiscale_target(args.T, seed=0)
    start, rows = time.perf_counter(), []
    for size in sizes:
        specs = size_specs(size)
        tuned = fit_generators(specs, target, tune_seeds, {n: grid for n in specs}, args.steps, clip=args.clip)
        best = {n: grid[int(np.argmin(tuned[n]["tail"].mean(1)))] for n in specs}
        long = size == max(sizes) and args.long_steps > args.steps
        steps = args.long_steps if long else args.steps
        final = fit_generators(specs, target, seeds, {n: [best[n]] for n in specs}, steps, clip=args.clip)
        for n, (kind, modules, periods) in specs.items():
            # NMSE after args.steps updates: the curve holds the NMSE before each step
            at_steps = final[n]["curve"][args.steps, 0] if long else final[n]["nmse"][0]
            results = [("tuned", args.steps, at_steps)] + ([("long", steps, final[n]["nmse"][0])] if long else [])
            for protocol, n_steps, nmse in results:
                mean, sd, each = _fmt(nmse)
                r_mean, r_sd, r_each = _fmt(final[n]["readout"][0])
                rows.append(
                    {
                        "size": size,
                        "model": n,
                        "hidden": sum(modules),
                        "module_sizes": " ".join(map(str, modules)),
                        "periods": " ".join(map(str, periods)),
                        "params": generator_params(kind, modules),
                        "rate": best[n],
                        "nmse_mean": mean,
                        "nmse_sd": sd,
                        "n_seeds": len(nmse),
                        "nmse_seeds": each,
                        "steps": n_steps,
                        "grid": " ".join(f"{r:g}:{v:.4g}" for r, v in zip(grid, tuned[n]["tail"].mean(1))),
                        "protocol": protocol,
                        "clip": args.clip,
                        "readout_mean": r_mean,
                        "readout_sd": r_sd,
                        "readout_seeds": r_each,
                    }
                )
                print(
                    f"{size:5d} {n:7s} {protocol:5s} H = {sum(modules):3d}, {rows[-1]['params']:5d} parameters, "
                    f"rate {best[n]:<6g} {n_steps} steps: NMSE {mean} ± {sd}, readout only {r_mean}"
                    f"  ({time.perf_counter() - start:.0f} s)",
                    flush=True,
                )
    sine_nmse = sinusoid_baseline(target)[0]
    for name, params, value in [("mean", 1, 1.0), ("sinusoid", 4, sine_nmse)]:
        rows.append({"size": 0, "model": name, "hidden": 0, "module_sizes": "", "periods": "", "params": params})
        rows[-1].update({"rate": 0, "nmse_mean": f"{value:.6g}", "nmse_sd": 0, "n_seeds": 0, "nmse_seeds": ""})
        rows[-1].update({"steps": 0, "grid": "", "protocol": "baseline", "clip": ""})
        rows[-1].update({"readout_mean": "", "readout_sd": "", "readout_seeds": ""})
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"baselines: target mean NMSE 1, best sinusoid NMSE {sine_nmse:.4f}")
    print(f"wrote {out} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
