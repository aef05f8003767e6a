"""The township server's storage: devices and enrol codes, records as the township has them, the change log pulls
page through, and every operation already answered (so a retry gets the same answer and nothing twice).

SQLAlchemy Core, on SQLite by default and on PostgreSQL (``postgresql+psycopg://…``) for real deployments, with
one code path: queries and DDL are SQLAlchemy constructs only. The backend-specific part is the connection setup
(SQLite: WAL, busy timeout, explicit BEGIN; PostgreSQL: READ COMMITTED). The tests run against both.

Pushes are serialised by a write lock taken as the first statement of their transaction (an UPDATE of the
``epoch`` row): on SQLite that takes the database's write lock at once, so a read-then-write transaction cannot
fail half way with "database is locked"; on PostgreSQL it is a row lock, and READ COMMITTED lets each later
statement of the push see everything committed before the lock was granted. Either way change-log sequence
numbers are handed out in commit order, so a pull never skips a row committed late with a lower number.

Stored times are naive UTC (``timestamp without time zone`` on PostgreSQL), never converted by a session's zone.
Record values are ``json`` on PostgreSQL, not ``jsonb``: ``json`` keeps any text, ``"\\u0000"`` included. The only
query that looks inside it is the blob read check (``attachment_sha256``, on attachments only): PostgreSQL cannot
take text out of a ``json`` value holding ``"\\u0000"``, so an attachment operation with NUL in a value is rejected.
PostgreSQL's text columns cannot hold NUL characters, so an operation with one in an id, the actor or the grid is
rejected on every backend alike (it would fail there on every retry).

Merge rules of a push (SYNC.md, "Conflicts"), each in one place below:

- Three-way per field (``_update``): a field the server still has at the laptop's old value takes the new one; a
  field already at the new value is nothing to do; a field changed to something else on the server is a conflict
  carrying the server's value. Any conflict leaves the whole operation unapplied.
- Identity fields (column info ``identity``: name, ID number, birth date, household membership, relation) go to
  a person (``_update``): when the record changed on the server since the laptop's base version, a change of one
  is a conflict even where the three-way merge would take it, unless the server already has the new value.
- Workflow moves (``_refused_move``): a change of an event's or an errand's state is a command checked
  against its ``Lifecycle`` table (app.rules) from the server's *current* state; a move that is no edge from
  there is rejected, naming the current state and who set it when. Moves in ``township_actions`` are rejected
  from a village device.
- Step records of a rejected move (``_answer_all``, ``_refused_step``): a move is saved on the laptop with a step
  record (事件处置记录, 代办记录) in the same save; when the move is rejected, its step is rejected too (a step
  saying "退回" for a move that never happened must reach nobody). Every rejected move is kept in
  ``refused_moves``, so a step pushed in a later batch than its move is refused as well.
- Edit vs delete (``_update``, ``_delete``, ``_create``): an edit of a record the server has deleted is a
  conflict naming who deleted it and when; a delete of a record changed on the server since the laptop's base
  version is a conflict naming who changed it (someone's newer edits are never deleted unseen); a delete of a
  deleted record is applied (nothing to do).
- Grid moves (``_update``, ``pull``): a record moved from grid A to grid B gets, besides its own change-log row
  (grid B), a tombstone row filed under grid A, so laptops of A learn that it left their scope; a device that
  may read grid B is never sent that tombstone.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    create_engine,
    event,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateIndex
from sqlalchemy.sql.expression import Executable

from app.models import ENTITY_BY_NAME, Attachment, Errand, ErrandStep, Event, EventStep
from app.models.base import BOOKKEEPING
from app.rules import Lifecycle
from app.rules.errands import ERRAND_LIFECYCLE
from app.rules.events import EVENT_LIFECYCLE
from app.writer import shared_once
from sync.crashpoints import crash_point
from sync.protocol import (
    MAX_PAGE,
    PROTOCOL_VERSION,
    TOWNSHIP,
    EnrolResponse,
    Operation,
    OpResult,
    OpStatus,
    PushRequest,
    PushResponse,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Enrol code letters: upper case and digits without the look-alikes 0/O and 1/I."""
CODE_LENGTH = 8

# Reasons the laptop shows to people.
ENROL_REFUSED = "登记码无效、已用过或已过期，请向乡镇信息员要一个新的登记码"
REASON_OP_ID_REUSED = "操作编号重复但内容不同，已拒绝（请联系信息员）"
REASON_TOWNSHIP_DATA = "乡镇参考数据只能由乡镇修改"
REASON_NO_RECORD = "记录不存在"
REASON_DELETED = "记录已被删除"
"""How every reason for an edit of a deleted record starts (the rest names who deleted it and when)."""
REASON_UNSTORABLE = "操作中的编号、网格或操作人含有不可保存的控制字符（请升级软件或联系信息员）"
REASON_UNSTORABLE_ATTACHMENT = "附件的文件名或类型含有不可保存的控制字符，请重新添加该附件（或联系信息员）"

_NUL = "\x00"

TOWNSHIP_TIME = timezone(timedelta(hours=8))
"""The clock reasons name times in: China Standard Time (UTC+8, no daylight saving). Stored times are UTC."""

SCHEMA_VERSION = 1
"""The layout of the server's tables, stored in ``meta`` (``SCHEMA_KEY``). A release that changes a table in place
raises it and upgrades a database at the number before in ``create_schema``; until then a database stamped with
another number is refused, so an older program never writes into a newer layout (an installer put back, a backup
of a newer server restored)."""
SCHEMA_KEY = "schema_version"

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("grids", JSON, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=True),  # the token's end (None: until revoked)
)

enrol_codes = Table(
    "enrol_codes",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("grids", JSON, nullable=False),
    Column("township", Boolean, nullable=False, default=False),
    Column("used_by", String(36), nullable=True),
    Column("expires_at", DateTime, nullable=False),
    Column("token_days", Float, nullable=True),  # how long the token of the device enrolled with it lasts
)

# Client-made ids and names are Text: a longer id than expected must not become a database error (and a retry
# loop) on PostgreSQL.
applied_ops = Table(
    "applied_ops",
    metadata,
    Column("op_id", Text, primary_key=True),
    Column("payload_sha256", String(64), nullable=False),
    Column("result", JSON, nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("applied_at", DateTime, nullable=False),
)


refused_moves = Table(
    "refused_moves",
    metadata,
    Column("op_id", Text, primary_key=True),
    Column("entity", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("from_state", Text, nullable=False),
    Column("to_state", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("made_at", DateTime, nullable=False),  # the operation's own time: the laptop's save, naive UTC
    Column("reason", Text, nullable=False),
    Index("ix_refused_moves_entity_record_id", "entity", "record_id"),
)
"""Every workflow move answered ``rejected``: a step record of the same save (same record, states, actor and time)
arriving later, in another batch, is rejected with it."""


def _record_state() -> list[Column[Any]]:
    """The columns of a record's state, shared by the records table (now) and the change log (each version)."""
    return [
        Column("grid_id", Text, nullable=True),
        Column("version", Integer, nullable=False),
        Column("deleted", Boolean, nullable=False),
        Column("values", JSON, nullable=False),
        Column("changed_by", Text, nullable=False),
        Column("changed_at", DateTime, nullable=False),
    ]


records = Table(
    "records",
    metadata,
    Column("entity", Text, primary_key=True),
    Column("record_id", Text, primary_key=True),
    *_record_state(),
)

_ATTACHMENT = Attachment.__tablename__

is_attachment = records.c.entity == bindparam("attachment_entity", _ATTACHMENT, literal_execute=True)
"""A records row is an attachment, with the entity written into the SQL as the index's condition has it."""

attachment_sha256 = records.c["values"][
    bindparam("sha256_key", "sha256", type_=JSON.JSONStrIndexType, literal_execute=True)
].as_string()
"""The blob an attachment record names (its ``sha256`` value). The key is written into the SQL, not bound: SQLite
uses an expression index only for the very expression it indexes, and ``JSON_EXTRACT(values, ?)`` is another."""

Index(
    "ix_records_attachment_sha256",
    attachment_sha256,
    # Attachments only: PostgreSQL cannot evaluate the expression for a json value holding "\u0000" (a name, a
    # note), and the other records need no such index.
    sqlite_where=is_attachment,
    postgresql_where=is_attachment,
)
"""The blob read check (server.blobs) finds the attachments naming a blob through it, not by reading them all."""

change_log = Table(
    "change_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("entity", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    *_record_state(),
    Column("op_id", Text, nullable=False),
    Index("ix_change_log_grid_id_seq", "grid_id", "seq"),
    sqlite_autoincrement=True,  # never reuse a sequence number, even after the newest row were removed
)

_PULLED = select(
    change_log.c.seq,
    change_log.c.entity,
    change_log.c.record_id,
    change_log.c.grid_id,
    change_log.c.version,
    change_log.c.deleted,
    change_log.c["values"].cast(Text).label("values"),
    change_log.c.changed_by,
    change_log.c.changed_at,
)
"""A pull's columns, the values as their stored JSON text (``json`` keeps it as written on PostgreSQL)."""

_CHANGE_JSON = (
    '{"seq":%d,"entity":%s,"record_id":%s,"grid_id":%s,"version":%d,"deleted":%s,"values":%s,'
    '"changed_by":%s,"changed_at":%s}'
)
_PAGE_JSON = '{"protocol":%d,"epoch":%s,"changes":[%s],"cursor":%d,"more":%s}'
"""A ``Change`` and a ``PullResponse`` as JSON, field for field (tests check a page against the models)."""

_CHUNK = 500
"""Ids per ``IN (…)`` list."""

_RECORDS_NAMED = select(records).where(
    records.c.entity == bindparam("entity"), records.c.record_id.in_(bindparam("ids", expanding=True))
)
"""The records of one kind with the given ids (built once: an ``in_`` of a list coerces each id anew)."""

_ANSWERS_NAMED = select(applied_ops.c.op_id, applied_ops.c.payload_sha256, applied_ops.c.result).where(
    applied_ops.c.op_id.in_(bindparam("ids", expanding=True))
)
"""The stored answers of the given operation ids (built once, like ``_RECORDS_NAMED``)."""


class StoreError(Exception):
    """Something an administrator or a person has to fix; the message is Chinese and says what to do."""


class EnrolRefused(StoreError):
    """The enrol code is unknown, already used or expired."""


@dataclass(frozen=True)
class Device:
    """An enrolled laptop and the grids it may read and write (``["*"]``: the township's own device)."""

    id: str
    name: str
    grids: list[str]
    revoked: bool
    created_at: datetime
    expires_at: datetime | None = None
    """When the device's token stops working (None: until revoked)."""

    @property
    def township(self) -> bool:
        return TOWNSHIP in self.grids

    def may_access(self, grid_id: str | None) -> bool:
        """Whether this device may write records of ``grid_id`` (None: township reference data)."""
        return self.township or (grid_id is not None and grid_id in self.grids)


def utcnow() -> datetime:
    """Now in UTC, naive: every stored time is UTC (SQLite keeps no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    """A stored (naive UTC) time as it goes on the wire: with its zone, so no reader takes it for local time."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
"""Encoders made once: ``json.dumps`` with options builds a new one per call (four per pushed operation)."""


class _Encoded(str):
    """JSON text already encoded, which ``_dumps`` passes through: a record's values encoded once for both its
    records row and its change-log row."""


def _dumps(value: Any) -> str:
    if type(value) is _Encoded:
        return value
    return _JSON.encode(value)


def operation_sha256(op: Operation) -> str:
    """The hash dedupe compares: sha256 of the operation's canonical JSON (sorted keys, no spaces)."""
    canonical = _CANONICAL.encode(op.model_dump(mode="json"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def same_value(a: Any, b: Any) -> bool:
    """Field values equal for merging. The laptop leaves empty fields ("" / [] / {}) out of a create, so a
    missing value and an empty one are the same; ``True`` is not ``1``."""
    if _is_empty(a) and _is_empty(b):
        return True
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return bool(a == b)


# -- what the server knows of the record kinds ------------------------------------------------------------
@dataclass(frozen=True)
class Workflow:
    """A record kind whose ``field`` moves through a state graph (app.rules): changes of it are commands."""

    field: str
    lifecycle: Lifecycle[Any, Any]


WORKFLOWS: dict[str, Workflow] = {
    Event.__tablename__: Workflow(Event.state.key, EVENT_LIFECYCLE),
    Errand.__tablename__: Workflow(Errand.state.key, ERRAND_LIFECYCLE),
}
"""Entity name → its workflow; the graphs themselves live in app.rules only."""


@dataclass(frozen=True)
class StepKind:
    """A record kind that keeps one workflow move each (its step record): which record it belongs to."""

    parent: str
    """The entity whose move it records."""
    parent_field: str
    """The field naming that record."""


STEPS: dict[str, StepKind] = {
    EventStep.__tablename__: StepKind(Event.__tablename__, EventStep.event_id.key),
    ErrandStep.__tablename__: StepKind(Errand.__tablename__, ErrandStep.errand_id.key),
}
"""Step entity → the record whose moves it keeps. A laptop saves a move as an update of the record's state and a
step create (``from_state``, ``to_state``) in one save: both operations carry the same actor and time."""

MoveKey = tuple[str, str, str, str, str, datetime]
"""A move as both operations of its save name it: (entity, record id, from state, to state, actor, time)."""


@dataclass(frozen=True)
class EntityInfo:
    label: str
    """The record kind in Chinese (人员, 户 …) for reasons."""
    fields: dict[str, str]
    """Field name → Chinese label, for every field an operation may carry."""
    identity: frozenset[str] = frozenset()
    """Fields marked ``identity`` in their column info: a change of one made on a stale record goes to a person."""
    workflow: Workflow | None = None


def _entities() -> dict[str, EntityInfo]:
    found: dict[str, EntityInfo] = {}
    for name, model in ENTITY_BY_NAME.items():
        columns = [c for c in model.__table__.columns if c.key not in BOOKKEEPING]  # type: ignore[attr-defined]
        found[name] = EntityInfo(
            label=model.__record_label__,
            fields={c.key: c.info.get("label", c.key) for c in columns},
            identity=frozenset(c.key for c in columns if c.info.get("identity")),
            workflow=WORKFLOWS.get(name),
        )
    return found


ENTITIES = _entities()


# -- one push request's working state ------------------------------------------------------------------------
@dataclass
class _Record:
    """A record as it stands within the push transaction (read once, written back once at the end)."""

    entity: str
    record_id: str
    grid_id: str | None
    version: int
    deleted: bool
    values: dict[str, Any]
    changed_by: str
    changed_at: datetime
    stored: bool
    """Already in the records table when the transaction started (else it is inserted at the end)."""
    dirty: bool = False


@dataclass
class _Batch:
    """The operations of one push, the answers and records they need, and the rows they will write."""

    conn: Connection
    """The push's transaction, for the rare look-up a reason needs (who set a state, and when)."""
    seen: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    """op_id → (payload hash, stored result) of every operation already answered."""
    records: dict[tuple[str, str], _Record] = field(default_factory=dict)
    answered: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    refused: dict[MoveKey, str] = field(default_factory=dict)
    """Rejected moves the batch's step records may belong to (stored before, or rejected in this batch) → reason."""
    refused_rows: list[dict[str, Any]] = field(default_factory=list)
    """``refused_moves`` rows of moves this batch rejected."""


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class Store:
    """The township server's database. Each public method is one transaction."""

    def __init__(self, url: str) -> None:
        self.engine = _make_engine(url)
        create_schema(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- township and devices ----------------------------------------------------------------------
    def init_township(self, grid_ids: Sequence[str]) -> str:
        """Make the epoch (first time only) and add ``grid_ids`` to the township's grids. Returns the epoch."""
        with self.engine.begin() as conn:
            epoch = self._read_meta(conn, "epoch")
            if epoch is None:
                epoch = uuid.uuid4().hex
                conn.execute(meta.insert().values(key="epoch", value=epoch))
            raw = self._read_meta(conn, "grids")
            known: list[str] = json.loads(raw) if raw else []
            merged = known + [g for g in dict.fromkeys(grid_ids) if g not in known]
            if raw is None:
                conn.execute(meta.insert().values(key="grids", value=_dumps(merged)))
            elif merged != known:
                conn.execute(update(meta).where(meta.c.key == "grids").values(value=_dumps(merged)))
        return epoch

    def epoch(self, conn: Connection | None = None) -> str:
        """The id of this database's history; a restored backup must get a new one (laptops then refetch).

        Read every time (one primary-key read): a running server announces a new epoch at once."""
        if conn is None:
            with self.engine.connect() as own:
                return self.epoch(own)
        epoch = self._read_meta(conn, "epoch")
        if epoch is None:
            raise StoreError("乡镇服务器尚未初始化，请先运行 admin init")
        return epoch

    def township_grids(self) -> list[str]:
        with self.engine.connect() as conn:
            raw = self._read_meta(conn, "grids")
        grids: list[str] = json.loads(raw) if raw else []
        return grids

    def create_enrol_code(
        self,
        grids: Sequence[str],
        ttl_hours: float = 72,
        township: bool = False,
        token_days: float | None = None,
    ) -> str:
        """A one-time code a laptop enrols with, valid for ``ttl_hours``; ``township`` gives access to all grids.
        The token of the device enrolled with it lasts ``token_days`` (None: until revoked)."""
        self.epoch()  # refuses before init
        known = set(self.township_grids())
        unknown = [g for g in grids if g not in known]
        if unknown:
            raise StoreError(f"网格 {'、'.join(unknown)} 不是本乡镇的网格（先用 admin init --grids 登记）")
        if not grids and not township:
            raise StoreError("请指定设备可以访问的网格")
        expires_at = utcnow() + timedelta(hours=ttl_hours)
        with self.engine.begin() as conn:
            while True:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                taken = conn.execute(select(enrol_codes.c.code).where(enrol_codes.c.code == code)).first()
                if taken is None:
                    break
            conn.execute(
                enrol_codes.insert().values(
                    code=code,
                    grids=list(grids),
                    township=township,
                    used_by=None,
                    expires_at=expires_at,
                    token_days=token_days,
                )
            )
        return code

    def enrol(self, code: str, device_name: str) -> EnrolResponse:
        """Spend a one-time enrol code: a new device with a fresh token (only its hash is kept)."""
        normalised = code.strip().upper().replace("-", "").replace(" ", "")
        if _NUL in normalised:
            raise EnrolRefused(ENROL_REFUSED)
        device_id = str(uuid.uuid4())
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with self.engine.begin() as conn:
            # One UPDATE both checks and spends the code, so two laptops racing with it cannot both win.
            spent = conn.execute(
                update(enrol_codes)
                .where(
                    enrol_codes.c.code == normalised,
                    enrol_codes.c.used_by.is_(None),
                    enrol_codes.c.expires_at > now,
                )
                .values(used_by=device_id)
            )
            if spent.rowcount != 1:
                raise EnrolRefused(ENROL_REFUSED)
            row = conn.execute(
                select(enrol_codes.c.grids, enrol_codes.c.township, enrol_codes.c.token_days).where(
                    enrol_codes.c.code == normalised
                )
            ).one()
            grids: list[str] = [TOWNSHIP] if row.township else list(row.grids)
            conn.execute(
                devices.insert().values(
                    id=device_id,
                    name=device_name.replace(_NUL, "").strip()[:200] or "未命名设备",
                    token_sha256=_token_sha256(token),
                    grids=grids,
                    revoked=False,
                    created_at=now,
                    expires_at=now + timedelta(days=row.token_days) if row.token_days else None,
                )
            )
            epoch = self._read_meta(conn, "epoch")
        if epoch is None:
            raise StoreError("乡镇服务器尚未初始化，请联系信息员")
        return EnrolResponse(device_id=device_id, token=token, grids=grids, epoch=epoch)

    def device_for_token(self, token: str) -> Device | None:
        """The device holding ``token``; None when unknown, revoked or expired."""
        with self.engine.connect() as conn:
            row = conn.execute(select(devices).where(devices.c.token_sha256 == _token_sha256(token))).first()
        if row is None or row.revoked or (row.expires_at is not None and row.expires_at <= utcnow()):
            return None
        return _device(row)

    def devices(self) -> list[Device]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(devices).order_by(devices.c.created_at)).all()
        return [_device(r) for r in rows]

    def revoke(self, device_id: str) -> bool:
        """Stop ``device_id``'s token working. False when there is no such device."""
        with self.engine.begin() as conn:
            done = conn.execute(update(devices).where(devices.c.id == device_id).values(revoked=True))
        return done.rowcount == 1

    # -- push -----------------------------------------------------------------------------------------------
    def push(self, device: Device, request: PushRequest) -> PushResponse:
        """Answer every operation of a batch in one transaction; one bad operation never blocks the others."""
        now = utcnow()
        with self.engine.begin() as conn:
            self._take_write_lock(conn)
            batch = self._load(conn, request.operations)
            results = self._answer_all(batch, device, request.operations, now)
            self._write(conn, batch, now)
            crash_point("server-push-written")  # the batch is written, not committed
        crash_point("server-push-committed")  # committed, not answered
        return PushResponse(batch_id=request.batch_id, results=results)

    def _take_write_lock(self, conn: Connection) -> None:
        conn.execute(update(meta).where(meta.c.key == "epoch").values(value=meta.c.value))

    def _load(self, conn: Connection, ops: Sequence[Operation]) -> _Batch:
        """Read, in a few queries, the stored answers and the records the batch's operations name."""
        batch = _Batch(conn)
        op_ids = list(dict.fromkeys(op.op_id for op in ops if _NUL not in op.op_id))
        for chunk in _chunks(op_ids):
            for row in conn.execute(_ANSWERS_NAMED, {"ids": chunk}):
                batch.seen[row.op_id] = (row.payload_sha256, row.result)
        by_entity: dict[str, list[str]] = {}
        parents: dict[str, list[str]] = {}
        for op in ops:
            if _unstorable(op) is None:
                by_entity.setdefault(op.entity, []).append(op.record_id)
            link = _step_link(op)
            if link is not None:  # the record whose move it keeps: for the reason, and its refused moves
                by_entity.setdefault(link[0], []).append(link[1])
                parents.setdefault(link[0], []).append(link[1])
        for entity, ids in parents.items():
            for chunk in _chunks(list(dict.fromkeys(ids))):
                query = select(refused_moves).where(
                    refused_moves.c.entity == entity, refused_moves.c.record_id.in_(chunk)
                )
                for row in conn.execute(query):
                    key = (row.entity, row.record_id, row.from_state, row.to_state, row.actor, row.made_at)
                    batch.refused[key] = row.reason
        for entity, ids in by_entity.items():
            for chunk in _chunks(list(dict.fromkeys(ids))):
                for row in conn.execute(_RECORDS_NAMED, {"entity": entity, "ids": chunk}):
                    batch.records[(row.entity, row.record_id)] = _Record(
                        entity=row.entity,
                        record_id=row.record_id,
                        grid_id=row.grid_id,
                        version=row.version,
                        deleted=row.deleted,
                        values=row.values,  # a dict of its own: decoded from the row's JSON text
                        changed_by=row.changed_by,
                        changed_at=row.changed_at,
                        stored=True,
                    )
        return batch

    def _answer_all(
        self, batch: _Batch, device: Device, ops: Sequence[Operation], now: datetime
    ) -> list[OpResult]:
        """Answer ``ops`` in order, except that a step record coming before the move of its save is answered
        right after that move (whether the step stands depends on it); the answers keep the request's order."""
        moves: dict[MoveKey, int] = {}
        for index, op in enumerate(ops):
            key = _move_key(op)
            if key is not None:
                moves.setdefault(key, index)
        waiting: dict[int, list[int]] = {}
        answers: dict[int, OpResult] = {}
        for index, op in enumerate(ops):
            link = _step_link(op)
            move = moves.get(link) if link is not None else None
            if move is not None and move > index:
                waiting.setdefault(move, []).append(index)
                continue
            answers[index] = self._answer(batch, device, op, now)
            for step in waiting.pop(index, []):
                answers[step] = self._answer(batch, device, ops[step], now)
        return [answers[index] for index in range(len(ops))]

    def _answer(self, batch: _Batch, device: Device, op: Operation, now: datetime) -> OpResult:
        digest = operation_sha256(op)
        if _NUL in op.op_id:
            # Its answer cannot be stored: it is worked out again, the same, for every repeat.
            return _result(op, OpStatus.REJECTED, REASON_UNSTORABLE)
        seen = batch.seen.get(op.op_id)
        if seen is not None:
            stored_digest, stored = seen
            if stored_digest != digest:
                return _result(op, OpStatus.REJECTED, REASON_OP_ID_REUSED)
            # A repeat gets the first answer again: "duplicate" when it was applied (nothing is applied twice);
            # a conflict or rejection stays what it was, so the laptop never takes it for sent.
            first = OpResult.model_validate(stored)
            if first.status is OpStatus.APPLIED:
                return first.model_copy(update={"status": OpStatus.DUPLICATE})
            return first
        result = self._apply(batch, device, op, now)
        if result.status is OpStatus.REJECTED:
            self._note_refused_move(batch, op, result.reason)
        stored_result = result.model_dump(mode="json")
        batch.seen[op.op_id] = (digest, stored_result)
        batch.answered.append(
            {"op_id": op.op_id, "payload_sha256": digest, "result": stored_result, "device_id": device.id}
        )
        return result

    def _apply(self, batch: _Batch, device: Device, op: Operation, now: datetime) -> OpResult:
        unstorable = _unstorable(op)
        if unstorable:
            return _result(op, OpStatus.REJECTED, unstorable)
        info = ENTITIES.get(op.entity)
        if info is None:
            return _result(op, OpStatus.REJECTED, f"未知的记录类型“{op.entity}”（请升级软件或联系信息员）")
        malformed = _malformed(op, info)
        if malformed:
            return _result(op, OpStatus.REJECTED, malformed)
        refusal = _refusal(device, op.grid_id)
        if refusal:
            return _result(op, OpStatus.REJECTED, refusal)
        record = batch.records.get((op.entity, op.record_id))
        if op.kind == "create":
            refused = self._refused_step(batch, op, info, now)
            if refused:
                return refused
            return self._create(batch, device, op, info, record, now)
        if record is None:
            return _result(op, OpStatus.REJECTED, REASON_NO_RECORD)
        if record.grid_id != op.grid_id and not device.may_access(record.grid_id):
            return _result(op, OpStatus.REJECTED, "这条记录已移到其他网格，本设备无权修改")
        if op.kind == "delete":
            return self._delete(batch, op, info, record, now)
        return self._update(batch, device, op, info, record, now)

    def _create(
        self,
        batch: _Batch,
        device: Device,
        op: Operation,
        info: EntityInfo,
        record: _Record | None,
        now: datetime,
    ) -> OpResult:
        values = {name: change[1] for name, change in op.changes.items()}
        deleted = values.pop("deleted", False) is True
        if values.get("grid_id") != op.grid_id:
            return _result(op, OpStatus.REJECTED, "操作所属网格与记录的所属网格不一致（请联系信息员）")
        flow = info.workflow
        if flow is not None and not device.township:
            state = values.get(flow.field)
            if state is not None and (
                not isinstance(state, str) or state not in _laptop_states(flow.lifecycle)
            ):
                life = flow.lifecycle
                return _result(
                    op,
                    OpStatus.REJECTED,
                    f"新建的{life.noun}不能一开始就是“{_state_label(life, state)}”（这一步由乡镇办理），"
                    "未生效；请按办理流程从登记开始",
                )
        if record is None:
            record = _Record(
                entity=op.entity,
                record_id=op.record_id,
                grid_id=op.grid_id,
                version=0,
                deleted=deleted,
                values=values,
                changed_by=op.actor,
                changed_at=now,
                stored=False,
            )
            batch.records[(op.entity, op.record_id)] = record
            self._changed(batch, record, op, now)
            return _outcome(op, OpStatus.APPLIED, record)
        # The record is already here (another laptop made it, or the create came back by another way).
        if not device.may_access(record.grid_id):
            return _result(op, OpStatus.REJECTED, "这条记录已属于其他网格，本设备无权修改")
        differ = {
            name: record.values.get(name)
            for name in {*values, *record.values}
            if not same_value(record.values.get(name), values.get(name))
        }
        if record.deleted and not deleted:
            return _outcome(op, OpStatus.CONFLICT, record, _deleted_reason(info, record), differ)
        if differ or record.deleted != deleted:
            return _outcome(op, OpStatus.CONFLICT, record, _conflict_reason(info, record, differ), differ)
        return _outcome(op, OpStatus.APPLIED, record)

    def _delete(
        self, batch: _Batch, op: Operation, info: EntityInfo, record: _Record, now: datetime
    ) -> OpResult:
        """A delete: applied, unless someone changed the record since the laptop saw it (base version).

        - already deleted: applied, nothing to do (a repeat or two laptops deleting alike);
        - changed on the server since ``op.base_version``: a conflict naming who changed it and when; the record
          stays (``conflicts`` carries ``deleted: False``), so nobody's newer edits are deleted unseen;
        - else: tombstoned.
        """
        if record.deleted:
            return _outcome(op, OpStatus.APPLIED, record)
        if record.version > op.base_version:
            reason = (
                f"{_named(info, record)}在本机删除之前已被 {_who(record.changed_by)} 于 {_when(record.changed_at)} "
                "修改，删除未生效（以免丢掉别人新改的内容）；请同步后核对最新内容，确需删除再删除一次"
            )
            return _outcome(op, OpStatus.CONFLICT, record, reason, {"deleted": False})
        record.deleted = True
        self._changed(batch, record, op, now)
        return _outcome(op, OpStatus.APPLIED, record)

    def _update(
        self, batch: _Batch, device: Device, op: Operation, info: EntityInfo, record: _Record, now: datetime
    ) -> OpResult:
        """A change of fields, in order:

        - a move to a grid the device may not write: rejected;
        - the record is deleted on the server: a conflict naming who deleted it and when;
        - a workflow move that is no edge from the server's current state, or the township's own move from a
          village device: rejected (``_refused_move``); a valid move is taken whatever the laptop's old state;
        - every other field three-way; a change of an identity field is a conflict too when the record changed on
          the server since ``op.base_version``, unless the server already has the new value;
        - a move from grid A to grid B also files a tombstone under grid A (``_left_grid``).
        """
        if "grid_id" in op.changes and not device.may_access(op.changes["grid_id"][1]):
            refusal = _refusal(device, op.changes["grid_id"][1]) or ""
            return _result(op, OpStatus.REJECTED, f"不能把记录移到这个网格：{refusal}")
        if record.deleted and "deleted" not in op.changes:
            return _outcome(op, OpStatus.CONFLICT, record, _deleted_reason(info, record))
        refused = self._refused_move(batch, device, op, info, record)
        if refused:
            return refused
        command = info.workflow.field if info.workflow else None
        stale = record.version > op.base_version
        # Three-way per field: the server's value against the old and new values the laptop saw.
        take: dict[str, Any] = {}
        conflicts: dict[str, Any] = {}
        for name, (old, new) in op.changes.items():
            current = record.deleted if name == "deleted" else record.values.get(name)
            if same_value(current, new):
                continue
            if (name == command or same_value(current, old)) and not (stale and name in info.identity):
                take[name] = new
            else:
                conflicts[name] = current
        if conflicts:
            return _outcome(
                op, OpStatus.CONFLICT, record, _conflict_reason(info, record, conflicts), conflicts
            )
        if take:
            before = record.values
            if "deleted" in take:
                record.deleted = take.pop("deleted") is True
            record.values = {**record.values, **take}
            record.grid_id = record.values.get("grid_id")
            self._changed(batch, record, op, now)
            self._left_grid(batch, record, op, before)
        return _outcome(op, OpStatus.APPLIED, record)

    def _refused_move(
        self, batch: _Batch, device: Device, op: Operation, info: EntityInfo, record: _Record
    ) -> OpResult | None:
        """The rejection of ``op``'s workflow move, or None (no move, already there, or a valid move). It carries
        the server's state in ``conflicts``, like a conflict, and a reason saying why.

        The laptop's action is read off its move (old → new state; where two actions lead there, either). It must
        be a move of the graph at all; a township action needs a township device; and from the server's *current*
        state that action must lead to the same new state. So when the server still has the laptop's old state,
        this is the laptop's own check again; when someone moved the record meanwhile, a move still valid from
        there is made (withdrawing a returned event), one that is not is refused with who set the state and when.
        """
        flow = info.workflow
        if flow is None or flow.field not in op.changes:
            return None
        old, new = op.changes[flow.field]
        current = record.values.get(flow.field)
        if same_value(current, new):
            return None
        life = flow.lifecycle
        moves = [action for (state, action), to in life.transitions.items() if state == old and to == new]
        named = _named(info, record)

        def refused(reason: str) -> OpResult:
            return _outcome(op, OpStatus.REJECTED, record, reason, {flow.field: current})

        if not moves:
            return refused(
                f"{named}不能从“{_state_label(life, old)}”直接改为“{_state_label(life, new)}”，"
                f"这不是{life.noun}办理流程中的一步，未生效（请升级软件或联系信息员）"
            )
        ours = [a for a in moves if device.township or a not in life.township_actions]
        if not ours:
            owned = "、".join(life.action_labels[a] for a in life.action_type if a in life.township_actions)
            return refused(
                f"{named}的“{life.action_labels[moves[0]]}”只能由乡镇操作（{owned}由乡镇办理），"
                "本机的这一步未生效；请报乡镇办理，同步后查看结果"
            )
        if isinstance(current, str) and any(life.transitions.get((current, a)) == new for a in ours):
            return None
        who, when = self._state_set_by(batch, record, flow.field)
        return refused(
            f"{named}已由 {_who(who)} 于 {_when(when)} 改为“{_state_label(life, current)}”，"
            f"您的“{life.action_labels[ours[0]]}”未生效；请刷新后查看，按当前状态办理"
        )

    @staticmethod
    def _note_refused_move(batch: _Batch, op: Operation, reason: str) -> None:
        """``op`` was rejected: when it is a workflow move, its step record (same save) must be rejected too."""
        key = _move_key(op)
        if key is None or key in batch.refused:
            return
        batch.refused[key] = reason
        row = dict(
            zip(("entity", "record_id", "from_state", "to_state", "actor", "made_at"), key, strict=True)
        )
        batch.refused_rows.append(row | {"op_id": op.op_id, "reason": reason})

    def _refused_step(self, batch: _Batch, op: Operation, info: EntityInfo, now: datetime) -> OpResult | None:
        """The rejection of a step record whose move (same save) was rejected, or None.

        It carries ``deleted: True`` in ``conflicts`` (version 0: the server has no such record), so the laptop's
        copy takes the server's state like a rejected move's record does: the step it kept is tombstoned there, and
        the operation waits in the inbox with this reason."""
        link = _step_link(op)
        reason = batch.refused.get(link) if link is not None else None
        if link is None or reason is None:
            return None
        parent = ENTITIES[link[0]]
        life = parent.workflow.lifecycle if parent.workflow else None
        action = op.changes.get("action", [None, None])[1]
        label = life.action_labels.get(action, "") if life is not None and isinstance(action, str) else ""
        if not label and life is not None:
            label = _state_label(life, link[3])
        record = batch.records.get((link[0], link[1]))
        named = _named(parent, record) if record is not None else f"这条{parent.label}记录"
        return OpResult(
            op_id=op.op_id,
            status=OpStatus.REJECTED,
            reason=f"{info.label}“{label}”未保存：{named}的这一步未生效。{reason}",
            version=0,
            conflicts={"deleted": True},
            changed_by=op.actor,
            changed_at=_aware(now),
        )

    def _state_set_by(self, batch: _Batch, record: _Record, name: str) -> tuple[str, datetime]:
        """Who gave ``record`` its current value of field ``name``, and when: the earliest change of the newest
        run of changes that all had that value (later edits of other fields do not count)."""
        value = record.values.get(name)
        who, when = record.changed_by, record.changed_at
        key = (record.entity, record.record_id)
        in_batch = [r for r in reversed(batch.log) if (r["entity"], r["record_id"]) == key]
        stored = (
            select(change_log.c["values"], change_log.c.changed_by, change_log.c.changed_at)
            .where(change_log.c.entity == record.entity, change_log.c.record_id == record.record_id)
            .order_by(change_log.c.seq.desc())
        )
        for row in chain(in_batch, _rows(batch.conn, stored)):
            if not same_value(row["values"].get(name), value):
                break
            who, when = row["changed_by"], row["changed_at"]
        return who, when

    def _changed(self, batch: _Batch, record: _Record, op: Operation, now: datetime) -> None:
        """``record`` was changed by ``op``: a new version, and a change-log row with all its values."""
        record.version += 1
        record.changed_by = op.actor
        record.changed_at = now
        record.dirty = True
        batch.log.append(_log_row(record, op, record.grid_id, record.deleted, record.values))

    def _left_grid(self, batch: _Batch, record: _Record, op: Operation, before: dict[str, Any]) -> None:
        """After ``op`` moved ``record`` out of grid A (its ``before`` values), file a tombstone under A.

        Laptops of A pull it like any change and hide the record (``deleted``); the record's own row keeps its
        new grid. The tombstone carries the values A already had (nothing of the move's other changes leaks to
        A), except ``grid_id``, which names the new grid: a row whose values name another grid than the one it
        is filed under marks a scope exit (``_moved_within``), which ``pull`` leaves out for devices that read the
        new grid anyway. A move to or from township data (no grid) needs none: every device reads that.
        """
        was = before.get("grid_id")
        if was is None or record.grid_id is None or was == record.grid_id:
            return
        batch.log.append(_log_row(record, op, was, True, {**before, "grid_id": record.grid_id}))

    def _write(self, conn: Connection, batch: _Batch, now: datetime) -> None:
        texts: dict[int, _Encoded] = {}

        def encoded(values: dict[str, Any]) -> _Encoded:
            # By identity: the records row and the change-log row of a change hold the same dict.
            text = texts.get(id(values))
            if text is None:
                text = texts[id(values)] = _Encoded(_dumps(values))
            return text

        fresh: list[dict[str, Any]] = []
        stale: list[dict[str, Any]] = []
        for record in batch.records.values():
            if record.dirty:
                row = _record_row(record) | {"values": encoded(record.values)}
                (stale if record.stored else fresh).append(row)
        _executemany(conn, records, fresh)
        _executemany(conn, _UPDATE_RECORD, [{f"b_{k}": v for k, v in row.items()} for row in stale])
        _executemany(conn, change_log, [row | {"values": encoded(row["values"])} for row in batch.log])
        _executemany(conn, applied_ops, [row | {"applied_at": now} for row in batch.answered])
        _executemany(conn, refused_moves, batch.refused_rows)

    # -- pull -------------------------------------------------------------------------------------------
    def pull(self, device: Device, cursor: int, limit: int) -> bytes:
        """Changes after ``cursor`` in commit order, for the device's grids and the township's reference data: a
        ``PullResponse`` as JSON.

        A grid move's tombstone for the old grid is left out for a device that may read the new grid (it gets the
        record's own row); the cursor still passes it, so a page may hold fewer changes than it covers.

        Each change's values go out as the text they were stored as, never parsed: a page is 10,000 changes, and
        decoding them only to encode them again was half the server's work on a first pull.
        """
        limit = max(1, min(limit, MAX_PAGE))
        query = _PULLED.where(change_log.c.seq > cursor)
        if not device.township:
            query = query.where(or_(change_log.c.grid_id.in_(device.grids), change_log.c.grid_id.is_(None)))
        query = query.order_by(change_log.c.seq).limit(limit + 1)
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
            epoch = self.epoch(conn)  # the page and its epoch from one transaction
        more = len(rows) > limit
        examined = rows[:limit]
        text_of: dict[Any, str] = {None: "null"}  # a page's few authors, grids and times, each encoded once

        def encoded(value: Any) -> str:
            found = text_of.get(value)
            if found is None:
                plain = (
                    _aware(value).isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else value
                )
                found = text_of[value] = _JSON.encode(plain)
            return found

        changes = [
            _CHANGE_JSON
            % (
                seq,
                _JSON.encode(entity),
                _JSON.encode(record_id),
                encoded(grid_id),
                version,
                "true" if deleted else "false",
                values,
                encoded(changed_by),
                encoded(changed_at),
            )
            for seq, entity, record_id, grid_id, version, deleted, values, changed_by, changed_at in examined
            if not (deleted and _moved_within(device, grid_id, values))
        ]
        return (
            _PAGE_JSON
            % (
                PROTOCOL_VERSION,
                _JSON.encode(epoch),
                ",".join(changes),
                examined[-1].seq if examined else cursor,
                "true" if more else "false",
            )
        ).encode()

    # -- helpers -------------------------------------------------------------------------------------------
    @staticmethod
    def _read_meta(conn: Connection, key: str) -> str | None:
        value: str | None = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()
        return value


def create_schema(engine: Engine) -> None:
    """Make the tables this database lacks, and the indexes its tables lack, once its layout is known to be one
    this program can use (``SCHEMA_VERSION``).

    ``create_all`` makes a table's indexes only with the table, so an index added to an existing table since the
    database was made is made here (``IF NOT EXISTS``: reflection cannot tell on SQLite, which does not reflect
    expression indexes). A column or table changed in place needs a step written for it (see ``SCHEMA_VERSION``).
    """
    stored = _schema_version(engine)
    if stored is not None and stored != SCHEMA_VERSION:
        raise StoreError(
            f"此数据库的数据结构版本为 {stored}，本程序（griddesk-server）只能使用版本 {SCHEMA_VERSION}："
            "它多半由更新版本的乡镇服务器建立。请安装最新版本的 griddesk-server 后再启动；数据库未作任何改动。"
        )
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            for index in sorted(table.indexes, key=lambda found: str(found.name)):
                conn.execute(CreateIndex(index, if_not_exists=True))
    if stored is None:  # new, or made before the layout was numbered (it is version 1)
        try:
            with engine.begin() as conn:
                conn.execute(meta.insert().values(key=SCHEMA_KEY, value=str(SCHEMA_VERSION)))
        except IntegrityError:
            # Another process opening the same new database stamped it first (a server and an admin command).
            if _schema_version(engine) != SCHEMA_VERSION:
                raise


def _schema_version(engine: Engine) -> int | str | None:
    """The layout number stored in ``meta`` (the text as found when it is no number), None when there is none."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(meta.name):
            return None
        value = conn.execute(select(meta.c.value).where(meta.c.key == SCHEMA_KEY)).scalar_one_or_none()
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def _make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() != "sqlite":
        # READ COMMITTED, whatever the server's default: a push must see what the push before it committed while
        # it waited for the write lock (REPEATABLE READ would fail it with a serialisation error instead).
        return create_engine(
            url, json_serializer=_dumps, pool_pre_ping=True, isolation_level="READ COMMITTED"
        )
    engine = create_engine(url, json_serializer=_dumps)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN (below) start transactions instead of the driver's own guesswork, which starts
        # none before a SELECT: reads and writes of one transaction then see one snapshot.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # An answered push must survive a power cut: the laptop forgets what the server acknowledged.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


_UPDATE_RECORD = (
    update(records)
    .where(records.c.entity == bindparam("b_entity"), records.c.record_id == bindparam("b_record_id"))
    .values(
        {
            records.c.grid_id: bindparam("b_grid_id"),
            records.c.version: bindparam("b_version"),
            records.c.deleted: bindparam("b_deleted", type_=Boolean),
            records.c["values"]: bindparam("b_values", type_=JSON),
            records.c.changed_by: bindparam("b_changed_by"),
            records.c.changed_at: bindparam("b_changed_at", type_=DateTime),
        }
    )
)
"""A stored record's new state, per row of ``_write`` (its parameters named ``b_`` + column)."""


@dataclass(frozen=True)
class _Compiled:
    """A statement compiled for one dialect and parameter set, with what turns a row dict into driver params."""

    sql: str
    names: tuple[str, ...]
    """The parameters in the order the driver takes them (by position) or names them."""
    values: Callable[[dict[str, Any]], tuple[Any, ...]]
    """A row's values in ``names`` order."""
    processed: tuple[tuple[int, Callable[[Any], Any]], ...]
    """(position in ``names``, bind processor) of each parameter whose type converts it (JSON, DateTime…)."""
    positional: bool


@lru_cache(maxsize=64)
def _compiled(target: Table | Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
    """``target`` (a statement, or a table to insert into) compiled for ``dialect`` with parameters ``keys``."""
    statement = target.insert() if isinstance(target, Table) else target
    compiled = cast(Any, statement).compile(dialect=dialect, column_keys=list(keys))
    if compiled.escaped_bind_names:  # pragma: no cover - no column or parameter name here needs escaping
        raise ValueError(f"parameter names need escaping: {compiled.escaped_bind_names}")
    names = tuple(compiled.positiontup if compiled.positional else compiled.binds)
    processors = compiled._bind_processors
    getter = itemgetter(*names)
    return _Compiled(
        sql=compiled.string,
        names=names,
        values=getter if len(names) > 1 else lambda row: (getter(row),),
        processed=tuple((i, processors[name]) for i, name in enumerate(names) if processors.get(name)),
        positional=compiled.positional,
    )


def _executemany(conn: Connection, target: Table | Executable, rows: list[dict[str, Any]]) -> None:
    """Run ``target`` (a statement, or a table to insert into) for each of ``rows`` (dicts with the same keys) in
    one driver ``executemany``.

    It is compiled once per dialect and parameter set, and each value goes through its type's bind processor
    (JSON, DateTime, Boolean) as SQLAlchemy's own executemany would; a value many rows share (the push's time) is
    converted once. What is skipped is SQLAlchemy's generic per-row parameter handling, which in a push took
    longer than the database's own work.
    """
    if not rows:
        return
    plan = _compiled(target, conn.dialect, tuple(rows[0]))
    driver_rows: list[Any] = [plan.values(row) for row in rows]
    if plan.processed:
        processed = [(i, shared_once(process)) for i, process in plan.processed]
        for n, values in enumerate(driver_rows):
            mutable = list(values)
            for i, process in processed:
                mutable[i] = process(mutable[i])
            driver_rows[n] = tuple(mutable)
    if not plan.positional:
        driver_rows = [dict(zip(plan.names, values, strict=True)) for values in driver_rows]
    conn.exec_driver_sql(plan.sql, driver_rows)


def _device(row: Any) -> Device:
    return Device(
        id=row.id, name=row.name, grids=list(row.grids), revoked=bool(row.revoked), created_at=row.created_at,
        expires_at=row.expires_at,
    )  # fmt: skip


def _record_row(record: _Record) -> dict[str, Any]:
    return {
        "entity": record.entity,
        "record_id": record.record_id,
        "grid_id": record.grid_id,
        "version": record.version,
        "deleted": record.deleted,
        "values": record.values,
        "changed_by": record.changed_by,
        "changed_at": record.changed_at,
    }


def _refusal(device: Device, grid_id: str | None) -> str | None:
    """Why ``device`` may not write records of ``grid_id``, or None when it may."""
    if device.may_access(grid_id):
        return None
    if grid_id is None:
        return REASON_TOWNSHIP_DATA
    return f"本设备只能修改登记时分配的网格，无权修改网格 {grid_id} 的数据（如需调整请联系乡镇信息员）"


def _unstorable(op: Operation) -> str | None:
    """Why ``op`` cannot be stored as it is on every backend, or None: NUL in text that goes in a text column."""
    moved_to = op.changes.get("grid_id", [None, None])[1:2]
    if _NUL in "".join((op.op_id, op.entity, op.record_id, op.grid_id or "", op.actor)) or any(
        isinstance(t, str) and _NUL in t for t in moved_to
    ):
        return REASON_UNSTORABLE
    if op.entity == _ATTACHMENT and any(
        isinstance(v, str) and _NUL in v for change in op.changes.values() for v in change[1:2]
    ):
        return REASON_UNSTORABLE_ATTACHMENT  # attachment_sha256 could not be indexed on PostgreSQL
    return None


def _utc(moment: datetime) -> datetime:
    """A time as stored: naive UTC (an operation's time without a zone is UTC already)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def _texts(*values: Any) -> bool:
    """Whether every value is text a text column holds (no NUL)."""
    return all(isinstance(v, str) and _NUL not in v for v in values)


def _move_key(op: Operation) -> MoveKey | None:
    """The move ``op`` makes (an update of a workflow state to another), or None."""
    info = ENTITIES.get(op.entity)
    if op.kind != "update" or info is None or info.workflow is None:
        return None
    change = op.changes.get(info.workflow.field)
    if change is None or len(change) != 2:
        return None
    old, new = change
    if not _texts(op.record_id, old, new, op.actor) or old == new:
        return None
    return (op.entity, op.record_id, old, new, op.actor, _utc(op.created_at))


def _step_link(op: Operation) -> MoveKey | None:
    """The move a step record's create keeps, as ``_move_key`` names it; None for anything else (a 催办 step,
    from a state to itself, keeps no move)."""
    kind = STEPS.get(op.entity)
    if op.kind != "create" or kind is None:
        return None
    values = [op.changes.get(name, [None, None]) for name in (kind.parent_field, "from_state", "to_state")]
    if any(len(v) != 2 for v in values):
        return None
    parent_id, old, new = (v[1] for v in values)
    if not _texts(parent_id, old, new, op.actor) or old == new:
        return None
    return (kind.parent, parent_id, old, new, op.actor, _utc(op.created_at))


def _malformed(op: Operation, info: EntityInfo) -> str | None:
    """What is wrong with the shape of ``op``'s changes, or None."""
    if op.kind == "delete":
        return None
    for name, change in op.changes.items():
        if len(change) != 2:
            return f"操作格式错误：字段“{name}”的修改应为 [原值, 新值]（请升级软件或联系信息员）"
        if name not in info.fields:
            return f"{info.label}没有字段“{name}”（请升级软件或联系信息员）"
    return None


def _log_row(
    record: _Record, op: Operation, grid_id: str | None, deleted: bool, values: dict[str, Any]
) -> dict[str, Any]:
    """A change-log row for ``record`` as ``op`` left it, filed under ``grid_id``."""
    return {
        "entity": record.entity,
        "record_id": record.record_id,
        "grid_id": grid_id,
        "version": record.version,
        "deleted": deleted,
        "values": values,  # never changed in place: a change makes a new dict (encoded once in ``_write``)
        "changed_by": record.changed_by,
        "changed_at": record.changed_at,
        "op_id": op.op_id,
    }


def _laptop_states(life: Lifecycle[Any, Any]) -> frozenset[str]:
    """The states a village laptop may create a record in: its first state and those a laptop reaches from there
    without a township move (a laptop that worked offline creates an event already reported)."""
    if life.noun in _LAPTOP_STATES:
        return _LAPTOP_STATES[life.noun]
    first = next(iter(cast("Iterable[Any]", life.state_type)))  # the first declared: where a record starts
    reached, todo = {first}, [first]
    while todo:
        state = todo.pop()
        for (source, action), target in life.transitions.items():
            if source == state and action not in life.township_actions and target not in reached:
                reached.add(target)
                todo.append(target)
    _LAPTOP_STATES[life.noun] = frozenset(str(s.value) for s in reached)
    return _LAPTOP_STATES[life.noun]


_LAPTOP_STATES: dict[str, frozenset[str]] = {}


def _moved_within(device: Device, grid_id: str | None, values: str) -> bool:
    """Whether a deleted change (``values`` as stored text) is a grid move's tombstone (see ``Store._left_grid``)
    that ``device`` does not need: it may read the grid the record moved to, so it gets the record's own row
    instead."""
    if grid_id is None:
        return False
    moved_to = json.loads(values).get("grid_id")
    return moved_to not in (None, grid_id) and device.may_access(moved_to)


def _rows(conn: Connection, query: Any) -> Iterator[dict[str, Any]]:
    """``query``'s rows as dicts, read only when the caller gets that far."""
    for row in conn.execute(query).mappings():
        yield dict(row)


def _who(actor: str) -> str:
    return actor or "他人"


def _when(moment: datetime) -> str:
    """A stored time as a person reads it: Beijing time, "11月27日 14:05" (the year too when not this year)."""
    local = _aware(moment).astimezone(TOWNSHIP_TIME)
    year = "" if local.year == datetime.now(TOWNSHIP_TIME).year else f"{local.year}年"
    return f"{year}{local.month}月{local.day}日 {local:%H:%M}"


def _named(info: EntityInfo, record: _Record) -> str:
    """The record for a reason: its kind and, where it has one, its title or name (事件“路灯不亮”)."""
    values = record.values
    name = values.get("title") or values.get("name") or values.get("applicant_name") or values.get("number")
    return f"{info.label}“{name}”" if isinstance(name, str) and name else f"这条{info.label}记录"


def _state_label(life: Lifecycle[Any, Any], state: Any) -> str:
    """A workflow state's Chinese label; a value that is no state of the graph as it is."""
    label: str = life.state_labels.get(state, str(state)) if isinstance(state, str) else str(state)
    return label


def _deleted_reason(info: EntityInfo, record: _Record) -> str:
    """An edit arrived for a record the server has deleted (the deletion is its last change)."""
    who = _who(record.changed_by)
    return (
        f"{REASON_DELETED}：{_named(info, record)}已由 {who} 于 {_when(record.changed_at)} 删除，本机的修改未生效；"
        f"如这条记录仍需要，请与 {who} 核实后重新登记"
    )


def _conflict_reason(info: EntityInfo, record: _Record, fields: Iterable[str]) -> str:
    """Fields the operation could not change: changed to other values on the server, or identity fields of a
    record changed since the laptop saw it."""
    names = sorted(fields)
    identity = [name for name in names if name in info.identity]
    who = _who(record.changed_by)
    changed = "、".join(f"“{info.fields.get(name, name)}”" for name in names if name not in identity)
    parts = [
        f"服务器上{_named(info, record)}的{changed}已被改成别的值（最近由 {who} 于 {_when(record.changed_at)} "
        "修改），与本机的修改不一致，请核对后决定保留哪一个"
        if changed
        else f"{_named(info, record)}在本机修改之后已被 {who} 于 {_when(record.changed_at)} 改动过"
    ]
    if identity:
        labels = "、".join(f"“{info.fields.get(name, name)}”" for name in identity)
        parts.append(f"{labels}是身份信息，不会自动合并，须由人核对确认后再决定是否修改")
    return "；".join(parts)


def _result(op: Operation, status: OpStatus, reason: str = "") -> OpResult:
    return OpResult(op_id=op.op_id, status=status, reason=reason)


def _outcome(
    op: Operation,
    status: OpStatus,
    record: _Record,
    reason: str = "",
    conflicts: dict[str, Any] | None = None,
) -> OpResult:
    """An answer naming the record's version and its last change."""
    return OpResult(
        op_id=op.op_id,
        status=status,
        reason=reason,
        version=record.version,
        conflicts=conflicts or {},
        changed_by=record.changed_by,
        changed_at=_aware(record.changed_at),
    )
