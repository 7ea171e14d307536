"""benchmarks/clockwork_replication.py (Chapter 12) writes a sane table, and the committed one is complete."""

import csv
import subprocess
import sys

import numpy as np
from bookinfo import ROOT

SCRIPT = ROOT / "benchmarks" / "clockwork_replication.py"
TABLE = ROOT / "book" / "part4" / "clockwork_table.csv"
COLUMNS = (
    "size model hidden module_sizes periods params rate nmse_mean nmse_sd n_seeds nmse_seeds steps grid"
    " protocol clip readout_mean readout_sd readout_seeds"
).split()
MODELS = ["SRN", "LSTM", "CW-RNN"]


def read(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def check_rows(rows, sizes, seeds, steps, long_steps):
    models = [r for r in rows if r["model"] in MODELS]
    tuned = [r for r in models if r["protocol"] == "tuned"]
    long = [r for r in models if r["protocol"] == "long"]
    assert len(tuned) + len(long) == len(models)
    assert sorted((int(r["size"]), r["model"]) for r in tuned) == sorted((s, m) for s in sizes for m in MODELS)
    assert sorted((int(r["size"]), r["model"]) for r in long) == sorted((max(sizes), m) for m in MODELS)
    by_key = {(r["size"], r["model"]): r for r in tuned}
    for r in models:
        values = np.array([float(v) for v in r["nmse_seeds"].split()])
        readout = np.array([float(v) for v in r["readout_seeds"].split()])
        assert int(r["n_seeds"]) == len(values) == len(readout) == seeds
        assert int(r["steps"]) == (steps if r["protocol"] == "tuned" else long_steps)
        assert np.all(np.isfinite(values)) and np.all(values >= 0) and np.all((readout > 0) & (readout <= 1))
        assert abs(float(r["nmse_mean"]) - values.mean()) <= 1e-5 * values.mean() + 1e-9  # rounded to 6 digits
        assert abs(float(r["readout_mean"]) - readout.mean()) <= 1e-5 * readout.mean() + 1e-9
        grid = dict(kv.split(":") for kv in r["grid"].split())
        assert r["rate"] in grid  # the chosen rate is one of the grid's
        assert float(grid[r["rate"]]) == min(float(v) for v in grid.values())  # and the best of them
        assert abs(int(r["params"]) - int(r["size"])) <= 0.2 * int(r["size"])  # about equal size
        assert float(r["clip"]) > 0
        periods = [int(p) for p in r["periods"].split()]
        assert len(periods) == len(r["module_sizes"].split()) and int(r["hidden"]) > 0
        assert periods == ([2**m for m in range(len(periods))] if r["model"] == "CW-RNN" else [1])
        if r["protocol"] == "long":  # the same networks, trained on: same rate, same untrained readout
            short = by_key[r["size"], r["model"]]
            assert r["rate"] == short["rate"] and r["readout_seeds"] == short["readout_seeds"]
    baselines = {r["model"]: float(r["nmse_mean"]) for r in rows if r["model"] not in MODELS}
    assert baselines["mean"] == 1.0 and 0 < baselines["sinusoid"] < 1


def test_script_writes_a_sane_table(tmp_path):
    out = tmp_path / "table.csv"
    args = ["--sizes", "100,250", "--steps", "4", "--long-steps", "6", "--seeds", "2", "--tune-seeds", "1"]
    args += ["--rates", "0.01,0.03"]
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--T", "40", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout
    check_rows(read(out), sizes=[100, 250], seeds=2, steps=4, long_steps=6)


def test_committed_table_is_complete():
    rows = read(TABLE)
    long_steps = max(int(r["steps"]) for r in rows)
    check_rows(
        rows, [100, 250, 500, 1000], seeds=int(rows[0]["n_seeds"]), steps=int(rows[0]["steps"]), long_steps=long_steps
    )
    assert int(rows[0]["n_seeds"]) >= 5 and long_steps > int(rows[0]["steps"])
