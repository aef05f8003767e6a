"""The blob read check through ``BlobStore`` directly, on each backend: a device may read a blob when a live
attachment record of its grids names it, found through the expression index ``ix_records_attachment_sha256``
(made on a database from before that index when the server starts), not by reading every attachment."""

from __future__ import annotations

import hashlib
import io
import uuid
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event, inspect, select, text, update
from sqlalchemy.schema import DropIndex

from server import admin
from server.blobs import BlobStore, blob_chunks
from server.blobs import blobs as blobs_table
from server.store import (
    REASON_UNSTORABLE_ATTACHMENT,
    Device,
    Store,
    records,
)
from sync.protocol import Operation, OpResult, OpStatus, PushRequest
from tests.server.conftest import GRID_A, GRID_B

INDEX = "ix_records_attachment_sha256"
PHOTO = b"\xff\xd8\xff\xe0 a synthetic photo of a house number plate"
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


def device(store: Store, *grids: str, township: bool = False) -> Device:
    answer = store.enrol(store.create_enrol_code(list(grids), township=township), "测试笔记本")
    found = store.device_for_token(answer.token)
    assert found is not None
    return found


def push(
    store: Store, by: Device, kind: str, record_id: str, changes: dict[str, list[Any]], base: int = 0
) -> OpResult:
    op = Operation(
        op_id=str(uuid.uuid4()), entity="attachment", record_id=record_id, grid_id=GRID_A, kind=kind,  # type: ignore[arg-type]
        changes=changes, base_version=base, created_at=datetime.now(UTC), actor="采集员甲",
    )  # fmt: skip
    (result,) = store.push(by, PushRequest(batch_id=str(uuid.uuid4()), operations=[op])).results
    return result


def attach(
    store: Store, by: Device, sha256: str = PHOTO_SHA, filename: str = "门牌照片.jpg"
) -> tuple[str, OpResult]:
    """Push an attachment record of grid A naming blob ``sha256``, as a laptop's write path makes it; its id."""
    values = {
        "owner_kind": "household", "owner_id": str(uuid.uuid4()), "sha256": sha256, "filename": filename,
        "mime": "image/jpeg", "size": len(PHOTO), "grid_id": GRID_A,
    }  # fmt: skip
    record_id = str(uuid.uuid4())
    return record_id, push(store, by, "create", record_id, {k: [None, v] for k, v in values.items()})


def index_names(store: Store) -> set[str]:
    """The indexes of the records table (SQLite's reflection leaves expression indexes out: its catalogue)."""
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            query = text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'")
            return set(conn.execute(query).scalars())
    return {str(found["name"]) for found in inspect(store.engine).get_indexes("records")}


def test_a_device_reads_a_blob_an_attachment_of_its_grids_names(store: Store) -> None:
    blobs = BlobStore(store)
    laptop, other, township = device(store, GRID_A), device(store, GRID_B), device(store, township=True)
    blobs.append(PHOTO_SHA, 0, PHOTO, len(PHOTO))
    assert blobs.readable(laptop, PHOTO_SHA) is None, "no attachment names it yet"

    record_id, created = attach(store, laptop)
    assert created.status is OpStatus.APPLIED, created.reason
    assert attach(store, laptop, sha256="0" * 64)[1].status is OpStatus.APPLIED  # another blob's record

    assert blobs.readable(laptop, PHOTO_SHA) is not None
    assert blobs.readable(township, PHOTO_SHA) is not None
    assert blobs.readable(other, PHOTO_SHA) is None
    deleted = push(store, laptop, "delete", record_id, {"deleted": [False, True]}, base=1)
    assert deleted.status is OpStatus.APPLIED, deleted.reason
    assert blobs.readable(laptop, PHOTO_SHA) is None, "no live attachment names it any more"


def test_the_index_is_made_with_the_tables_and_on_a_database_from_before_it(database: str) -> None:
    first = Store(database)
    try:
        assert INDEX in index_names(first)
        index = next(found for found in records.indexes if found.name == INDEX)
        with first.engine.begin() as conn:
            conn.execute(DropIndex(index))  # a server database made before the index existed
        assert INDEX not in index_names(first)
    finally:
        first.close()

    again = Store(database)
    try:
        assert INDEX in index_names(again)
    finally:
        again.close()


def test_an_attachment_with_nul_in_a_value_is_rejected_and_other_records_keep_it(store: Store) -> None:
    """PostgreSQL cannot index the blob an attachment names when its json holds "\\u0000": rejected alike on
    every backend, with a reason; records of other kinds (outside the index's condition) still keep NUL."""
    laptop = device(store, GRID_A)
    refused = attach(store, laptop, filename="门牌\x00照片.jpg")[1]
    assert (refused.status, refused.reason) == (OpStatus.REJECTED, REASON_UNSTORABLE_ATTACHMENT)
    op = Operation(
        op_id=str(uuid.uuid4()), entity="person", record_id=str(uuid.uuid4()), grid_id=GRID_A, kind="create",
        changes={"name": [None, "张\x00三"], "grid_id": [None, GRID_A]}, base_version=0,
        created_at=datetime.now(UTC), actor="采集员甲",
    )  # fmt: skip
    (kept,) = store.push(laptop, PushRequest(batch_id=str(uuid.uuid4()), operations=[op])).results
    assert kept.status is OpStatus.APPLIED, kept.reason


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_read_check_is_an_index_lookup(store: Store) -> None:
    """SQLite only, by nature: ``EXPLAIN QUERY PLAN`` is SQLite's, and SQLite uses an expression index only when
    the query's expression is the indexed one, which is what this checks. PostgreSQL's planner picks by table
    statistics (a nearly empty test table is read whole whatever its indexes); there the index's existence is
    checked (test above)."""
    blobs = BlobStore(store)
    laptop = device(store, GRID_A)
    blobs.append(PHOTO_SHA, 0, PHOTO, len(PHOTO))
    assert attach(store, laptop)[1].status is OpStatus.APPLIED
    executed: list[tuple[str, Any]] = []

    def seen(_conn: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM records" in statement:
            executed.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        assert blobs.readable(laptop, PHOTO_SHA) is not None
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)

    ((statement, parameters),) = executed
    with store.engine.connect() as conn:
        plan = " | ".join(
            row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        )
    assert f"USING INDEX {INDEX} (<expr>=?)" in plan, plan


def test_prune_blobs_deletes_the_files_no_live_attachment_names_once_they_lie_unused(
    store: Store, database: str
) -> None:
    blobs = BlobStore(store)
    laptop = device(store, GRID_A)
    contents = {
        name: f"synthetic {name} scan".encode() * 100 for name in ("kept", "deleted", "orphan", "young")
    }
    sha = {name: hashlib.sha256(data).hexdigest() for name, data in contents.items()}
    for name, data in contents.items():
        half = len(data) // 2  # two chunks each: every chunk must go with its blob
        blobs.append(sha[name], 0, data[:half], len(data))
        blobs.append(sha[name], half, data[half:], len(data))
    assert attach(store, laptop, sha256=sha["kept"])[1].status is OpStatus.APPLIED
    record_id, created = attach(store, laptop, sha256=sha["deleted"])
    assert created.status is OpStatus.APPLIED
    assert (
        push(store, laptop, "delete", record_id, {"deleted": [False, True]}, base=1).status
        is OpStatus.APPLIED
    )
    with store.engine.begin() as conn:  # all but one last written 40 days ago
        conn.execute(
            update(blobs_table)
            .where(blobs_table.c.sha256 != sha["young"])
            .values(updated_at=datetime(2026, 1, 1))
        )

    out = io.StringIO()
    with redirect_stdout(out):
        assert admin.main(["admin", "prune-blobs", "--url", database, "--days", "30"]) == 0
    assert "删除了 2 个" in out.getvalue()

    with store.engine.connect() as conn:
        left = set(conn.execute(select(blobs_table.c.sha256)).scalars())
        chunks = set(conn.execute(select(blob_chunks.c.sha256)).scalars())
    assert left == chunks == {sha["kept"], sha["young"]}
    assert blobs.readable(laptop, sha["kept"]) is not None
    assert blobs.prune(timedelta(0)) == (1, len(contents["young"])), "--days 0: the young orphan too"

    errors = io.StringIO()
    with redirect_stderr(errors):
        assert admin.main(["admin", "prune-blobs", "--url", database, "--days", "-1"]) == 2
    assert "不能是负数" in errors.getvalue()
