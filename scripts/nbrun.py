"""Run notebooks with nbclient without its stall after widget cells.

Plain nbclient can wait out a whole cell timeout after a cell that shows
ipywidgets, although the kernel's execute reply has already arrived
(jupyter/nbclient#312). :class:`PollingClient` asks the shell channel for the
reply every second instead of once with the cell's full timeout. The student-
version tests and the grader (``scripts/grade.py``) both use it.
"""

from __future__ import annotations

import time
from queue import Empty

from nbclient import NotebookClient
from nbclient.util import ensure_async


def _poll(kc) -> None:
    """Make ``kc``'s shell channel wait for a reply in one-second polls (see the module docstring)."""
    get_msg = kc.shell_channel.get_msg

    async def polling_get_msg(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                return await ensure_async(get_msg(timeout=1.0))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    kc.shell_channel.get_msg = polling_get_msg


class PollingClient(NotebookClient):
    """A ``NotebookClient`` whose shell channel is polled every second (see the module docstring)."""

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        _poll(kc)
        return kc


def install_polling() -> None:
    """Make every ``NotebookClient`` in this process poll, including nbgrader's and nbconvert's executors.

    For programs that create their own clients, such as ``nbgrader autograde``: call it from
    their configuration file (``nbgrader_config.py``), which runs in the same process.
    """
    original = NotebookClient.async_start_new_kernel_client
    if getattr(original, "polls", False):
        return

    async def polling_start(self):
        kc = await original(self)
        _poll(kc)
        return kc

    polling_start.polls = True
    NotebookClient.async_start_new_kernel_client = polling_start
