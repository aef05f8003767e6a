"""Start the township server (``python -m server serve``, the ``griddesk-server`` command) as a subprocess on a free
loopback port, and wait until it answers ``/health``. One starter for the sync tests' fixtures and the sync benchmark.

The server's output goes to a temporary file (a pipe nobody reads would block it once full), read back only to say
why it did not start. A port taken between choosing it and the server binding it (tests run in parallel) is tried
again with another.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
"""The source tree the subprocess runs from (on its ``PYTHONPATH``)."""


def free_port() -> int:
    """A loopback port nobody listens on right now (someone may take it before the caller binds it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningServer:
    url: str
    """Where it answers: ``http://127.0.0.1:PORT``."""
    db: str
    """The SQLAlchemy URL of its database (SQLite file or PostgreSQL)."""
    process: subprocess.Popen[str]

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)


def launch(
    db: str | Path, env: dict[str, str] | None = None, *, wait: float = 30.0, tries: int = 3
) -> RunningServer:
    """The server on ``db`` (a SQLAlchemy URL, or a SQLite file), answering on a free loopback port; ``env`` adds
    to its environment. Waits up to ``wait`` seconds for ``/health``; raises RuntimeError with the server's output
    when it does not come up."""
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    output = ""
    for _ in range(tries):
        port = free_port()
        with tempfile.TemporaryFile(mode="w+") as log:  # the server keeps its own descriptor of it
            process = subprocess.Popen(
                [sys.executable, "-m", "server", "serve", "--url", url, "--host", "127.0.0.1", "--port", str(port)],
                stdout=log, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
                env=os.environ | {"PYTHONPATH": str(ROOT)} | (env or {}),
            )  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if requests.get(base + "/health", timeout=1).ok:
                        return RunningServer(base, url, process)
                except requests.ConnectionError:
                    time.sleep(0.05)
            process.kill()
            process.wait(10)
            log.seek(0)
            output = log.read()
        if "address already in use" not in output.lower():
            break
    raise RuntimeError("server did not start: " + output)
