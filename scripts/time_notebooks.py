"""Execute every chapter notebook in a fresh kernel and write the timing table.

    python scripts/time_notebooks.py            # all chapters, writes book/appendix/timings.md
    python scripts/time_notebooks.py --check    # time only, write nothing

Each notebook runs top to bottom, the way nbval and the book build run it, and
the wall-clock seconds are recorded with the machine's core count, so the table
says what a student on a similar laptop should expect.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from pathlib import Path

import nbformat
import torch
from bookinfo import CHAPTER_NAME, ROOT, resolve, toc_files
from nbclient import NotebookClient

TABLE = ROOT / "book" / "appendix" / "timings.md"
BEGIN, END = "<!-- BEGIN TIMINGS -->", "<!-- END TIMINGS -->"
TARGET_S, CAP_S = 60, 120


def chapters() -> list[Path]:
    return [p for p in (resolve(e) for e in toc_files()) if p is not None and CHAPTER_NAME.match(p.name)]


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def table(rows) -> str:
    lines = [
        f"Measured on {dt.date.today().isoformat()}: {os.cpu_count()} CPU cores ({cpu_name()}), "
        f"torch {torch.__version__} with {torch.get_num_threads()} threads, "
        f"Python {platform.python_version()}, no GPU used.",
        "",
        "| chapter | notebook | seconds | within the 60 s target |",
        "|---:|---|---:|:---:|",
    ]
    for path, seconds in rows:
        num = int(CHAPTER_NAME.match(path.name).group(1))
        ok = "yes" if seconds <= TARGET_S else ("over target" if seconds <= CAP_S else "**over the 120 s cap**")
        lines.append(f"| {num} | `{path.relative_to(ROOT).as_posix()}` | {seconds:.1f} | {ok} |")
    lines.append(f"| | **total** | **{sum(s for _, s in rows):.1f}** | |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="time the notebooks but do not write the table")
    args = parser.parse_args(argv)
    rows = []
    for path in chapters():
        seconds = run(path)
        print(f"{seconds:7.1f} s  {path.relative_to(ROOT)}", flush=True)
        rows.append((path, seconds))
    text = table(rows)
    if not args.check:
        page = TABLE.read_text()
        head, rest = page.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        TABLE.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")
        print(f"wrote {TABLE.relative_to(ROOT)}")
    return 0 if all(s <= CAP_S for _, s in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
