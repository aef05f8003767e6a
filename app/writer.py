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
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, TypeVar, cast

from sqlalchemy import JSON, Boolean, Column, Connection, Date, DateTime, Engine, Table, event, select
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


_PLAIN = (str, int, float, bool, type(None))


def to_json(value: Any) -> Any:
    """A column value as it travels in an outbox operation."""
    if isinstance(value, _PLAIN):
        return value
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


_CODED_COLUMNS: dict[type[Synced], tuple[tuple[str, str, str], ...]] = {}


def _coded_columns(model: type[Synced]) -> tuple[tuple[str, str, str], ...]:
    """(field, code table, label) of every coded column of ``model``, worked out once per model."""
    found = _CODED_COLUMNS.get(model)
    if found is None:
        found = _CODED_COLUMNS[model] = tuple(
            (c.key, c.info["codes"], c.info.get("label", c.key))
            for c in model.__table__.columns  # type: ignore[attr-defined]
            if c.info.get("codes")
        )
    return found


def _check_codes(model: type[Synced], values: Mapping[str, Any], record_name: str) -> None:
    for name, table_key, label in _coded_columns(model):
        value = values.get(name)
        if value in (None, ""):
            continue
        if str(value) not in codes.table(table_key):
            raise ValidationError(
                name,
                label,
                f"代码“{value}”不在《{codes.table(table_key).title}》中，请从下拉列表中选择。",
                record_name,
            )


@dataclass(frozen=True)
class RemoteRecord:
    """A record as a pulled change brings it: its values, the server's version and who changed it last."""

    record_id: str
    values: Mapping[str, Any]
    version: int
    changed_by: str
    keep: frozenset[str] = frozenset()
    """Fields with local changes not yet sent: they keep their local value."""
    changed_at: datetime | None = None
    """When the server took the change (naive UTC); the record's ``updated_at`` (default: now)."""


class WriteTx:
    """One write transaction of the ledger. Use through ``Ledger.write()``, never directly."""

    def __init__(self, session: Session, actor: str) -> None:
        self.session = session
        self.actor = actor
        self.now = utcnow()
        self._tracked: set[int] = set()
        # Latest values per record to index, and which of them this transaction created (nothing to remove first).
        self._pending_index: dict[str, dict[str, Mapping[str, Any]]] = {}
        self._fresh: set[str] = set()
        # Outbox operations and audit entries are written together when the transaction finishes, in the order
        # the changes were made (one executemany each instead of an ORM insert per row).
        self._ops: list[dict[str, Any]] = []
        self._audits: list[dict[str, Any]] = []
        self.memo: dict[Any, Any] = {}
        """Lookups services may reuse within this transaction (e.g. a grid already checked to be a leaf)."""
        self.defer_indexing = False
        """Pulled records skip their search keys: the caller rebuilds the whole index afterwards (a first pull)."""
        self.op_ids: list[str] = []
        """The outbox operations this transaction wrote, in order (what an undo of this save would reverse)."""

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
        self._queue_index(model, record, fresh=True)
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
        # The operation is filed under the grid the record was in; a move's new grid travels in its changes.
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

    def create_many(
        self, model: type[Synced], rows: Sequence[dict[str, Any]], *, send: bool = True
    ) -> list[str]:
        """Bulk create (demo generation, import, pull): the same bookkeeping, inserted through the driver.

        Each row is a dict of field values; missing fields take their column defaults. Returns the ids.
        ``send=False`` is for data every laptop already has in the same form (the bundled reference defaults,
        with fixed ids): audited, but with nothing to send.
        """
        if not rows:
            return []
        columns = field_columns(model)
        defaults = {name: _column_default(col) for name, col in columns.items()}
        allowed = set(columns) | {"id"}
        entity = entity_of(model)
        label = model.__record_label__
        bookkeeping = {
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
            "created_by": self.actor,
            "updated_by": self.actor,
        }
        records: list[dict[str, Any]] = []
        ops: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for row in rows:
            if not allowed.issuperset(row):
                raise TypeError(f"{model.__name__} has no fields {sorted(set(row) - allowed)}")
            values = defaults | row
            rid = values.pop("id", None) or uuid7()
            _check_codes(model, values, label)
            records.append(values | bookkeeping | {"id": rid})
            changes = {n: [None, to_json(v)] for n, v in values.items() if v not in (None, "", [], {})}
            ops.append(self._op_row(entity, rid, values.get("grid_id"), "create", changes, 0))
            audits.append(self._audit_row(model, rid, "create", list(changes)))
        insert_rows(self.session, model.__table__, records)  # type: ignore[attr-defined]
        if send:
            self._ops.extend(ops)
            self.op_ids.extend(op["op_id"] for op in ops)
        self._audits.extend(audits)
        indexer = _INDEXERS.get(entity)
        if indexer is not None:
            indexer(self, records, True)
        return [r["id"] for r in records]

    def apply_remote(
        self,
        model: type[Synced],
        record_id: str,
        values: Mapping[str, Any],
        *,
        version: int,
        changed_by: str,
        keep: Iterable[str] = (),
    ) -> Synced:
        """Write a record as the township server has it (a pulled change): no outbox operation, since it came
        from the server; audited as ``sync``; search keys refreshed. Fields in ``keep`` have local changes not
        yet sent and keep their local value (the server merges them when they arrive)."""
        self.apply_remote_many(model, [RemoteRecord(record_id, values, version, changed_by, frozenset(keep))])
        record = self.session.get(model, record_id, populate_existing=True)
        assert record is not None
        return record

    def apply_remote_many(self, model: type[Synced], items: Sequence[RemoteRecord]) -> None:
        """``apply_remote`` for a run of pulled changes of one kind, no record twice: new records inserted and
        known ones updated through executemany (a first pull brings the whole township). Same bookkeeping:
        no outbox operation, audited as ``sync``, search keys refreshed; ``keep`` fields keep their local value."""
        if not items:
            return
        self.session.flush()  # ORM changes first: the rows below are written past the session
        table = cast(Table, model.__table__)  # type: ignore[attr-defined]
        columns = field_columns(model)
        known = existing_ids(self.session, table, [item.record_id for item in items])
        defaults = {name: _column_default(col) for name, col in columns.items()}
        parsers = _wire_parsers(model)
        fresh: list[dict[str, Any]] = []
        changed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        audits: list[dict[str, Any]] = []
        for item in items:
            if item.keep or not columns.keys() >= item.values.keys():
                incoming = {
                    name: value
                    for name, value in item.values.items()
                    if name in columns and name not in item.keep
                }
            else:  # the usual case, a plain copy: every value is a column's and none waits to be sent
                incoming = dict(item.values)
            for name in parsers.keys() & incoming.keys():
                if isinstance(incoming[name], str):
                    incoming[name] = parsers[name](incoming[name])
            when = item.changed_at or self.now
            row = incoming | {"id": item.record_id, "version": item.version, "updated_at": when}
            row["updated_by"] = item.changed_by
            if item.record_id in known:
                changed.setdefault(tuple(sorted(row)), []).append(row)
                audits.append(
                    self._audit_row(
                        model, item.record_id, "sync", sorted(incoming), "来自乡镇服务器（update）"
                    )
                )
            else:
                fresh.append(defaults | row | {"created_at": when, "created_by": item.changed_by})
        if fresh:
            # Records new to this laptop are audited together (a first pull brings a whole township); each one
            # carries who made it and when, and the server's change log has every step.
            summary = f"来自乡镇服务器（create）{len(fresh)} 条：{fresh[0]['id']} … {fresh[-1]['id']}"
            audits.append(self._audit_row(model, "", "sync", [], summary[:200]))
        insert_rows(self.session, table, fresh)
        for rows in changed.values():
            update_rows(self.session, table, rows)
        self._audits.extend(audits)
        indexer = _INDEXERS.get(entity_of(model))
        if indexer is not None and not self.defer_indexing:
            if fresh:
                indexer(self, fresh, True)
            updated = [r["id"] for rows in changed.values() for r in rows]
            for start in range(0, len(updated), 500):
                query = select(table).where(table.c.id.in_(updated[start : start + 500]))
                indexer(self, [dict(m) for m in self.session.execute(query).mappings()], False)

    def log_view(self, record: Synced, fields: Iterable[str], summary: str = "") -> None:
        """Audit that the actor viewed sensitive fields of ``record`` (PIPL: who read what, when)."""
        self._audits.append(self._audit_row(type(record), record.id, "view", list(fields), summary))

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
        op = self._op_row(entity_of(model), record_id, grid_id, kind, changes, base_version)
        self._ops.append(op)
        self.op_ids.append(op["op_id"])
        self._audits.append(self._audit_row(model, record_id, kind, list(changes)))

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

    def _queue_index(self, model: type[Synced], record: Synced, fresh: bool = False) -> None:
        entity = entity_of(model)
        if entity in _INDEXERS:
            values = {c.key: getattr(record, c.key) for c in model.__table__.columns}  # type: ignore[attr-defined]
            self._pending_index.setdefault(entity, {})[record.id] = values
            if fresh:
                self._fresh.add(record.id)

    def finish(self) -> None:
        """Write what this transaction still holds: records, derived indexes, outbox operations, audit entries."""
        self.session.flush()
        pending, self._pending_index = self._pending_index, {}
        fresh_ids, self._fresh = self._fresh, set()
        for entity, by_id in pending.items():
            fresh = [v for rid, v in by_id.items() if rid in fresh_ids]
            changed = [v for rid, v in by_id.items() if rid not in fresh_ids]
            for rows, is_fresh in ((fresh, True), (changed, False)):
                if rows:
                    _INDEXERS[entity](self, rows, is_fresh)
        ops, self._ops = self._ops, []
        audits, self._audits = self._audits, []
        insert_rows(self.session, cast(Table, OutboxOp.__table__), ops)
        insert_rows(self.session, cast(Table, AuditEntry.__table__), audits)

    def is_tracked(self, record: object) -> bool:
        return id(record) in self._tracked


def from_json(column: Column[Any], value: Any) -> Any:
    """A value as it travels in the protocol, back to what the column holds (dates from ISO strings)."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime) and isinstance(value, str):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date) and isinstance(value, str):
        return date.fromisoformat(value)
    return value


_PARSERS: dict[type[Synced], dict[str, Callable[[str], Any]]] = {}


def _wire_parsers(model: type[Synced]) -> dict[str, Callable[[str], Any]]:
    """``from_json`` decided once per column: the fields of ``model`` that travel as ISO strings."""
    if model not in _PARSERS:
        parsers: dict[str, Callable[[str], Any]] = {}
        for name, column in field_columns(model).items():
            if isinstance(column.type, DateTime):
                parsers[name] = datetime.fromisoformat
            elif isinstance(column.type, Date):
                parsers[name] = date.fromisoformat
        _PARSERS[model] = parsers
    return _PARSERS[model]


def _stored_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


_JSON = json.JSONEncoder(ensure_ascii=False)
"""One encoder for every JSON column value (``json.dumps`` with options builds a new one per call)."""


_STR_ONLY = {str}


@lru_cache(maxsize=4096)
def _json_of_strings(values: tuple[str, ...]) -> str:
    return _JSON.encode(list(values))


def _stored_json(value: Any) -> str | None:
    """A JSON column's value as stored. Lists of strings (tags, the fields an audit entry names), empty ones
    most of all, repeat across rows: their text is remembered."""
    if value is None:
        return None
    if type(value) is list and (not value or set(map(type, value)) == _STR_ONLY):
        return _json_of_strings(tuple(value))
    return _JSON.encode(value)


def _storage_converter(column: Column[Any]) -> Callable[[Any], Any] | None:
    """How SQLAlchemy stores a value of ``column`` in SQLite, for inserts that go straight to the driver."""
    kind = column.type
    if isinstance(kind, JSON):
        return _stored_json
    if isinstance(kind, DateTime):  # SQLAlchemy's SQLite format, "%Y-%m-%d %H:%M:%S.%f"
        return shared_once(_stored_datetime)
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else int(v)
    return None


def shared_once(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert``, done once per object for the rows of one statement: the times of pulled rows are a few
    objects shared by thousands of rows (created and updated when the server took the change), as is the push's
    time in the server's writes (server.store)."""
    done: dict[int, tuple[Any, Any]] = {}

    def once(value: Any) -> Any:
        found = done.get(id(value))
        if found is None or found[0] is not value:
            found = done[id(value)] = (value, convert(value))
        return found[1]

    return once


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows in the session's transaction through the driver's executemany.

    SQLAlchemy's bulk insert spends most of its time building parameters; here each column's conversion is
    decided once. Columns missing from the first row are left to the database (autoincrement keys).
    """
    if not rows:
        return
    names = [c.name for c in table.columns if c.name in rows[0]]
    quoted = ", ".join(f'"{n}"' for n in names)
    _executemany(
        session,
        table,
        f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})',
        names,
        rows,
    )


def existing_ids(session: Session, table: Table, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are rows of ``table``: one query, the ids passed as one JSON array (an ``IN`` list of
    thousands of bound values costs more to build than to run)."""
    if not ids:
        return set()
    sql = f'SELECT id FROM "{table.name}" WHERE id IN (SELECT value FROM json_each(?))'
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    return {row[0] for row in raw.cursor().execute(sql, (_JSON.encode(list(ids)),))}


def update_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]], key: str = "id") -> None:
    """Update many rows by ``key`` through the driver's executemany; every row sets the columns of the first."""
    if not rows:
        return
    names = [c.name for c in table.columns if c.name in rows[0] and c.name != key]
    assignments = ", ".join(f'"{n}" = ?' for n in names)
    _executemany(
        session, table, f'UPDATE "{table.name}" SET {assignments} WHERE "{key}" = ?', [*names, key], rows
    )


def _executemany(
    session: Session, table: Table, sql: str, names: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    converters = [(i, c) for i, n in enumerate(names) if (c := _storage_converter(table.columns[n]))]
    pick = itemgetter(*names)
    params: list[Sequence[Any]] = []
    for row in rows:
        values = pick(row)
        if len(names) == 1:
            values = (values,)
        if converters:
            values = list(values)
            for i, convert in converters:
                values[i] = convert(values[i])
        params.append(values)
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    raw.cursor().executemany(sql, params)


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
        tx.finish()


def read_session(engine: Engine) -> Session:
    """A session for reads. Flushing a synced change through it is refused by the same guard."""
    session = Session(bind=engine, expire_on_commit=False, autoflush=False)
    event.listen(session, "before_flush", _guard_flush)
    return session
