"""Execute every chapter notebook in a fresh kernel and write the timing table.

    python scripts/time_notebooks.py                 # quiet and busy runs, writes book/appendix/timings.md
    python scripts/time_notebooks.py --check         # quiet run only, writes nothing
    python scripts/time_notebooks.py --only 10 11    # re-time two chapters, keep the other rows
    python scripts/time_notebooks.py --only 04 08 --busy --threads 2 --check
    python scripts/time_notebooks.py --speed-index   # only the reference workload

Each notebook runs top to bottom under nbval in a fresh kernel, the way
`make test` and `make book` run it (including pytest's and the kernel's start-up,
about 2 s). It is timed twice: on a quiet machine, and with one core kept busy by a spinning
process (a student's browser, a CI neighbour). A fixed reference workload is
timed beside the chapters, so that tables measured on different hosts can be
compared: the speed index is how fast this host runs it, relative to the host
the book's budgets were set on (1.00; larger is faster).

Nothing here asserts a time. The budgets (40 s quiet on the reference host,
60 s hard cap) are reported, not enforced; ``tests/test_book_build.py`` only
checks that the table lists every chapter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import platform
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import torch
from bookinfo import CHAPTER_NAME, ROOT, resolve, toc_files

from rnn_helpers.env import reference_workload, speed_index

TABLE = ROOT / "book" / "appendix" / "timings.md"
BEGIN, END = "<!-- BEGIN TIMINGS -->", "<!-- END TIMINGS -->"
TARGET_S, CAP_S = 40, 60  # quiet, on the reference host (speed index 1.00)

# The reference workload and the speed index live in rnn_helpers.env, so that a chapter can
# print its host's index beside a timing; the reference host is the 2-core Intel Xeon machine
# the budgets were set on (2026-11-29).


def chapters(only=None) -> list[Path]:
    paths = [p for p in (resolve(e) for e in toc_files()) if p is not None and CHAPTER_NAME.match(p.name)]
    if only:
        paths = [p for p in paths if p.name[:2] in only]
    return paths


def run(path: Path, threads: int | None) -> float:
    """Wall-clock seconds to execute ``path`` with nbval in a fresh kernel, as `make test` and `make book` do."""
    env = dict(os.environ)
    if threads:
        env["RNN_BOOK_THREADS"] = str(threads)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{path.name} failed under nbval:\n{proc.stdout[-3000:]}")
    return seconds


def _spin(stop) -> None:  # pragma: no cover - runs in a child process
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1


@contextmanager
def one_core_busy(busy: bool):
    """Keep one core busy with a spinning process while the block runs."""
    if not busy:
        yield
        return
    stop = mp.Event()
    proc = mp.Process(target=_spin, args=(stop,), daemon=True)
    proc.start()
    try:
        yield
    finally:
        stop.set()
        proc.join(timeout=5)
        if proc.is_alive():
            proc.terminate()


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def verdict(quiet: float, index: float) -> str:
    """The budget refers to the reference host: ``quiet * index`` is about the time there."""
    at_reference = quiet * index
    return "yes" if at_reference <= TARGET_S else ("over target" if at_reference <= CAP_S else "**over the cap**")


def table(rows, ref: dict[str, float], threads: int, note: str = "") -> str:
    """The Markdown table; ``rows`` are (path, quiet, busy, speed index of the run that timed it)."""
    index = speed_index(ref)
    lines = [
        f"Measured on {dt.date.today().isoformat()}: {os.cpu_count()} CPU cores ({cpu_name()}), "
        f"torch {torch.__version__} with {threads} thread(s) per kernel (`RNN_BOOK_THREADS`), "
        f"Python {platform.python_version()}, no GPU used. "
        f"Speed index {index:.2f} (reference workload: pure Python {ref['python']:.3f} s, "
        f"torch LSTM {ref['torch']:.3f} s; 1.00 is the host the budgets were set on, larger is faster).{note}",
        "",
        "| chapter | notebook | quiet (s) | one core busy (s) | speed index | within 40 s quiet at index 1.00 |",
        "|---:|---|---:|---:|---:|:---:|",
    ]
    for path, quiet, busy, idx in rows:
        num = int(CHAPTER_NAME.match(path.name).group(1))
        busy_s = f"{busy:.1f}" if busy is not None else "–"
        lines.append(
            f"| {num} | `{path.relative_to(ROOT).as_posix()}` | {quiet:.1f} | {busy_s} | {idx:.2f} "
            f"| {verdict(quiet, idx)} |"
        )
    total_q = sum(r[1] for r in rows)
    busies = [r[2] for r in rows if r[2] is not None]
    total_b = f"**{sum(busies):.1f}**" if len(busies) == len(rows) else "–"
    lines.append(f"| | **total** | **{total_q:.1f}** | {total_b} | | |")
    return "\n".join(lines)


ROW = re.compile(r"^\| \d+ \| `([^`]+)` \| ([\d.]+) \| ([\d.]+|–) \|(?: ([\d.]+) \|)?", re.M)


def recorded_rows(text: str, default_index: float) -> dict[Path, tuple[float, float | None, float]]:
    """The rows of the table now on the page: path -> (quiet, busy, speed index); old tables lack the index."""
    found = {}
    for path, quiet, busy, idx in ROW.findall(text):
        found[ROOT / path] = (float(quiet), None if busy == "–" else float(busy), float(idx) if idx else default_index)
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="time the notebooks but do not write the table")
    parser.add_argument("--only", nargs="*", metavar="NN", help="chapter numbers to run, e.g. 04 08")
    parser.add_argument("--busy", action="store_true", help="with --check: run with one core busy only")
    parser.add_argument("--threads", type=int, default=None, help="RNN_BOOK_THREADS for the kernels")
    parser.add_argument("--speed-index", action="store_true", help="time the reference workload only")
    args = parser.parse_args(argv)

    ref = reference_workload()
    print(f"speed index {speed_index(ref):.2f}  (python {ref['python']:.3f} s, torch {ref['torch']:.3f} s)")
    if args.speed_index:
        return 0
    threads = args.threads or int(os.environ.get("RNN_BOOK_THREADS", "1"))
    modes = [args.busy] if args.check else [False, True]
    results: dict[bool, dict[Path, float]] = {}
    for busy in modes:
        results[busy] = {}
        with one_core_busy(busy):
            for path in chapters(args.only):
                seconds = run(path, threads)
                print(f"{seconds:7.1f} s  {'busy ' if busy else 'quiet'}  {path.relative_to(ROOT)}", flush=True)
                results[busy][path] = seconds
    if not args.check:
        page = TABLE.read_text()
        head, rest = page.split(BEGIN, 1)
        old, tail = rest.split(END, 1)
        index = speed_index(ref)
        old_index = re.search(r"Speed index (\d+\.\d+)", old)  # tables without the column: their header's
        recorded = recorded_rows(old, float(old_index.group(1)) if old_index else index)
        rows = {p: (q, b, i) for p, (q, b, i) in recorded.items() if p in chapters()}
        rows.update({p: (results[False][p], results[True].get(p), index) for p in results[False]})
        kept = sorted(p for p in rows if p not in results[False])
        note = ""
        if kept:
            nums = ", ".join(str(int(CHAPTER_NAME.match(p.name).group(1))) for p in kept)
            note = (
                f" Chapters {nums} were not re-run this time: their rows are from an earlier run, "
                "and the speed index column gives the host's index when each row was measured."
            )
        ordered = [(p, *rows[p]) for p in chapters() if p in rows]
        text = table(ordered, ref, threads, note)
        TABLE.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")
        print(f"wrote {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
