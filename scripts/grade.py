"""Grade completed student notebooks of one chapter against the instructor's checks.

    python scripts/grade.py --chapter 08 submissions/*.ipynb --out _build/grades
    make grade ARGS="--chapter 08 submissions/*.ipynb"       # the same, through make

Options: ``--timeout S`` (per cell, default 120), ``--setup-timeout S`` (per cell before the
first exercise, default 600), ``--memory-gb G`` (default 8; 0: no limit), ``--max-output-kb K``
(per cell, default 100), ``--source NB`` (grade against this instructor notebook instead of the
book's chapter ``--chapter``), ``--out DIR`` (default _build/grades).

How a submission is graded
--------------------------
The grader never runs the student's notebook as it is. It takes the INSTRUCTOR's notebook (the
book's chapter, with its solutions, checks and hidden tests) and replaces each solution cell,
found by its nbgrader ``grade_id``, with the student's cell of the same ``grade_id``. Everything
else is the instructor's: cells the student edited (checks included) or added are ignored, and a
solution cell the student deleted becomes empty, so that exercise scores 0 with "cell
exN-solution missing". Markdown answers (nbgrader solution cells in markdown) are copied into the
report for a human to mark; they carry no automatic points. Cells tagged ``solution-only`` are
left out of the graded copy.

That notebook runs in a separate Jupyter kernel (nbclient) whose working directory is an empty
private temporary directory (mode 0700, holding nothing but the chapter directory's non-notebook
files, such as ch12's table); the notebook itself is never written there, so no solution text
lies near the student's code. (The temporary directory is made under ``$TMPDIR``, default /tmp:
point TMPDIR at an empty directory, since whatever else lies there is near, too.) Limits:

- a timeout per cell (``--timeout``; cells before the first solution cell run only the
  instructor's code and get ``--setup-timeout``). A cell that times out is interrupted and fails
  with "TimeoutError: ..."; if the kernel does not come back (the code catches the interrupt), or
  if the kernel dies (``os._exit``, a crash), the kernel is killed and the notebook is run again
  from the top with that cell replaced by one that raises the failure's message, so one
  runaway cell costs one exercise, not the rest of the chapter;
- a memory limit: ``resource.setrlimit(RLIMIT_AS)`` (soft and hard, so the student's code cannot
  raise it again) set by a preamble cell that runs first in the kernel; allocations beyond it
  raise MemoryError. It limits address space, not resident memory, so it is set well above
  what a chapter needs (torch alone maps about 2 GB), and the kernel runs with
  ``CUDA_VISIBLE_DEVICES=""`` (CUDA would need far more address space): grading runs on the CPU;
- output: from the first solution cell on, at most ``--max-output-kb`` per cell is kept in the
  graded copy (the rest is dropped as it arrives, with a note in the cell and in the report),
  error messages included, so a submission that prints megabytes costs neither memory nor a
  huge report.

Points: each check cell (nbgrader ``grade`` code cell) that runs without an error earns its
points (the kernel's execute reply must say "ok" and the cell must show no error, so hiding an
exception from the display does not help); otherwise 0, with the first line of the error (the
solution cell's own error first, if it raised). The grader never writes to a submission (it
reads its bytes once), and never stops on one: an unreadable file, or anything that goes wrong
while grading it, gives that student a report that says so.

Reports, in ``--out``: ``report.csv`` (student, exercise, points, max, message; points are empty
for answers that need a human), ``<student>.md`` and ``<student>.html`` (points per exercise,
failure messages, the answers to mark with their mark schemes, notes on timeouts and truncated
output), ``graded/<student>.ipynb`` (the executed graded copy) and ``summary.md`` (one row per
student, also printed). A student's name is the submission's file name without ``.ipynb``; if
two share a name, enough of their directory path is prepended to tell them apart.

What it does not protect against (run it in a container or a throw-away VM): the student's code
runs with the grader's user and file system. It cannot find solutions near its working
directory, but it can open any file the grader can read by an absolute path, e.g. the book's
source through ``rnn_helpers.__file__`` when the package is installed in editable mode, as in
this repository's .venv; it can run shell commands, use the network and write files. It runs in
the same kernel as the checks, so a determined student can tamper with the checks' helpers
(``np.allclose = lambda *a, **k: True``) or with IPython itself; reading the graded copy
(``graded/<student>.ipynb``) shows such tricks. Grade where the book's source is not readable
by the kernel, e.g. a container that holds only the instructor's notebook, readable by the
grader's user and not by a separate kernel user, or at least with a non-editable install of
rnn_helpers.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import csv
import html
import os
import re
import shutil
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bookinfo import ROOT, chapter_notebooks  # noqa: E402
from nbrun import PollingClient  # noqa: E402

PREAMBLE_TAG = "grader-preamble"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
EXERCISE_ID = re.compile(r"^ex(\d+)-")
STUB_TEXT = "YOUR ANSWER HERE"  # nbgrader's stub for markdown answers
MAX_MESSAGE = 300  # characters of an error's first line in the reports


# ------------------------------------------------------------------ the instructor's notebook


def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def grade_id(cell) -> str | None:
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def exercise_of(gid: str) -> str:
    """``ex3-check`` -> ``Exercise 3``; other ids stand for themselves."""
    m = EXERCISE_ID.match(gid)
    return f"Exercise {int(m.group(1))}" if m else gid


def exercise_key(gid: str) -> str:
    m = EXERCISE_ID.match(gid)
    return f"ex{int(m.group(1))}" if m else gid


@dataclass
class Item:
    """One graded part of the chapter: a check cell (automatic) or a markdown answer (manual)."""

    gid: str
    label: str
    points: float
    manual: bool
    scheme: str = ""  # the mark scheme of a markdown answer


def chapter_source(chapter: str) -> Path:
    number = int(chapter)
    found = [p for p in chapter_notebooks() if p.name.startswith(f"{number:02d}_")]
    if len(found) != 1:
        raise SystemExit(f"grade.py: no chapter {chapter} in book/ (found {[p.name for p in found]})")
    return found[0]


def graded_items(nb) -> list[Item]:
    items, checks_per_exercise = [], {}
    for cell in nb.cells:
        meta, gid = nbgrader_meta(cell), grade_id(cell)
        if gid and meta.get("grade") and cell.cell_type == "code" and not meta.get("solution"):
            checks_per_exercise[exercise_key(gid)] = checks_per_exercise.get(exercise_key(gid), 0) + 1
    for cell in nb.cells:
        meta, gid = nbgrader_meta(cell), grade_id(cell)
        if not (gid and meta.get("grade")):
            continue
        points = float(meta.get("points", 0) or 0)
        if cell.cell_type == "markdown":
            m = re.search(r"\*?Mark scheme[^\n]*", cell.source)
            scheme = m.group(0).strip("* ") if m else ""
            items.append(Item(gid, f"{exercise_of(gid)} (answer)", points, True, scheme))
        elif cell.cell_type == "code":
            several = checks_per_exercise.get(exercise_key(gid), 0) > 1
            label = f"{exercise_of(gid)} ({gid})" if several else exercise_of(gid)
            items.append(Item(gid, label, points, False))
    return items


# ------------------------------------------------------------------ building the graded copy


def student_cells(student_nb) -> dict[str, object]:
    """The student's cells by grade_id (the first of each id wins; odd metadata is ignored)."""
    cells = {}
    for cell in getattr(student_nb, "cells", []) or []:
        try:
            gid = grade_id(cell)
        except AttributeError:
            continue
        if gid and gid not in cells:
            cells[gid] = cell
    return cells


def as_text(source) -> str:
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return source if isinstance(source, str) else ""


def preamble(memory_gb: float) -> str:
    lines = ["# Set by scripts/grade.py before the chapter runs: limits of this kernel."]
    if memory_gb > 0:
        limit = int(memory_gb * 2**30)
        lines += [
            "import resource as _grader_resource",
            "_grader_soft, _grader_hard = _grader_resource.getrlimit(_grader_resource.RLIMIT_AS)",
            f"_grader_limit = {limit}",
            "if _grader_hard != _grader_resource.RLIM_INFINITY:",
            "    _grader_limit = min(_grader_limit, _grader_hard)",
            "_grader_resource.setrlimit(",
            "    _grader_resource.RLIMIT_AS, (_grader_limit, _grader_limit)",
            ")",
            "del _grader_resource, _grader_soft, _grader_hard, _grader_limit",
        ]
    return "\n".join(lines)


def build_graded(instructor_nb, student_nb, memory_gb: float):
    """The instructor's notebook with the student's solution cells and answers in it.

    Returns (notebook, missing solution grade_ids, answers by grade_id: text or None)."""
    nb = copy.deepcopy(instructor_nb)
    theirs = student_cells(student_nb) if student_nb is not None else {}
    missing, answers, cells = [], {}, []
    for cell in nb.cells:
        meta, gid = nbgrader_meta(cell), grade_id(cell)
        if cell.cell_type == "markdown" and "solution-only" in cell.get("metadata", {}).get("tags", []):
            continue
        if gid and meta.get("solution"):
            mine = theirs.get(gid)
            if mine is None or getattr(mine, "cell_type", None) != cell.cell_type:
                mine = None
            text = as_text(mine.get("source")) if mine is not None else None
            if cell.cell_type == "code":
                if text is None:
                    missing.append(gid)
                cell.source = text or ""
                cell.outputs, cell.execution_count = [], None
            else:
                answers[gid] = text
                cell.source = text if text is not None else f"*(cell {gid} missing from the submission)*"
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = [nbformat.v4.new_code_cell(preamble(memory_gb), metadata={"tags": [PREAMBLE_TAG]})] + cells
    nb.metadata.pop("widgets", None)
    return nb, missing, answers


# ------------------------------------------------------------------ running it


def output_size(content: dict) -> int:
    if "text" in content:
        return len(content["text"])
    size = 0
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(repr(value))
    return size


class GradingClient(PollingClient):
    """nbclient (polling, see nbrun.py) with a cap on each cell's output and a record of each cell's execute reply."""

    def __init__(self, nb, max_output: int, capped_from: int = 0, **kw):
        super().__init__(nb, **kw)
        self.max_output = max_output
        self.capped_from = capped_from  # cells before it are the instructor's alone: not capped
        self.used: dict[int, int] = {}
        self.dropped: dict[int, int] = {}
        self.replies: dict[int, dict] = {}
        self.timed_out = False
        self.on_cell_executed = self._record

    def _record(self, cell, cell_index, execute_reply):
        content = (execute_reply or {}).get("content", {})
        self.replies[cell_index] = {
            "status": content.get("status"),
            "ename": str(content.get("ename", ""))[:MAX_MESSAGE],
            "evalue": str(content.get("evalue", ""))[:10_000],
            "traceback": [str(t)[:2_000] for t in (content.get("traceback") or [])[-5:]],
        }

    async def _async_handle_timeout(self, timeout, cell=None):
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        kind = msg.get("msg_type")
        if cell_index < self.capped_from:
            return super().output(outs, msg, display_id, cell_index)
        if kind == "error":  # always kept, but bounded
            msg = copy.copy(msg)
            msg["content"] = dict(
                content,
                evalue=str(content.get("evalue", ""))[:10_000],
                traceback=[str(t)[:2_000] for t in (content.get("traceback") or [])[-20:]],
            )
            return super().output(outs, msg, display_id, cell_index)
        size = output_size(content)
        used = self.used.get(cell_index, 0)
        if used + size <= self.max_output:
            self.used[cell_index] = used + size
            return super().output(outs, msg, display_id, cell_index)
        room = self.max_output - used
        if kind == "stream" and room > 0:  # keep the head that fits
            msg = copy.copy(msg)
            msg["content"] = dict(content, text=content["text"][:room])
            self.used[cell_index] = self.max_output
            self.dropped[cell_index] = self.dropped.get(cell_index, 0) + size - room
            return super().output(outs, msg, display_id, cell_index)
        self.used[cell_index] = self.max_output
        self.dropped[cell_index] = self.dropped.get(cell_index, 0) + size
        return None

    async def responsive(self, seconds: float) -> bool:
        """Does the kernel answer an empty request within ``seconds`` (after an interrupt)?"""
        msg_id = self.kc.execute("", silent=True, store_history=False)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            left = deadline - loop.time()
            if left <= 0:
                return False
            try:
                msg = await self.kc.shell_channel.get_msg(timeout=left)
            except (Empty, asyncio.TimeoutError):
                return False
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return True


@dataclass
class Run:
    nb: object
    replies: dict
    dropped: dict
    aborts: list = field(default_factory=list)  # (cell index, ename, message) of cells replaced and rerun


def kernel_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PWD", "OLDPWD")}
    env["CUDA_VISIBLE_DEVICES"] = ""
    return env


async def run_once(nb, workdir: Path, opts, first_solution: int):
    """Execute ``nb`` once. Returns (client, abort): abort is None, or (cell index, exception name,
    message) for a cell after which the kernel is dead or stuck."""

    setup = {id(c) for c in nb.cells[:first_solution]}

    def timeout_for(cell):
        return opts.setup_timeout if id(cell) in setup else opts.timeout

    client = GradingClient(
        nb,
        max_output=opts.max_output_kb * 1024,
        capped_from=first_solution,
        timeout=opts.timeout,
        timeout_func=timeout_for,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": "TimeoutError",
            "evalue": f"the cell ran longer than {opts.timeout:g} s and was interrupted",
        },
        allow_errors=True,
        record_timing=False,
        shutdown_kernel="immediate",
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    async with client.async_setup_kernel(env=kernel_env()):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            client.timed_out = False
            try:
                await client.async_execute_cell(cell, index, store_history=True)
            except DeadKernelError:
                died = "the kernel died while running this cell (a crash, os._exit or out of memory)"
                return client, (index, "RuntimeError", died)
            except CellTimeoutError:
                return client, (index, "TimeoutError", f"the cell ran longer than {opts.timeout:g} s")
            if client.timed_out and not await client.responsive(min(10.0, max(opts.timeout, 2.0))):
                deaf = f"the cell ran longer than {opts.timeout:g} s and ignored the interrupt"
                return client, (index, "TimeoutError", deaf)
    return client, None


def execute(nb, workdir: Path, opts) -> Run:
    first_solution = next(
        (i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("solution") and c.cell_type == "code"),
        len(nb.cells),
    )
    aborts = []
    for _ in range(len(nb.cells) + 1):
        attempt = copy.deepcopy(nb)
        for index, ename, message in aborts:
            attempt.cells[index].source = f"raise {ename}({message!r})"
        client, abort = asyncio.run(run_once(attempt, workdir, opts, first_solution))
        if abort is None:
            for index, dropped in client.dropped.items():
                note = f"[grade.py: {dropped:,} more characters of output dropped]\n"
                attempt.cells[index].outputs.append(nbformat.v4.new_output("stream", name="stderr", text=note))
            return Run(attempt, client.replies, client.dropped, aborts)
        aborts.append(abort)
    raise RuntimeError("the notebook could not be run to its end")


# ------------------------------------------------------------------ scoring


def first_line(text: str) -> str:
    text = ANSI.sub("", text or "").strip()
    line = text.splitlines()[0] if text else ""
    return line[:MAX_MESSAGE] + ("..." if len(line) > MAX_MESSAGE else "")


def cell_error(cell, reply: dict | None) -> str | None:
    """The cell's error as one line, or None if it ran cleanly."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if reply is None:
        return "not run"
    if reply.get("status") == "ok" and not errors:
        return None
    if reply.get("status") == "ok":  # shown but not reported: take the output's
        ename, evalue, tb = errors[0].get("ename", ""), errors[0].get("evalue", ""), errors[0].get("traceback", [])
    else:
        ename, evalue, tb = reply.get("ename", ""), reply.get("evalue", ""), reply.get("traceback", [])
    ename = ename or "Error"
    message = first_line(str(evalue))
    if not message:  # e.g. a bare `assert x`: show the failing line
        arrows = [ln for t in tb for ln in ANSI.sub("", str(t)).splitlines() if ln.lstrip().startswith("---->")]
        if arrows:
            message = "at " + first_line(arrows[-1].split("---->", 1)[1].lstrip(" 0123456789"))
    return f"{ename}: {message}" if message else ename


@dataclass
class Row:
    exercise: str
    points: float | None
    max: float
    message: str


@dataclass
class Result:
    student: str
    path: Path
    rows: list
    notes: list
    answers: list  # (label, gid, text or None, scheme, points)
    graded: object = None


def score(items: list[Item], run: Run | None, missing: list[str], answers: dict) -> tuple[list[Row], list[str]]:
    rows, notes = [], []
    by_gid, index_of = {}, {}
    if run is not None:
        for index, cell in enumerate(run.nb.cells):
            gid = grade_id(cell)
            if gid:
                by_gid.setdefault(gid, cell)
                index_of.setdefault(gid, index)
    for item in items:
        if item.manual:
            text = answers.get(item.gid)
            if text is None:
                message = f"cell {item.gid} missing: nothing to mark"
            elif not text.strip() or text.strip() == STUB_TEXT:
                message = "no answer given"
            else:
                message = "to be marked by a human (see the report)"
            rows.append(Row(item.label, None, item.points, message))
            continue
        key = exercise_key(item.gid)
        gone = [g for g in missing if exercise_key(g) == key]
        if gone:
            rows.append(Row(item.label, 0.0, item.points, f"cell {gone[0]} missing"))
            continue
        cell = by_gid.get(item.gid)
        error = cell_error(cell, run.replies.get(index_of[item.gid])) if cell is not None else "not run"
        if error is None:
            rows.append(Row(item.label, item.points, item.points, "passed"))
            continue
        for gid, sol in by_gid.items():  # the exercise's own solution error comes first
            ran = index_of[gid] in run.replies  # an empty cell is not run
            if exercise_key(gid) == key and nbgrader_meta(sol).get("solution") and sol.cell_type == "code" and ran:
                sol_error = cell_error(sol, run.replies.get(index_of[gid]))
                if sol_error:
                    error = f"{gid}: {sol_error}"
                    break
        else:
            error = f"{item.gid}: {error}"
        rows.append(Row(item.label, 0.0, item.points, error))
    if run is not None:
        for index, _, message in run.aborts:
            gid = grade_id(run.nb.cells[index]) or f"cell {index}"
            notes.append(f"{gid}: {message}; the notebook was run again without it.")
        for index, dropped in run.dropped.items():
            where = grade_id(run.nb.cells[index]) or f"cell {index}"
            notes.append(f"{where}: {dropped:,} characters of output dropped (limit per cell).")
    return rows, notes


# ------------------------------------------------------------------ reports


def student_names(paths: list[Path]) -> list[str]:
    parts = [p.resolve().with_suffix("").parts for p in paths]
    for depth in range(1, max(len(p) for p in parts) + 1):
        names = ["-".join(p[-depth:]) for p in parts]
        if len(set(names)) == len(names):
            break
    clean, seen = [], set()
    for name in names:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "student"
        if name in ("report", "summary", "graded"):
            name += "-student"
        base, n = name, 2
        while name in seen:
            name, n = f"{base}-{n}", n + 1
        seen.add(name)
        clean.append(name)
    return clean


def fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def totals(rows: list[Row]) -> tuple[float, float, float]:
    auto = sum(r.points for r in rows if r.points is not None)
    auto_max = sum(r.max for r in rows if r.points is not None)
    manual_max = sum(r.max for r in rows if r.points is None)
    return auto, auto_max, manual_max


def fence(text: str) -> str:
    ticks = max([len(m) for m in re.findall(r"`+", text)] + [2]) + 1
    return f"{'`' * ticks}text\n{text}\n{'`' * ticks}"


def write_reports(result: Result, source: Path, out: Path) -> None:
    auto, auto_max, manual_max = totals(result.rows)
    md = [
        f"# {result.student}: {source.stem}",
        "",
        f"Submission: `{result.path}`. Graded against the instructor's copy of `{source.name}`.",
        "",
        f"**Automatically graded: {auto:g} / {auto_max:g} points.** Answers to mark by hand: {manual_max:g} points.",
        "",
        "| exercise | points | max | message |",
        "|---|---|---|---|",
    ]
    for r in result.rows:
        message = r.message.replace("|", "\\|").replace("\n", " ")
        md.append(f"| {r.exercise} | {fmt(r.points) or 'to mark'} | {fmt(r.max)} | {message} |")
    if result.answers:
        md += ["", "## Answers to mark", ""]
        for label, gid, text, scheme, points in result.answers:
            md += [f"### {label} ({gid}, {points:g} points)", ""]
            if scheme:
                md += [f"*{scheme}*", ""]
            md += [fence(text) if text is not None else "*(missing)*", ""]
    if result.notes:
        md += ["", "## Notes", ""] + [f"- {n}" for n in result.notes]
    (out / f"{result.student}.md").write_text("\n".join(md) + "\n")

    e = html.escape
    body = [
        f"<h1>{e(result.student)}: {e(source.stem)}</h1>",
        f"<p>Submission: <code>{e(str(result.path))}</code>. Graded against the instructor's copy of "
        f"<code>{e(source.name)}</code>.</p>",
        f"<p><strong>Automatically graded: {auto:g} / {auto_max:g} points.</strong> "
        f"Answers to mark by hand: {manual_max:g} points.</p>",
        "<table><tr><th>exercise</th><th>points</th><th>max</th><th>message</th></tr>",
    ]
    for r in result.rows:
        body.append(
            f"<tr><td>{e(r.exercise)}</td><td>{e(fmt(r.points) or 'to mark')}</td>"
            f"<td>{e(fmt(r.max))}</td><td>{e(r.message)}</td></tr>"
        )
    body.append("</table>")
    if result.answers:
        body.append("<h2>Answers to mark</h2>")
        for label, gid, text, scheme, points in result.answers:
            body.append(f"<h3>{e(label)} ({e(gid)}, {points:g} points)</h3>")
            if scheme:
                body.append(f"<p><em>{e(scheme)}</em></p>")
            body.append(f"<pre>{e(text)}</pre>" if text is not None else "<p><em>(missing)</em></p>")
    if result.notes:
        body.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in result.notes) + "</ul>")
    style = "body{font-family:sans-serif;max-width:60em}td,th{border:1px solid #999;padding:.2em .5em}"
    (out / f"{result.student}.html").write_text(
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{e(result.student)}</title>'
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
    if result.graded is not None:
        (out / "graded").mkdir(exist_ok=True)
        nbformat.write(result.graded, out / "graded" / f"{result.student}.ipynb")


def summary(results: list[Result], items: list[Item]) -> str:
    auto_items = [i for i in items if not i.manual]
    head = ["student"] + [i.label for i in auto_items] + ["automatic", "to mark by hand"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for res in results:
        auto, auto_max, manual_max = totals(res.rows)
        cells = [fmt(r.points) for r in res.rows if r.points is not None]
        lines.append("| " + " | ".join([res.student, *cells, f"{auto:g} / {auto_max:g}", f"{manual_max:g}"]) + " |")
    return "\n".join(lines)


# ------------------------------------------------------------------ main


def grade_one(path: Path, student: str, instructor_nb, items, source: Path, opts) -> Result:
    try:
        raw = path.read_bytes()  # read once; the file is never written
    except OSError as exc:
        return failed(student, path, items, f"could not read the submission: {exc}")
    try:
        student_nb = nbformat.reads(raw.decode("utf-8", errors="replace"), as_version=4)
        if not isinstance(getattr(student_nb, "cells", None), list):
            raise ValueError("no list of cells")
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets a report
        return failed(student, path, items, f"not a readable notebook: {first_line(str(exc)) or type(exc).__name__}")
    graded, missing, answers = build_graded(instructor_nb, student_nb, opts.memory_gb)
    base = Path(tempfile.mkdtemp(prefix="grade-"))  # private (0700), holds only the work directory
    workdir = base / (source.parent.name or "work")
    try:
        workdir.mkdir()
        for f in source.parent.iterdir():
            if f.is_file() and f.suffix != ".ipynb" and not f.name.startswith("."):
                shutil.copy2(f, workdir / f.name)
        run = execute(graded, workdir, opts)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    rows, notes = score(items, run, missing, answers)
    manual = [(i.label, i.gid, answers.get(i.gid), i.scheme, i.points) for i in items if i.manual]
    return Result(student, path, rows, notes, manual, run.nb)


def failed(student, path, items, message) -> Result:
    rows = [Row(i.label, None if i.manual else 0.0, i.points, message) for i in items]
    return Result(student, path, rows, [message], [])


def main(argv=None) -> int:
    doc = __doc__.split("\n\n")
    parser = argparse.ArgumentParser(
        description=doc[0], epilog=doc[1], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("submissions", nargs="+", type=Path, help="completed student notebooks")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--chapter", help="the chapter's number, e.g. 08")
    which.add_argument("--source", type=Path, help="an instructor notebook with nbgrader metadata")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "grades")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per cell (default 120)")
    parser.add_argument("--setup-timeout", type=float, default=600, help="per cell before the first exercise")
    parser.add_argument("--memory-gb", type=float, default=8, help="address-space limit of the kernel; 0: none")
    parser.add_argument("--max-output-kb", type=int, default=100, help="output kept per cell (default 100)")
    opts = parser.parse_args(argv)

    source = (opts.source or chapter_source(opts.chapter)).resolve()
    instructor_nb = nbformat.read(source, as_version=4)
    items = graded_items(instructor_nb)
    if not items:
        print(f"grade.py: {source} has no nbgrader grade cells", file=sys.stderr)
        return 2
    opts.out.mkdir(parents=True, exist_ok=True)
    results = []
    for path, student in zip(opts.submissions, student_names(opts.submissions)):
        print(f"grading {path} as {student} ...", flush=True)
        try:
            result = grade_one(path, student, instructor_nb, items, source, opts)
        except Exception as exc:  # noqa: BLE001 - a grader bug must not stop the other students
            traceback.print_exc()
            result = failed(student, path, items, f"grader error: {type(exc).__name__}: {first_line(str(exc))}")
        write_reports(result, source, opts.out)
        results.append(result)
    with open(opts.out / "report.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "exercise", "points", "max", "message"])
        for res in results:
            for r in res.rows:
                writer.writerow([res.student, r.exercise, fmt(r.points), fmt(r.max), r.message])
    table = summary(results, items)
    (opts.out / "summary.md").write_text(f"# {source.stem}\n\n{table}\n")
    print(table)
    print(f"reports in {opts.out}")
    return 1 if any(n.startswith("grader error") for res in results for n in res.notes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
