"""The one setup call every chapter makes: seeds, device and plot style."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

#: Okabe & Ito's palette, distinguishable with every common colour-vision deficiency.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, numpy's global generator and torch (CPU and CUDA)."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed_everything: argument 'seed' must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def get_device(prefer: str | None = None) -> torch.device:
    """CUDA if available, else CPU. ``prefer='cpu'`` (or env var ``RNN_BOOK_DEVICE``) forces one."""
    prefer = prefer or os.environ.get("RNN_BOOK_DEVICE")
    if prefer is not None:
        return torch.device(prefer)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def set_plot_style() -> None:
    """A clean matplotlib style with a colour-blind-safe colour cycle."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=OKABE_ITO),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.frameon": False,
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "image.cmap": "viridis",
        }
    )


#: torch's CPU threads when neither ``setup(threads=...)`` nor ``RNN_BOOK_THREADS`` says otherwise.
DEFAULT_THREADS = 1


def set_threads(threads: int | None = None) -> int:
    """Set the number of CPU threads torch uses for one operation, and return it.

    ``threads`` wins; else the environment variable ``RNN_BOOK_THREADS``; else
    :data:`DEFAULT_THREADS` (1). The book's models are small (H <= 256), so a
    second thread buys little, and on a two-core laptop where another program
    holds a core, two threads wait on each other: the appendix on run times
    measures both.
    """
    if threads is None:
        env = os.environ.get("RNN_BOOK_THREADS")
        if env is not None:
            if not env.strip().isdigit() or int(env) < 1:
                raise ValueError(f"RNN_BOOK_THREADS must be a positive integer, got {env!r}")
            threads = int(env)
        else:
            threads = DEFAULT_THREADS
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"set_threads: argument 'threads' must be a positive int, got {threads!r}")
    torch.set_num_threads(threads)
    return threads


def setup(seed: int = 0, device: str | None = None, threads: int | None = None) -> torch.device:
    """Seed every random generator, set the plot style and torch's threads, and return the device.

    Call it once, in a chapter's setup cell::

        device = rh.setup(seed=0)             # 1 CPU thread (see set_threads)
        device = rh.setup(seed=0, threads=4)  # or RNN_BOOK_THREADS=4 in the environment
    """
    seed_everything(seed)
    set_plot_style()
    set_threads(threads)
    return get_device(device)


def glue(name: str, value, display: bool = False) -> None:
    """Store ``value`` under ``name`` for the book's prose (myst-nb's ``glue``).

    In markdown, ``{glue:text}`name:.3f``` then shows the value the code
    computed. Returns ``None``, so a glue call that ends a cell prints nothing.
    Outside the book build (e.g. on Colab, where myst-nb is not installed) it
    does nothing, so notebooks run everywhere. Numpy scalars are stored as
    plain Python numbers, so format specs such as ``:.3f`` work on them.
    """
    if isinstance(value, np.generic):  # numpy scalars print as np.float64(...), which glue cannot format
        value = value.item()
    try:
        from myst_nb import glue as _glue
    except ImportError:  # pragma: no cover - only on machines without myst-nb
        return
    _glue(name, value, display=display)


#: Seconds the reference workload (:func:`reference_workload`) took on the machine the
#: book's time budgets were set on, 2026-11-29; a host's speed index is measured against it.
REFERENCE_S = {"python": 0.290, "torch": 0.268}


def reference_workload(repeats: int = 3) -> dict[str, float]:
    """Best of ``repeats`` timings of two fixed workloads, after one warm-up run each.

    The workloads are pure Python (a loop of ten million additions) and a small
    LSTM in torch (100 forward and backward passes of ``nn.LSTM(16, 32)`` over a
    batch of 64 sequences of 50 steps, one thread). Returns seconds per workload,
    ``{"python": ..., "torch": ...}``. Takes about ``2 * (repeats + 1)`` times
    :data:`REFERENCE_S`'s total on a host like the reference one.
    """
    import time

    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"reference_workload: argument 'repeats' must be a positive int, got {repeats!r}")

    def python_work():
        total = 0
        for i in range(10_000_000):
            total += i % 7
        return total

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    lstm = torch.nn.LSTM(16, 32, batch_first=True)
    x = torch.randn(64, 50, 16, generator=gen)

    def torch_work():
        for _ in range(100):
            out, _ = lstm(x)
            out.pow(2).mean().backward()

    seconds = {}
    try:
        for name, fn in (("python", python_work), ("torch", torch_work)):
            fn()  # warm up
            best = float("inf")
            for _ in range(repeats):
                start = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - start)
            seconds[name] = best
    finally:
        torch.set_num_threads(threads)
    return seconds


def speed_index(seconds: dict[str, float] | None = None, repeats: int = 2) -> float:
    r"""How fast this host runs the reference workload, relative to the reference host.

    .. math::
        \mathrm{index} = \Big(\prod_{w} \frac{\mathrm{reference}_w}{\mathrm{measured}_w}\Big)^{1/2}

    over the two workloads :math:`w` of :func:`reference_workload` (a geometric
    mean of speed ratios): 1.00 is the reference host, 2.00 a host twice as fast.
    A chapter that took :math:`t` seconds here would take about
    :math:`t \cdot \mathrm{index}` seconds on the reference host, which is what
    the book's budgets (40 s a chapter) refer to. ``seconds`` are timings from
    :func:`reference_workload`; if omitted, the workload is run (``repeats``
    times each, about 2 s).
    """
    if seconds is None:
        seconds = reference_workload(repeats)
    missing = sorted(set(REFERENCE_S) - set(seconds))
    if missing or any(not seconds[k] > 0 for k in REFERENCE_S):
        raise ValueError(
            f"speed_index: argument 'seconds' must give positive seconds for {sorted(REFERENCE_S)}, got {seconds!r}"
        )
    prod = 1.0
    for k in REFERENCE_S:
        prod *= REFERENCE_S[k] / seconds[k]
    return prod ** (1 / len(REFERENCE_S))
