"""Sync fixtures: the real township server as a subprocess on loopback, and laptops as separate ledger files."""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.ledger import Ledger
from server.admin import main as server_main
from server.launch import ROOT as ROOT
from server.launch import RunningServer, launch
from server.launch import free_port as free_port
from tests.conftest import PASSPHRASE, Township, build_township
from tests.databases import BACKENDS, server_database
from tests.sync.faultproxy import FaultProxy


@dataclass
class Server(RunningServer):
    """The server a test runs (``server.launch``), with its admin command at hand."""

    def admin(self, *args: str) -> str:
        """``python -m server admin ARGS --url DB``, run in this process (it is the same code, without the
        second it takes a new Python to start); its printed answer."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = server_main(["admin", *args, "--url", self.db])
        assert code == 0, f"admin {' '.join(args)} failed: {err.getvalue()}"
        return out.getvalue().strip()


def start_server(db: str | Path, env: dict[str, str] | None = None) -> Server:
    """The server on ``db``: a SQLAlchemy URL, or a SQLite file; ``env`` adds to its environment."""
    running = launch(db, env)
    return Server(running.url, running.db, running.process)


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
