"""What must hold after every fault-matrix scenario, once faults heal and the system is quiet (SYNC.md):

every outbox empty (nothing pending; conflicts and rejections wait for a person), each operation applied exactly once,
the server's records exactly the ids the laptops created, every client's data equal to the server's for its scope
(fields waiting in the conflict inbox aside), ``PRAGMA integrity_check`` ok on every ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import create_engine, func, select

from app import db
from app.ledger import Ledger
from app.models import ENTITY_BY_NAME, OutboxOp
from app.writer import field_columns, to_json
from server.store import applied_ops, change_log, records, same_value
from sync.client import SyncClient
from sync.engine import read_state, run_sync
from sync.protocol import TOWNSHIP


def settle(ledgers: Sequence[Ledger], clients: dict[int, SyncClient] | None = None, rounds: int = 4) -> None:
    """Sync every ledger until none has anything waiting and a full round pulls nothing new."""
    for _ in range(rounds):
        pulled = 0
        for ledger in ledgers:
            pulled += run_sync(ledger, (clients or {}).get(id(ledger))).pulled
        if pulled == 0 and all(_count(ledger, "pending") == 0 for ledger in ledgers):
            return
    raise AssertionError("the laptops did not settle")


def _count(ledger: Ledger, state: str) -> int:
    with ledger.read() as session:
        query = select(func.count()).select_from(OutboxOp).where(OutboxOp.state == state)
        return int(session.scalar(query) or 0)


def assert_whole(server_db: str, ledgers: Sequence[Ledger]) -> None:
    engine = create_engine(server_db)
    try:
        with engine.connect() as conn:
            stored = {(r.entity, r.record_id): r for r in conn.execute(select(records))}
            answered = set(conn.scalars(select(applied_ops.c.op_id)))
            # each operation applied once: one change-log row per (record, version, scope)
            repeats = conn.execute(
                select(
                    change_log.c.entity, change_log.c.record_id, change_log.c.version, change_log.c.grid_id
                )
                .group_by(
                    change_log.c.entity, change_log.c.record_id, change_log.c.version, change_log.c.grid_id
                )
                .having(func.count() > 1)
            ).all()
    finally:
        engine.dispose()
    assert not repeats, f"applied more than once: {repeats[:5]}"
    created: set[tuple[str, str]] = set()
    for ledger in ledgers:
        assert db.integrity_check(ledger.engine) == [], ledger.path
        with ledger.read() as session:
            ops = session.scalars(select(OutboxOp)).all()
            state = read_state(session)
        pending = [o for o in ops if o.state == "pending"]
        assert not pending, f"{ledger.path}: {len(pending)} operations never sent"
        for op in ops:
            if op.state == "sent":
                assert op.op_id in answered, f"{ledger.path}: {op.op_id} marked sent, unknown to the server"
            if op.kind == "create" and op.state in ("sent", "conflict"):
                created.add((op.entity, op.record_id))
        _assert_same_data(ledger, stored, state.get("grids") or [], ops)
    assert set(stored) == created, (
        f"server has {len(stored)} records, laptops created {len(created)}: "
        f"extra {sorted(set(stored) - created)[:3]}, missing {sorted(created - set(stored))[:3]}"
    )


def _assert_same_data(
    ledger: Ledger, stored: dict[tuple[str, str], Any], grids: list[str], ops: Sequence[OutboxOp]
) -> None:
    """The ledger holds exactly the server's records of its scope, field for field (open conflicts aside)."""
    township = TOWNSHIP in grids
    waiting: dict[str, set[str]] = {}
    local_only: set[str] = set()
    for op in ops:
        if op.state in ("conflict", "rejected"):
            waiting.setdefault(op.record_id, set()).update(op.changes)
            if op.kind == "create":
                local_only.add(op.record_id)
    by_entity: dict[str, list[Any]] = {}
    for (entity, _), row in stored.items():
        if township or row.grid_id is None or row.grid_id in grids:
            by_entity.setdefault(entity, []).append(row)
    with ledger.read() as session:
        for entity, model in ENTITY_BY_NAME.items():
            columns = field_columns(model)
            rows = {r.record_id: r for r in by_entity.get(entity, [])}
            local = {r.id: r for r in session.scalars(select(model)) if r.id not in local_only}
            in_scope = {i for i, r in local.items() if township or r.grid_id is None or r.grid_id in grids}
            missing = set(rows) - set(local)
            assert not missing, f"{ledger.path}: {entity} {sorted(missing)[:3]} not pulled"
            for record_id in in_scope:
                row = rows.get(record_id)
                if row is None:
                    elsewhere = stored.get((entity, record_id))
                    if elsewhere is not None:  # moved to a grid outside this laptop's scope: gone from here
                        assert local[record_id].deleted, (
                            f"{ledger.path}: {entity} {record_id} moved out, still shown"
                        )
                    else:  # bundled reference data every laptop has from its installer, never sent
                        assert local[record_id].grid_id is None, (
                            f"{ledger.path}: {entity} {record_id} never sent"
                        )
                    continue
                record = local[record_id]
                skip = waiting.get(record_id, set())
                assert bool(record.deleted) == bool(row.deleted) or "deleted" in skip, (entity, record_id)
                # every field: a create leaves empty ones out, so missing on the server means empty
                for name in columns:
                    if name not in skip and name != "deleted":
                        value = row.values.get(name)
                        mine = to_json(getattr(record, name))
                        if mine is None and _outside(session, columns[name], value):
                            continue  # a link to a record outside this laptop's grids is left empty here
                        assert same_value(mine, value), (
                            f"{ledger.path}: {entity} {record_id}.{name} is {mine!r}, server has {value!r}"
                        )


def _outside(session: Any, column: Any, value: Any) -> bool:
    """Whether ``value`` of a foreign-key ``column`` names a record this ledger does not have."""
    for key in column.foreign_keys:
        model = ENTITY_BY_NAME.get(key.column.table.name)
        if model is not None and value is not None and session.get(model, value) is None:
            return True
    return False
