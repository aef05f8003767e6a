"""Pausing Python's cycle collector while a bulk load runs.

A first pull makes and drops hundreds of thousands of short-lived objects (pages, rows, values), a long push tens of
thousands. Whenever enough of them outlive a young collection, the collector walks every object the process holds
(the ledger's, the window's): on the benchmark township that was 3 s of a 19-second pull, and 0.2 s of a 2-second
push of 10,000 operations. Reference counting still frees everything that is not in a cycle; the few cycles made
meanwhile (under 8,000 objects in a whole pull, measured) wait for the first collection after the pause. In the
window the pause covers the whole sync, network waits included, so the window's own cycles wait with it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep the cycle collector off until the last of the overlapping pauses (any thread) ends; one that was off
    before the first stays off."""
    global _holders, _resume
    with _lock:
        if _holders == 0:
            _resume = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _resume:
                gc.enable()
