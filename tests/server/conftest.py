"""The reference server's tests: two grids, and a server database on each backend (SQLite, and PostgreSQL when
GRIDDESK_TEST_PG names one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.store import Store
from tests.databases import BACKENDS, server_database

GRID_A = "0190a1b2-0000-7000-8000-00000000000a"
GRID_B = "0190a1b2-0000-7000-8000-00000000000b"


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty server database, once per backend."""
    with server_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    """A store on ``database`` with a township of grids A and B."""
    opened = Store(database)
    opened.init_township([GRID_A, GRID_B])
    try:
        yield opened
    finally:
        opened.close()
