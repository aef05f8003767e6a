"""The one write path: every change to the ledger goes through a WriteTx.

In one database transaction a WriteTx changes the record (client UUIDv7, version, who/when, tombstone on
delete), appends one outbox operation per changed record (field old/new values and the base version), appends an
audit entry, and refreshes the search keys. Services open a WriteTx, call ``create``/``update``/``delete`` on it,
and it commits at the end of the ``with`` block — or nothing is written at all.

Changing a synced record any other way is refused at flush time (see ``_guard_flush``).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Engine, event, insert
from sqlalchemy.orm import Session

from app import codes
from app.errors import ValidationError
from app.ids import uuid7
from app.models import AuditEntry, OutboxOp, Synced, utcnow
from app.models.base import BOOKKEEPING

R = TypeVar("R", bound=Synced)

Indexer = Callable[["WriteTx", Sequence[Mapping[str, Any]], bool], None]
"""Called after records of one kind were created or changed, with their column values (for search keys);
the flag says the records are all new (nothing to remove first)."""

_INDEXERS: dict[str, Indexer] = {}


def register_indexer(entity: str, indexer: Indexer) -> None:
    """Keep a derived index (search keys) in step with ``entity``'s records, inside the same transaction."""
    _INDEXERS[entity] = indexer


def to_json(value: Any) -> Any:
    """A column value as it travels in an outbox operation."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | dict):
        return json.loads(json.dumps(value, ensure_ascii=False))
    return value


def entity_of(record: Synced | type[Synced]) -> str:
    table: str = getattr(record, "__tablename__")  # noqa: B009 - declared on every model
    return table


def field_columns(model: type[Synced]) -> dict[str, Column[Any]]:
    """The columns an operation carries: every column except the bookkeeping ones."""
    return {c.key: c for c in model.__table__.columns if c.key not in BOOKKEEPING}  # type: ignore[attr-defined]


def field_label(model: type[Synced], name: str) -> str:
    column = model.__table__.columns[name]  # type: ignore[attr-defined]
    text: str = column.info.get("label", name)
    return text


def _check_codes(model: type[Synced], values: Mapping[str, Any], record_name: str) -> None:
    columns = model.__table__.columns  # type: ignore[attr-defined]
    for name, value in values.items():
        if name not in columns or value in (None, ""):
            continue
        table_key = columns[name].info.get("codes")
        if table_key and str(value) not in codes.table(table_key):
            label = columns[name].info.get("label", name)
            raise ValidationError(
                name,
                label,
                f"代码“{value}”不在《{codes.table(table_key).title}》中，请从下拉列表中选择。",
                record_name,
            )


class WriteTx:
    """One write transaction of the ledger. Use through ``Ledger.write()``, never directly."""

    def __init__(self, session: Session, actor: str) -> None:
        self.session = session
        self.actor = actor
        self.now = utcnow()
        self._tracked: set[int] = set()
        self._pending_index: dict[str, list[Mapping[str, Any]]] = {}
        self.operations = 0

    # -- records -------------------------------------------------------------------------------------
    def create(self, record: R) -> R:
        """Add a new record: id, version 1, who/when; outbox ``create`` with every field; audit."""
        model = type(record)
        if not record.id:
            record.id = uuid7()
        record.version = 1
        record.created_at = record.updated_at = self.now
        record.created_by = record.updated_by = self.actor
        if record.deleted is None:
            record.deleted = False
        values = {name: _value_or_default(record, col) for name, col in field_columns(model).items()}
        _check_codes(model, values, record.describe())
        self._track(record)
        self.session.add(record)
        # Flushed at once so later reads in this transaction (lookups, duplicate checks) see the new record.
        self.session.flush([record])
        changes = {name: [None, to_json(v)] for name, v in values.items() if v not in (None, "", [], {})}
        self._record(model, record.id, record.grid_id, "create", changes, 0)
        self._queue_index(model, record)
        return record

    def update(self, record: R, **values: Any) -> dict[str, list[Any]]:
        """Change fields of ``record``; fields whose value does not change are left out. Returns the changes."""
        model = type(record)
        columns = field_columns(model)
        unknown = set(values) - set(columns)
        if unknown:
            raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}")
        changes: dict[str, list[Any]] = {}
        for name, new in values.items():
            old = getattr(record, name)
            if old != new:
                changes[name] = [to_json(old), to_json(new)]
        if not changes:
            return {}
        _check_codes(model, {k: values[k] for k in changes}, record.describe())
        base_version = record.version
        self._track(record)
        grid_before = record.grid_id
        for name in changes:
            setattr(record, name, values[name])
        record.version = base_version + 1
        record.updated_at = self.now
        record.updated_by = self.actor
        self._record(model, record.id, grid_before, "update", changes, base_version)
        self._queue_index(model, record)
        return changes

    def delete(self, record: Synced) -> None:
        """Tombstone ``record``: it stays in the file (and syncs) marked deleted."""
        if record.deleted:
            return
        model = type(record)
        base_version = record.version
        self._track(record)
        record.deleted = True
        record.version = base_version + 1
        record.updated_at = self.now
        record.updated_by = self.actor
        self._record(model, record.id, record.grid_id, "delete", {"deleted": [False, True]}, base_version)
        self._queue_index(model, record)

    def create_many(self, model: type[Synced], rows: Sequence[dict[str, Any]]) -> list[str]:
        """Bulk create (demo generation, import, pull): the same bookkeeping through Core inserts.

        Each row is a dict of field values; missing fields take their column defaults. Returns the ids.
        """
        if not rows:
            return []
        columns = field_columns(model)
        entity = entity_of(model)
        label = model.__record_label__
        records: list[dict[str, Any]] = []
        ops: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for row in rows:
            unknown = set(row) - set(columns) - {"id"}
            if unknown:
                raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}")
            values = {
                name: row[name] if name in row else _column_default(col) for name, col in columns.items()
            }
            _check_codes(model, values, label)
            rid = row.get("id") or uuid7()
            records.append(
                values
                | {
                    "id": rid,
                    "version": 1,
                    "created_at": self.now,
                    "updated_at": self.now,
                    "created_by": self.actor,
                    "updated_by": self.actor,
                }
            )
            changes = {n: [None, to_json(v)] for n, v in values.items() if v not in (None, "", [], {})}
            ops.append(self._op_row(entity, rid, values.get("grid_id"), "create", changes, 0))
            audits.append(self._audit_row(model, rid, "create", list(changes)))
        self.session.execute(insert(model), records)
        self.session.execute(insert(OutboxOp), ops)
        self.session.execute(insert(AuditEntry), audits)
        self.operations += len(ops)
        indexer = _INDEXERS.get(entity)
        if indexer is not None:
            indexer(self, records, True)
        return [r["id"] for r in records]

    def log_view(self, record: Synced, fields: Iterable[str], summary: str = "") -> None:
        """Audit that the actor viewed sensitive fields of ``record`` (PIPL: who read what, when)."""
        self.session.add(
            AuditEntry(**self._audit_row(type(record), record.id, "view", list(fields), summary))
        )

    # -- bookkeeping ------------------------------------------------------------------------------------
    def _track(self, record: Synced) -> None:
        self._tracked.add(id(record))

    def _record(
        self,
        model: type[Synced],
        record_id: str,
        grid_id: str | None,
        kind: str,
        changes: dict[str, list[Any]],
        base_version: int,
    ) -> None:
        self.session.add(
            OutboxOp(**self._op_row(entity_of(model), record_id, grid_id, kind, changes, base_version))
        )
        self.session.add(AuditEntry(**self._audit_row(model, record_id, kind, list(changes))))
        self.operations += 1

    def _op_row(
        self,
        entity: str,
        record_id: str,
        grid_id: str | None,
        kind: str,
        changes: dict[str, list[Any]],
        base_version: int,
    ) -> dict[str, Any]:
        return {
            "op_id": uuid7(),
            "entity": entity,
            "record_id": record_id,
            "grid_id": grid_id,
            "kind": kind,
            "changes": changes,
            "base_version": base_version,
            "created_at": self.now,
            "actor": self.actor,
            "state": "pending",
        }

    def _audit_row(
        self, model: type[Synced], record_id: str, action: str, fields: list[str], summary: str = ""
    ) -> dict[str, Any]:
        return {
            "at": self.now,
            "actor": self.actor,
            "action": action,
            "entity": entity_of(model),
            "record_id": record_id,
            "fields": fields,
            "summary": summary,
        }

    def _queue_index(self, model: type[Synced], record: Synced) -> None:
        entity = entity_of(model)
        if entity in _INDEXERS:
            values = {c.key: getattr(record, c.key) for c in model.__table__.columns}  # type: ignore[attr-defined]
            self._pending_index.setdefault(entity, []).append(values)

    def flush_indexes(self) -> None:
        """Bring derived indexes up to date with what this transaction changed so far."""
        self.session.flush()
        pending, self._pending_index = self._pending_index, {}
        for entity, rows in pending.items():
            _INDEXERS[entity](self, rows, False)

    def is_tracked(self, record: object) -> bool:
        return id(record) in self._tracked


def _column_default(column: Column[Any]) -> Any:
    default = column.default
    if default is None:
        return None
    arg = getattr(default, "arg", None)
    if callable(arg):
        try:
            return arg()
        except TypeError:
            return arg(None)
    return arg


def _value_or_default(record: Synced, column: Column[Any]) -> Any:
    value = getattr(record, column.key)
    if value is None:
        value = _column_default(column)
        if value is not None:
            setattr(record, column.key, value)
    return value


def _guard_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuse a synced record changed outside a WriteTx: it would never reach the outbox."""
    tx: WriteTx | None = session.info.get("write_tx")
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if not isinstance(obj, Synced):
            continue
        if obj in session.deleted:
            raise RuntimeError(f"{type(obj).__name__} {obj.id}: records are tombstoned with WriteTx.delete")
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if tx is None or not tx.is_tracked(obj):
            raise RuntimeError(
                f"{type(obj).__name__} {obj.id} changed outside the write path (use a WriteTx)"
            )


@contextmanager
def write_session(connection: Connection, actor: str) -> Iterator[WriteTx]:
    """A WriteTx on ``connection`` (already in a BEGIN IMMEDIATE transaction); commits when the block ends."""
    with Session(bind=connection, expire_on_commit=False, autoflush=False) as session:
        event.listen(session, "before_flush", _guard_flush)
        tx = WriteTx(session, actor)
        session.info["write_tx"] = tx
        yield tx
        tx.flush_indexes()
        session.flush()


def read_session(engine: Engine) -> Session:
    """A session for reads. Flushing a synced change through it is refused by the same guard."""
    session = Session(bind=engine, expire_on_commit=False, autoflush=False)
    event.listen(session, "before_flush", _guard_flush)
    return session
