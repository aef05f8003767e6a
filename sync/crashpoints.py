"""Named crash points for the fault-matrix tests: a laptop's sync, or the township server, SIGKILLed at one step.

``GRIDDESK_SYNC_CRASH_AT=NAME`` in a process's environment makes it die at the point called NAME, as a power cut
would stop it; unset (always, outside the tests), every point is a no-op. SIGKILL is not power loss (the OS
cache survives); the ledger's ``synchronous=FULL`` (and the server database's) covers the difference.
"""

from __future__ import annotations

import os
import signal

CRASH_AT_ENV = "GRIDDESK_SYNC_CRASH_AT"


def crash_point(name: str) -> None:
    """Die here when ``GRIDDESK_SYNC_CRASH_AT`` names this point."""
    if os.environ.get(CRASH_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
