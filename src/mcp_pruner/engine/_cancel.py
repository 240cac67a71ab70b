"""Cooperative cancellation of engine work running in a worker thread.

The server runs the engine in worker threads and stops waiting for them at the
caller's deadline; Python cannot stop a thread from outside, so an abandoned run
would go on to its end, competing for the interpreter with the answer being
rendered and with the next calls. The caller hands the engine a
:class:`threading.Event` and sets it when it no longer wants the result; the
engine checks it between phases and every :data:`CHECK_EVERY` steps of its
loops, and raises :class:`Cancelled`.
"""

from __future__ import annotations

import threading
from typing import Final

__all__ = ["CHECK_EVERY", "Cancelled", "check_cancel"]

CHECK_EVERY: Final = 4096
"""Loop steps between two checks (a check costs ~50 ns; 4096 steps of the greedy take ~5 ms)."""


class Cancelled(Exception):
    """The caller gave up on this computation: there is nobody to answer."""


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise :class:`Cancelled` if ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise Cancelled
