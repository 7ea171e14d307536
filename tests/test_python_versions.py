"""The Python versions pyproject.toml claims, checked as far as this machine allows.

The unit tests and the notebooks need torch, which this machine (and CI's) has for
Python 3.11 only, so they run on 3.11. With every interpreter found here, from the
lowest version in ``requires-python`` up, this test checks what needs no third-party
package: that ``rnn_helpers`` and ``scripts`` compile (the syntax), and that every
standard-library module they import exists in that version (``tomllib`` is 3.11+,
``imghdr`` is gone in 3.13). It runs nothing, so it cannot catch a standard-library
*function* that is newer or removed, nor any difference in behaviour.

An interpreter missing from the claimed range is reported, never skipped silently: in
CI (``CI`` set) the test fails; elsewhere it warns and checks the ones it found.
"""

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

from bookinfo import ROOT

CHECKED = ["rnn_helpers", "scripts"]
NEWEST_CHECKED = (3, 13)  # README.md names the range; newer interpreters found here are checked too

# Run by each interpreter: its version, whether every file compiles, and its stdlib module names.
PROBE = """
import compileall, json, sys
ok = [compileall.compile_dir(d, quiet=1, force=True) for d in sys.argv[1:]]
print(json.dumps({"version": list(sys.version_info[:2]), "compiles": all(ok),
                  "stdlib": sorted(getattr(sys, "stdlib_module_names", ()))}))
"""


def lowest_claimed() -> tuple[int, int]:
    import tomllib  # the tests themselves run on 3.11 (tomllib is 3.11+)

    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    match = re.fullmatch(r"\s*>=\s*3\.(\d+)\s*", spec)
    assert match, f"requires-python is {spec!r}; this test understands only '>=3.N'"
    return 3, int(match.group(1))


def interpreters() -> dict[tuple[int, int], Path]:
    """The interpreters on this machine by (major, minor): pyenv's versions, then python3.N on PATH."""
    found = {}
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for exe in sorted(
        pyenv.glob("3.*/bin/python3.*"), key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.parent.name)]
    ):
        m = re.fullmatch(r"python3\.(\d+)", exe.name)
        if m:
            found[(3, int(m.group(1)))] = exe  # sorted by patch level: the newest patch wins
    for minor in range(30):
        exe = shutil.which(f"python3.{minor}")
        if exe and (3, minor) not in found:
            found[(3, minor)] = Path(exe)
    return found


def stdlib_imports() -> dict[str, list[str]]:
    """Standard-library modules (as this 3.11 knows them) that the checked code imports, and where."""
    used = {}
    for folder in CHECKED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            try:
                tree = ast.parse(path.read_text())
            except SyntaxError:  # not valid on this 3.11: the compile check below reports it, per version
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names and top != "__future__":
                        used.setdefault(top, []).append(str(path.relative_to(ROOT)))
    return used


def test_helpers_and_scripts_compile_on_every_claimed_python(tmp_path):
    lowest = lowest_claimed()
    found = interpreters()
    newest = max([NEWEST_CHECKED, *found])
    claimed = [(3, minor) for minor in range(lowest[1], newest[1] + 1)]
    missing = [v for v in claimed if v not in found]
    if missing:
        names = ", ".join(f"{a}.{b}" for a, b in missing)
        message = f"no interpreter for Python {names} on this machine: not checked"
        assert not os.environ.get("CI"), message
        warnings.warn(message, stacklevel=1)
    used = stdlib_imports()
    assert used, "found no standard-library imports to check: is CHECKED right?"

    tested, problems = [], []
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache")}  # no .pyc files in the repository
    for version in claimed:
        if version not in found:
            continue
        proc = subprocess.run(
            [str(found[version]), "-c", PROBE, *[str(ROOT / d) for d in CHECKED]],
            capture_output=True,
            text=True,
            env=env,
        )
        name = f"{version[0]}.{version[1]}"
        result = json.loads(proc.stdout.splitlines()[-1]) if proc.stdout.strip() else {}
        if tuple(result.get("version", ())) != version:
            problems.append(f"{found[version]} is not Python {name}: {proc.stdout[-300:]}{proc.stderr[-300:]}")
            continue
        if not result["compiles"]:
            errors = "\n".join(proc.stdout.splitlines()[:-1])  # compileall's messages, before the JSON line
            problems.append(f"Python {name} cannot compile the code:\n{errors[-3000:]}")
        if result["stdlib"]:  # sys.stdlib_module_names exists from 3.10 on
            absent = {m: where for m, where in used.items() if m not in result["stdlib"]}
            if absent:
                problems.append(f"Python {name} lacks standard-library modules the code imports: {absent}")
        else:
            warnings.warn(f"Python {name} has no sys.stdlib_module_names: only its syntax was checked", stacklevel=1)
        tested.append(name)
    print(f"checked on Python {', '.join(tested)}")
    assert tested, f"no interpreter of Python {lowest[0]}.{lowest[1]} or newer found: nothing was checked"
    assert not problems, "\n".join(problems)
