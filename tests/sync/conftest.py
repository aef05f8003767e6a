"""Sync fixtures: the real township server as a subprocess on loopback, and laptops as separate ledger files."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from app.ledger import Ledger
from server.admin import main as server_main
from tests.conftest import PASSPHRASE, Township, build_township
from tests.databases import BACKENDS, server_database
from tests.sync.faultproxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    db: str
    """The SQLAlchemy URL of the server's database (SQLite file or PostgreSQL)."""
    process: subprocess.Popen[str]

    def admin(self, *args: str) -> str:
        """``python -m server admin ARGS --url DB``, run in this process (it is the same code, without the
        second it takes a new Python to start); its printed answer."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = server_main(["admin", *args, "--url", self.db])
        assert code == 0, f"admin {' '.join(args)} failed: {err.getvalue()}"
        return out.getvalue().strip()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)


def start_server(db: str | Path, env: dict[str, str] | None = None) -> Server:
    """The server on ``db``: a SQLAlchemy URL, or a SQLite file; ``env`` adds to its environment.

    Its output goes to a temporary file (a pipe nobody reads would block it once full). A port taken between
    choosing it and the server binding it (tests run in parallel) is tried again with another."""
    db = db if isinstance(db, str) else f"sqlite:///{db}"
    output = ""
    for _ in range(3):
        port = free_port()
        with tempfile.TemporaryFile(mode="w+") as log:  # the server keeps its own descriptor of it
            process = subprocess.Popen(
                [sys.executable, "-m", "server", "serve", "--url", db, "--host", "127.0.0.1", "--port", str(port)],
                stdout=log, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
                env=os.environ | {"PYTHONPATH": str(ROOT)} | (env or {}),
            )  # fmt: skip
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if requests.get(url + "/health", timeout=1).ok:
                        return Server(url, db, process)
                except requests.ConnectionError:
                    time.sleep(0.05)
            process.kill()
            process.wait(10)
            log.seek(0)
            output = log.read()
        if "address already in use" not in output.lower():
            break
    raise RuntimeError("server did not start: " + output)


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    with server_database(request.param, tmp_path) as db:
        running = start_server(db)
        try:
            yield running
        finally:
            running.stop()


@dataclass
class Laptops:
    """The township office's ledger (which built the grid tree) and two village laptops of grid A."""

    township: Township
    office: Ledger
    a: Ledger
    b: Ledger


@pytest.fixture
def laptops(tmp_path: Path, empty_ledger_file: Path, server: Server) -> Iterator[Laptops]:
    from sync.engine import enrol, run_sync

    opened: list[Ledger] = []

    def laptop(name: str) -> Ledger:
        path = tmp_path / name / "ledger.db"
        path.parent.mkdir()
        shutil.copyfile(empty_ledger_file, path)
        ledger = Ledger.open(path, PASSPHRASE, actor=name)
        opened.append(ledger)
        return ledger

    office = laptop("office")
    township = build_township(office)
    server.admin("init", "--grids", township.grid_a.id, township.grid_b.id)
    enrol(office, server.url, server.admin("enrol-code", "--township"), "乡镇办公室")
    run_sync(office)
    a, b = laptop("a"), laptop("b")
    for ledger, name in ((a, "采集员甲"), (b, "采集员乙")):
        enrol(ledger, server.url, server.admin("enrol-code", "--grids", township.grid_a.id), name)
        run_sync(ledger)
    yield Laptops(township, office, a, b)
    for ledger in opened:
        ledger.close()


@pytest.fixture
def proxy(server: Server) -> Iterator[FaultProxy]:
    running = FaultProxy("127.0.0.1", int(server.url.rsplit(":", 1)[1]))
    yield running
    running.close()
