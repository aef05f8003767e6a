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
Record values are ``json`` on PostgreSQL, not ``jsonb``: ``json`` keeps any text, ``"\\u0000"`` included, and no
query looks inside it. PostgreSQL's text columns cannot hold NUL characters, so an operation with one in an id,
the actor or the grid is rejected on every backend alike (it would fail there on every retry).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    create_engine,
    event,
    or_,
    select,
    update,
)
from sqlalchemy.engine import make_url

from app.models import ENTITY_BY_NAME
from app.models.base import BOOKKEEPING
from sync.protocol import (
    MAX_PAGE,
    Change,
    EnrolResponse,
    Operation,
    OpResult,
    OpStatus,
    PullResponse,
    PushRequest,
    PushResponse,
)

TOWNSHIP = "*"
"""The grid list of a township device: it may read and write every grid and the township's reference data."""

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Enrol code letters: upper case and digits without the look-alikes 0/O and 1/I."""
CODE_LENGTH = 8

# Reasons the laptop shows to people.
ENROL_REFUSED = "登记码无效、已用过或已过期，请向乡镇信息员要一个新的登记码"
REASON_OP_ID_REUSED = "操作编号重复但内容不同，已拒绝（请联系信息员）"
REASON_TOWNSHIP_DATA = "乡镇参考数据只能由乡镇修改"
REASON_NO_RECORD = "记录不存在"
REASON_DELETED = "记录已被删除"
REASON_UNSTORABLE = "操作中的编号、网格或操作人含有不可保存的控制字符（请升级软件或联系信息员）"

_NUL = "\x00"

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
)

enrol_codes = Table(
    "enrol_codes",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("grids", JSON, nullable=False),
    Column("township", Boolean, nullable=False, default=False),
    Column("used_by", String(36), nullable=True),
    Column("expires_at", DateTime, nullable=False),
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

records = Table(
    "records",
    metadata,
    Column("entity", Text, primary_key=True),
    Column("record_id", Text, primary_key=True),
    Column("grid_id", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("values", JSON, nullable=False),
    Column("changed_by", Text, nullable=False),
    Column("changed_at", DateTime, nullable=False),
)

change_log = Table(
    "change_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("entity", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("grid_id", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("values", JSON, nullable=False),
    Column("changed_by", Text, nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("op_id", Text, nullable=False),
    Index("ix_change_log_grid_id_seq", "grid_id", "seq"),
    sqlite_autoincrement=True,  # never reuse a sequence number, even after the newest row were removed
)

_CHUNK = 500
"""Ids per ``IN (…)`` list."""


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


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def operation_sha256(op: Operation) -> str:
    """The hash dedupe compares: sha256 of the operation's canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(
        op.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
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
class EntityInfo:
    label: str
    """The record kind in Chinese (人员, 户 …) for reasons."""
    fields: dict[str, str]
    """Field name → Chinese label, for every field an operation may carry."""


def _entities() -> dict[str, EntityInfo]:
    found: dict[str, EntityInfo] = {}
    for name, model in ENTITY_BY_NAME.items():
        columns = model.__table__.columns  # type: ignore[attr-defined]
        found[name] = EntityInfo(
            label=model.__record_label__,
            fields={c.key: c.info.get("label", c.key) for c in columns if c.key not in BOOKKEEPING},
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

    seen: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    """op_id → (payload hash, stored result) of every operation already answered."""
    records: dict[tuple[str, str], _Record] = field(default_factory=dict)
    answered: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class Store:
    """The township server's database. Each public method is one transaction."""

    def __init__(self, url: str) -> None:
        self.engine = _make_engine(url)
        metadata.create_all(self.engine)
        self._epoch: str | None = None

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
        self._epoch = epoch
        return epoch

    def epoch(self) -> str:
        """The id of this database's history; a restored backup must get a new one (laptops then refetch)."""
        if self._epoch is None:
            with self.engine.connect() as conn:
                self._epoch = self._read_meta(conn, "epoch")
            if self._epoch is None:
                raise StoreError("乡镇服务器尚未初始化，请先运行 admin init")
        return self._epoch

    def township_grids(self) -> list[str]:
        with self.engine.connect() as conn:
            raw = self._read_meta(conn, "grids")
        grids: list[str] = json.loads(raw) if raw else []
        return grids

    def create_enrol_code(self, grids: Sequence[str], ttl_hours: float = 72, township: bool = False) -> str:
        """A one-time code a laptop enrols with, valid for ``ttl_hours``; ``township`` gives access to all grids."""
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
                    code=code, grids=list(grids), township=township, used_by=None, expires_at=expires_at
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
                select(enrol_codes.c.grids, enrol_codes.c.township).where(enrol_codes.c.code == normalised)
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
                )
            )
            epoch = self._read_meta(conn, "epoch")
        if epoch is None:
            raise StoreError("乡镇服务器尚未初始化，请联系信息员")
        return EnrolResponse(device_id=device_id, token=token, grids=grids, epoch=epoch)

    def device_for_token(self, token: str) -> Device | None:
        """The device holding ``token``; None when unknown or revoked."""
        with self.engine.connect() as conn:
            row = conn.execute(select(devices).where(devices.c.token_sha256 == _token_sha256(token))).first()
        if row is None or row.revoked:
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
            results = [self._answer(batch, device, op, now) for op in request.operations]
            self._write(conn, batch, now)
        return PushResponse(batch_id=request.batch_id, results=results)

    def _take_write_lock(self, conn: Connection) -> None:
        conn.execute(update(meta).where(meta.c.key == "epoch").values(value=meta.c.value))

    def _load(self, conn: Connection, ops: Sequence[Operation]) -> _Batch:
        """Read, in a few queries, the stored answers and the records the batch's operations name."""
        batch = _Batch()
        op_ids = list(dict.fromkeys(op.op_id for op in ops if _NUL not in op.op_id))
        for chunk in _chunks(op_ids):
            query = select(applied_ops.c.op_id, applied_ops.c.payload_sha256, applied_ops.c.result).where(
                applied_ops.c.op_id.in_(chunk)
            )
            for row in conn.execute(query):
                batch.seen[row.op_id] = (row.payload_sha256, row.result)
        by_entity: dict[str, list[str]] = {}
        for op in ops:
            if _unstorable(op) is None:
                by_entity.setdefault(op.entity, []).append(op.record_id)
        for entity, ids in by_entity.items():
            for chunk in _chunks(list(dict.fromkeys(ids))):
                query = select(records).where(records.c.entity == entity, records.c.record_id.in_(chunk))
                for row in conn.execute(query):
                    batch.records[(row.entity, row.record_id)] = _Record(
                        entity=row.entity,
                        record_id=row.record_id,
                        grid_id=row.grid_id,
                        version=row.version,
                        deleted=row.deleted,
                        values=dict(row.values),
                        changed_by=row.changed_by,
                        changed_at=row.changed_at,
                        stored=True,
                    )
        return batch

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
            return self._create(batch, device, op, info, record, now)
        if record is None:
            return _result(op, OpStatus.REJECTED, REASON_NO_RECORD)
        if record.grid_id != op.grid_id and not device.may_access(record.grid_id):
            return _result(op, OpStatus.REJECTED, "这条记录已移到其他网格，本设备无权修改")
        if op.kind == "delete":
            if not record.deleted:
                record.deleted = True
                self._changed(batch, record, op, now)
            return _outcome(op, OpStatus.APPLIED, record)
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
            return _outcome(op, OpStatus.CONFLICT, record, REASON_DELETED, differ)
        if differ or record.deleted != deleted:
            return _outcome(op, OpStatus.CONFLICT, record, _conflict_reason(info, record, differ), differ)
        return _outcome(op, OpStatus.APPLIED, record)

    def _update(
        self, batch: _Batch, device: Device, op: Operation, info: EntityInfo, record: _Record, now: datetime
    ) -> OpResult:
        if "grid_id" in op.changes and not device.may_access(op.changes["grid_id"][1]):
            refusal = _refusal(device, op.changes["grid_id"][1]) or ""
            return _result(op, OpStatus.REJECTED, f"不能把记录移到这个网格：{refusal}")
        if record.deleted and "deleted" not in op.changes:
            return _outcome(op, OpStatus.CONFLICT, record, REASON_DELETED)
        # Three-way per field: the server's value against the old and new values the laptop saw.
        take: dict[str, Any] = {}
        conflicts: dict[str, Any] = {}
        for name, (old, new) in op.changes.items():
            current = record.deleted if name == "deleted" else record.values.get(name)
            if same_value(current, new):
                continue
            if same_value(current, old):
                take[name] = new
            else:
                conflicts[name] = current
        if conflicts:
            return _outcome(
                op, OpStatus.CONFLICT, record, _conflict_reason(info, record, conflicts), conflicts
            )
        if take:
            if "deleted" in take:
                record.deleted = take.pop("deleted") is True
            record.values = {**record.values, **take}
            record.grid_id = record.values.get("grid_id")
            self._changed(batch, record, op, now)
        return _outcome(op, OpStatus.APPLIED, record)

    def _changed(self, batch: _Batch, record: _Record, op: Operation, now: datetime) -> None:
        """``record`` was changed by ``op``: a new version, and a change-log row with all its values."""
        record.version += 1
        record.changed_by = op.actor
        record.changed_at = now
        record.dirty = True
        batch.log.append(
            {
                "entity": record.entity,
                "record_id": record.record_id,
                "grid_id": record.grid_id,
                "version": record.version,
                "deleted": record.deleted,
                "values": dict(record.values),
                "changed_by": record.changed_by,
                "changed_at": record.changed_at,
                "op_id": op.op_id,
            }
        )

    def _write(self, conn: Connection, batch: _Batch, now: datetime) -> None:
        changed = [r for r in batch.records.values() if r.dirty]
        fresh = [_record_row(r) for r in changed if not r.stored]
        if fresh:
            conn.execute(records.insert(), fresh)
        stale = [{f"b_{k}": v for k, v in _record_row(r).items()} for r in changed if r.stored]
        if stale:
            statement = (
                update(records)
                .where(
                    records.c.entity == bindparam("b_entity"), records.c.record_id == bindparam("b_record_id")
                )
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
            conn.execute(statement, stale)
        if batch.log:
            conn.execute(change_log.insert(), batch.log)
        if batch.answered:
            conn.execute(applied_ops.insert(), [row | {"applied_at": now} for row in batch.answered])

    # -- pull -------------------------------------------------------------------------------------------
    def pull(self, device: Device, cursor: int, limit: int) -> PullResponse:
        """Changes after ``cursor`` in commit order, for the device's grids and the township's reference data."""
        limit = max(1, min(limit, MAX_PAGE))
        query = select(change_log).where(change_log.c.seq > cursor)
        if not device.township:
            query = query.where(or_(change_log.c.grid_id.in_(device.grids), change_log.c.grid_id.is_(None)))
        query = query.order_by(change_log.c.seq).limit(limit + 1)
        with self.engine.begin() as conn:
            rows = conn.execute(query).all()
        more = len(rows) > limit
        changes = [
            Change(
                seq=r.seq,
                entity=r.entity,
                record_id=r.record_id,
                grid_id=r.grid_id,
                version=r.version,
                deleted=r.deleted,
                values=r.values,
                changed_by=r.changed_by,
                changed_at=_aware(r.changed_at),
            )
            for r in rows[:limit]
        ]
        return PullResponse(
            epoch=self.epoch(),
            changes=changes,
            cursor=changes[-1].seq if changes else cursor,
            more=more,
        )

    # -- helpers -------------------------------------------------------------------------------------------
    @staticmethod
    def _read_meta(conn: Connection, key: str) -> str | None:
        value: str | None = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()
        return value


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


def _device(row: Any) -> Device:
    return Device(
        id=row.id, name=row.name, grids=list(row.grids), revoked=bool(row.revoked), created_at=row.created_at
    )


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
    texts = [op.op_id, op.entity, op.record_id, op.grid_id or "", op.actor, *moved_to]
    if any(isinstance(t, str) and _NUL in t for t in texts):
        return REASON_UNSTORABLE
    return None


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


def _conflict_reason(info: EntityInfo, record: _Record, fields: Iterable[str]) -> str:
    labels = "、".join(f"“{info.fields.get(name, name)}”" for name in sorted(fields))
    what = f"的{labels}已被改成别的值" if labels else "已被改动"
    who = record.changed_by or "他人"
    return (
        f"服务器上这条{info.label}记录{what}（最近由 {who} 修改），与本机的修改不一致，请核对后决定保留哪一个"
    )


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
