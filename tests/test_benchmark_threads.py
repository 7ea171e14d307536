"""benchmarks/threads.py runs and reports both thread counts under both loads."""

import re
import subprocess
import sys

from bookinfo import ROOT


def test_threads_benchmark_reports_every_row():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "threads.py"), "--T", "3", "--H", "4", "--D", "3", "--repeats", "2"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    rows = re.findall(r"^(LSTM|RNN)\s+(quiet|busy)\s+([\d.]+)\s+([\d.]+)$", proc.stdout, flags=re.M)
    assert sorted((m, load) for m, load, _, _ in rows) == sorted(
        (m, load) for m in ("LSTM", "RNN") for load in ("quiet", "busy")
    )
    assert all(float(a) > 0 and float(b) > 0 for *_, a, b in rows)
