"""The township server's database for one test, on each backend it supports: a SQLite file in the test's folder,
or a fresh PostgreSQL database made through the maintenance URL in ``GRIDDESK_TEST_PG`` and dropped afterwards.

Without ``GRIDDESK_TEST_PG`` the PostgreSQL variants are skipped on a developer's machine and fail in CI (``CI``
set): ``scripts/test.sh`` sets it up (``scripts/postgres.sh``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

BACKENDS = ["sqlite", "postgresql"]
PG_ENV = "GRIDDESK_TEST_PG"


@contextmanager
def server_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The SQLAlchemy URL of an empty database on ``backend``, for the length of the ``with``."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    assert backend == "postgresql", backend
    maintenance = os.environ.get(PG_ENV)
    if not maintenance:
        if os.environ.get("CI"):
            pytest.fail(
                f"{PG_ENV} is not set: CI runs the server tests on PostgreSQL too "
                "(scripts/test.sh sets it up with scripts/postgres.sh)",
                pytrace=False,
            )
        pytest.skip(
            f"PostgreSQL variant: set {PG_ENV} to a maintenance database URL "
            "(e.g. export GRIDDESK_TEST_PG=$(scripts/postgres.sh))"
        )
    name = f"griddesk_test_{uuid.uuid4().hex[:16]}"
    engine = create_engine(maintenance, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(maintenance).set(database=name).render_as_string(hide_password=False)
        finally:
            with engine.connect() as conn:
                # FORCE: a server process killed mid-request may leave its connections open a moment longer.
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()
