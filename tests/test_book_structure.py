"""The book's rules that a reader never sees but every chapter must keep."""

import json
import re

import nbformat
import pytest
from bookinfo import CHAPTER_NAME, ROOT, chapter_notebooks, repository_url, resolve, toc_files

NOTEBOOKS = chapter_notebooks()
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 2


def test_every_toc_entry_exists():
    missing = [e for e in toc_files() if resolve(e) is None]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_notebook_and_page_under_book_is_in_the_toc():
    listed = {resolve(e) for e in toc_files()}
    pages = set(NOTEBOOKS) | {p for p in (ROOT / "book").rglob("*.md")}
    orphans = sorted(str(p.relative_to(ROOT)) for p in pages - listed)
    assert not orphans, f"files under book/ that _toc.yml does not list: {orphans}"


def test_chapter_file_numbers_match_their_order_in_the_toc():
    numbered = [resolve(e) for e in toc_files() if CHAPTER_NAME.match(resolve(e).name)]
    numbers = [int(CHAPTER_NAME.match(p.name).group(1)) for p in numbered]
    assert numbers == list(range(1, len(numbers) + 1)), f"chapter files out of order: {[p.name for p in numbered]}"
    for p in NOTEBOOKS:
        assert CHAPTER_NAME.match(p.name), f"{p.name} is not named <nn>_<topic>.ipynb"
        assert re.fullmatch(r"part\d+", p.parent.name), f"{p} is not in book/part<n>/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_committed_clean(path):
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"cell {i} has outputs: strip them before committing"
            assert cell.get("execution_count") is None, f"cell {i} has an execution count"
    assert "widgets" not in nb["metadata"], "saved widget state bloats the notebook: run `make strip`"
    nbformat.validate(nbformat.reads(path.read_text(), as_version=4))


def _code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_setup_cell_follows_the_convention(path):
    """First code cell: install on Colab only, from the repository URL in _config.yml; then rh.setup."""
    src = _code_cells(path)[0].source
    guard = 'if "google.colab" in sys.modules:'
    assert "import sys" in src and guard in src, "the setup cell must guard the install with the Colab check"
    installs = re.findall(r'^( *)%pip install -q "rnn-helpers @ git\+(\S+)"$', src, flags=re.M)
    assert len(installs) == 1, "the setup cell must hold exactly one '%pip install -q \"rnn-helpers @ git+URL\"' line"
    indent, url = installs[0]
    assert indent, "the install line must be inside the Colab guard"
    assert src.index(guard) < src.index("%pip install")
    assert url == repository_url(), f"install URL {url} differs from _config.yml's repository.url {repository_url()}"
    assert "import rnn_helpers as rh" in src
    assert re.search(r"^device = rh\.setup\(seed=\d+\)", src, flags=re.M), "the setup cell must call rh.setup(seed=...)"


def test_repository_url_is_defined_only_in_config():
    url = repository_url()
    elsewhere = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".md", ".toml", ".yml", ".txt", ".cfg"}
        and not {".venv", "_build", ".git"} & set(p.relative_to(ROOT).parts)
        and p.name != "_config.yml"
        and url in p.read_text(errors="ignore")
    ]
    assert not elsewhere, f"the repository URL is repeated in {elsewhere}; read it from _config.yml instead"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapter_has_title_exercises_and_summary(path):
    """The chapter guide's anatomy: one H1, a coding exercise with nbgrader markers, a hidden answer, a summary."""
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert len(re.findall(r"^# ", markdown, flags=re.M)) == 1, "exactly one H1 title"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert re.search(r"^## .*Exercises", markdown, flags=re.M), "an Exercises section"
    assert re.search(r"^## .*Summary", markdown, flags=re.M), "a Summary section"
    assert code.count("### BEGIN SOLUTION") == code.count("### END SOLUTION") >= 1, "a coding exercise with markers"
    assert ":class: dropdown" in markdown, "a conceptual question with a hidden answer"
    assert "{cite" in markdown, "references through the bibliography"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert "make test" in ci, ".ci/run must call the README's test command"
    assert re.search(r"^make test\b", readme, flags=re.M) and re.search(r"^make book\b", readme, flags=re.M)


def test_strip_script_cleans_an_executed_notebook(tmp_path):

    from strip_notebooks import strip

    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"state": {}}
    cell = nbformat.v4.new_code_cell("print(1)", execution_count=3)
    cell.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    nb.cells = [cell, nbformat.v4.new_markdown_cell("# t")]
    assert strip(nb) is True
    assert nb.cells[0].outputs == [] and nb.cells[0].execution_count is None
    assert "widgets" not in nb.metadata and "execution" not in nb.cells[0].metadata
    assert strip(nb) is False  # idempotent


def _code_sources():
    """The code of every chapter notebook and every helper module, by name."""
    sources = {p.name: "\n".join(c.source for c in _code_cells(p)) for p in NOTEBOOKS}
    sources.update({p.name: p.read_text() for p in (ROOT / "rnn_helpers").glob("*.py")})
    return sources


def test_code_is_device_agnostic():
    """`.to(device)`, never `.cuda()`: the same notebook runs on a CPU and a GPU."""
    offenders = [name for name, src in _code_sources().items() if re.search(r"\.cuda\(", src)]
    assert not offenders, f".cuda() in {offenders}; use .to(device)"


def test_progress_bars_go_through_rh_progress():
    """A tqdm.auto bar saved in an output is an empty widget on the static page; `rh.progress` prints text there."""
    direct = re.compile(r"^\s*(from tqdm\b|import tqdm\b)", re.M)
    offenders = [name for name, src in _code_sources().items() if direct.search(src) and name != "progress_bars.py"]
    assert not offenders, f"tqdm imported directly in {offenders}; use rh.progress (rnn_helpers/progress_bars.py)"


def test_nothing_is_downloaded_at_run_time():
    """Data ships in data/ or is generated; no notebook or helper fetches anything."""
    fetching = re.compile(r"urlretrieve|urlopen|requests\.get|download=True|torch\.hub|fetch_openml|load_dataset\(")
    offenders = [name for name, src in _code_sources().items() if fetching.search(src)]
    assert not offenders, f"code that downloads at run time in {offenders}"


# --- No wall-clock assertions -------------------------------------------------------------
# A timing can flip with the load of the machine, so no cell may both time something and
# assert. Timings live in cells of their own, tagged `nbval-ignore-output`, that assert nothing.

TIMER = re.compile(r"perf_counter|time\.time\(|monotonic\(|process_time\(|timeit|median_ms|benchmark_\w+")
ASSERTER = re.compile(r"assert_close|assert_allclose|testing\.assert|pytest\.raises")


def _parse_cell(source: str):
    import ast

    lines = []
    magic_timer = False
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            magic_timer |= bool(re.match(r"%%?time", stripped))
            line = line[: len(line) - len(stripped)] + "pass"
        lines.append(line)
    return ast.parse("\n".join(lines)), magic_timer


def _called_names(node) -> set:
    import ast

    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            f = sub.func
            names.add(f.id if isinstance(f, ast.Name) else getattr(f, "attr", ""))
    return names


def _times_and_asserts(nb) -> list[tuple[int, bool, bool]]:
    """Per code cell: (index, times something, asserts), following functions the notebook defines."""
    import ast

    cells, defs = [], {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree, magic_timer = _parse_cell(cell.source)
        top = []
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
                text = ast.unparse(stmt)
                defs[stmt.name] = (
                    bool(TIMER.search(text)),
                    bool(ASSERTER.search(text)) or any(isinstance(s, ast.Assert) for s in ast.walk(stmt)),
                    _called_names(stmt),
                )
            else:
                top.append(stmt)
        text = "\n".join(ast.unparse(s) for s in top)
        own_assert = any(isinstance(s, ast.Assert) for t in top for s in ast.walk(t)) or bool(ASSERTER.search(text))
        called = set().union(*[_called_names(t) for t in top])
        cells.append((i, magic_timer or bool(TIMER.search(text)), own_assert, called))

    def closure(name, k, seen):  # does function `name` (transitively) time (k=0) or assert (k=1)?
        if name not in defs or name in seen:
            return False
        seen.add(name)
        return defs[name][k] or any(closure(n, k, seen) for n in defs[name][2])

    out = []
    for i, timer, asserts, called in cells:
        timer = timer or any(closure(n, 0, set()) for n in called)
        asserts = asserts or any(closure(n, 1, set()) for n in called)
        out.append((i, timer, asserts))
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_cell_both_times_and_asserts(path):
    nb = nbformat.read(path, as_version=4)
    bad = [i for i, timer, asserts in _times_and_asserts(nb) if timer and asserts]
    assert not bad, f"{path.name}: cells {bad} time something and assert; move the timing to a cell of its own"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_timing_cells_are_tagged_as_variable_output(path):
    nb = nbformat.read(path, as_version=4)
    untagged = [
        i
        for i, timer, _ in _times_and_asserts(nb)
        if timer and "nbval-ignore-output" not in nb.cells[i].metadata.get("tags", [])
    ]
    assert not untagged, f"{path.name}: timing cells {untagged} need the tag nbval-ignore-output"


def test_the_wall_clock_check_catches_what_it_should():
    """The detector itself: direct, through a notebook function, and the clean split."""

    def nb(*sources):
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])

    direct = nb("import time\nt0 = time.perf_counter()\nf()\nassert time.perf_counter() - t0 < 1")
    assert [t and a for _, t, a in _times_and_asserts(direct)] == [True]
    via = nb("def speed():\n    return median_ms(f)\n", "def check(x):\n    assert x > 0\n", "check(speed())")
    assert [t and a for _, t, a in _times_and_asserts(via)] == [False, False, True]
    clean = nb("ms = median_ms(f)\nprint(ms)", "assert torch.allclose(a, b)")
    assert [t and a for _, t, a in _times_and_asserts(clean)] == [False, False]
    magic = nb("%timeit f()\nassert ok")
    assert [t and a for _, t, a in _times_and_asserts(magic)] == [True]


def test_preface_lists_exactly_the_parts_in_the_toc():
    """The preface's part list comes from what exists: every part of the TOC, none 'in preparation'."""
    import yaml

    preface = (ROOT / "book" / "preface.md").read_text()
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    parts = [p["caption"] for p in toc["parts"] if p["caption"].startswith("Part ")]
    assert parts, "the TOC has no parts"
    for caption in parts:
        assert f"**{caption}.**" in preface, f"the preface does not list {caption!r} as written"
    listed = re.findall(r"\*\*(Part [IVX]+):", preface)
    assert listed == [c.split(":")[0] for c in parts], f"preface lists {listed}, TOC has {parts}"
    assert "in preparation" not in preface
    # The book is complete: nothing is announced as to come, and the preface's
    # chapter count is the TOC's.
    assert "to come" not in preface.lower(), "the preface still lists parts as to come"
    words = {19: "nineteen", 20: "twenty", 21: "twenty-one", 22: "twenty-two"}
    n = len(chapter_notebooks())
    assert f"{words.get(n, n)} chapters" in " ".join(preface.split()), f"the preface should say {n} chapters"


CODE_WIDTH = 78  # characters of code the website's content column shows


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_fits_the_page(path):
    """No code line scrolls sideways on the website."""
    nb = nbformat.read(path, as_version=4)
    long = [
        (i, line)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > CODE_WIDTH
    ]
    assert not long, (
        f"{path.name}: {len(long)} code lines over {CODE_WIDTH} characters, e.g. cell {long[0][0]}: {long[0][1]!r}"
    )


COLUMN_PX = 688  # width of the website's content column, in pixels
FIGURE_DPI = 100  # rh.set_plot_style's figure.dpi: the inline PNG has W * 100 pixels
MIN_TEXT_PX = 9
FIGSIZE = re.compile(r"figsize=\(\s*([0-9.]+)\s*,")  # the width; the height may be an expression
FONTSIZE = re.compile(r"fontsize=([0-9.]+)")


def text_px(points: float, width_in: float) -> float:
    """Height on the page of `points`-point text in a figure `width_in` inches wide,
    drawn at FIGURE_DPI and scaled down to the column if it is wider."""
    return points * FIGURE_DPI / 72 * min(1.0, COLUMN_PX / (FIGURE_DPI * width_in))


def test_text_px_scales_wide_figures_down():
    assert text_px(10, 6.4) == pytest.approx(13.9, abs=0.05)  # fits: drawn as is
    assert text_px(10, 12) == pytest.approx(7.96, abs=0.01)  # 1,200 px shown at 688
    assert text_px(10, 10) >= MIN_TEXT_PX > text_px(9, 10)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_figure_text_is_readable_on_the_page(path):
    """Every figure's text is at least 9 px tall on the website: figures at most
    10 inches wide (rh.setup's style draws text at 10 pt or more), and a font
    size set in a cell is large enough for that cell's widest figure."""
    import matplotlib as mpl

    import rnn_helpers as rh

    rh.set_plot_style()
    rc_smallest = min(
        mpl.font_manager.FontProperties(size=mpl.rcParams[key]).get_size_in_points()
        for key in ("xtick.labelsize", "ytick.labelsize", "legend.fontsize", "axes.labelsize", "axes.titlesize")
    )
    nb = nbformat.read(path, as_version=4)
    small = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        widths = [float(w) for w in FIGSIZE.findall(cell.source)] or [mpl.rcParams["figure.figsize"][0]]
        sizes = [float(s) for s in FONTSIZE.findall(cell.source)] + [rc_smallest]
        px = text_px(min(sizes), max(widths))
        if px < MIN_TEXT_PX:
            small.append(f"cell {i}: {min(sizes):g} pt in a {max(widths):g}-inch figure is {px:.1f} px")
    assert not small, f"{path.name}: text under {MIN_TEXT_PX} px on the page: " + "; ".join(small)


def test_bibliography_labels_are_unique():
    """The bibliography labels entries "Author et al., Year" (_ext/author_year_labels.py), as
    the text cites them; two entries with one label would be a build warning and an ambiguous
    citation, so same-author same-year papers carry 2015a, 2015b in their year field."""
    import sys
    from collections import Counter

    from pybtex.database import parse_file

    sys.path.insert(0, str(ROOT / "_ext"))
    from author_year_labels import author_year

    entries = parse_file(str(ROOT / "references.bib")).entries
    labels = Counter(author_year(e) for e in entries.values())
    assert len(entries) > 50
    assert not [x for x, n in labels.items() if n > 1], f"duplicate labels: {[x for x, n in labels.items() if n > 1]}"
    assert "Vinyals et al., 2015a" in labels and "Vinyals et al., 2015b" in labels
