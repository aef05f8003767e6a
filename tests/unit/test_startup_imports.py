"""The window starts without the sync engine and its HTTP stack: they load with the first sync (measured: the
cold start of the benchmark township went from 1.6–2.4 s to 1.4–1.7 s, eight alternating runs each)."""

from __future__ import annotations

import subprocess
import sys

SYNC_ONLY = (
    "requests",
    "urllib3",
    "pydantic",
    "sync.engine",
    "sync.client",
    "sync.background",
    "sync.protocol",
)


def test_the_window_and_the_command_line_load_no_sync_machinery_until_a_sync() -> None:
    probe = (
        "import sys; import ui.entry, ui.main, sync.commands; "
        f"print(','.join(m for m in {SYNC_ONLY!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == ""
    # and the sync worker still finds them when it runs
    probe = "import sys; from ui.sync_worker import SyncWorker; from sync.background import sync_once; print('ok')"
    assert (
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
        == "ok\n"
    )
