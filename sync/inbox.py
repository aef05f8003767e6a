"""The conflict inbox: changes the township server did not take, waiting for a person, and what the person decides.

An outbox operation the server answered ``conflict`` (the same field changed differently elsewhere) or
``rejected`` (not allowed, with a reason) waits here. For a conflict the person keeps this laptop's value, the
server's, or types a merged one; a rejection is acknowledged. Either way the operation leaves the inbox
(``resolved`` / ``dismissed``) and nothing saved on this laptop is lost: a choice that differs from the server is
written through the one write path (``WriteTx.update``), so it is queued as a new operation whose old values are
the server's, and the three-way merge on the server takes it.

Also the per-record badges of the household list: changes waiting to go (待上传) or waiting for a person (需处理).
Qt-free: the inbox window and tests use it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, String, Text, select, union_all, update
from sqlalchemy.orm import Session

from app import codes
from app.errors import LedgerError
from app.models import (
    ENTITY_BY_NAME,
    Errand,
    ErrandStep,
    Event,
    EventStep,
    Household,
    OutboxOp,
    Person,
    Staff,
    Synced,
)
from app.privacy import mask_id_number, mask_phone
from app.repositories import one_of
from app.rules import Lifecycle
from app.rules.errands import ERRAND_LIFECYCLE
from app.rules.events import EVENT_LIFECYCLE
from app.writer import WriteTx, field_columns, field_label, from_json, to_json

NEEDS_PERSON = ("conflict", "rejected")
"""Outbox states that wait in the inbox (sync.status counts the same ones)."""
RESOLVED = "resolved"
"""A conflict a person decided; whatever differed from the server went out as a new operation."""
DISMISSED = "dismissed"
"""A rejection a person acknowledged; the local record keeps what was saved."""
PENDING_BADGE, NEEDS_PERSON_BADGE = "pending", "needs_person"

KIND_TEXT = {"create": "新建", "update": "修改", "delete": "删除"}
_WORKFLOW_FIELDS: dict[type[Synced], tuple[Lifecycle[Any, Any], dict[str, str]]] = {
    Event: (EVENT_LIFECYCLE, {"state": "state"}),
    Errand: (ERRAND_LIFECYCLE, {"state": "state"}),
    EventStep: (EVENT_LIFECYCLE, {"action": "action", "from_state": "state", "to_state": "state"}),
    ErrandStep: (ERRAND_LIFECYCLE, {"action": "action", "from_state": "state", "to_state": "state"}),
}
"""Workflow states and actions stored as codes, by model and field: shown with their labels (处置完毕, not
``handled``)."""
EMPTY = "（空）"
_CHUNK = 500


class InboxError(LedgerError):
    """A choice that cannot be carried out (the change was already handled, or its record is gone)."""


@dataclass(frozen=True)
class FieldConflict:
    """One field of a conflicted change: this laptop's value and the township server's."""

    field: str
    label: str
    mine: Any
    """The value this laptop's user typed (as it travels: JSON)."""
    theirs: Any
    """The value the server has."""
    mine_text: str
    theirs_text: str
    mergeable: bool
    """Free text: the person may type a merged value."""


@dataclass(frozen=True)
class InboxItem:
    """A change waiting for a person, in words."""

    op_id: str
    state: str
    """conflict | rejected"""
    entity: str
    record_id: str
    record: str
    """The record named for people: 人员“单桂兰”, 户“李家村四组7号”."""
    kind: str
    """新建 | 修改 | 删除"""
    summary: str
    """The change as this laptop's user made it: 曾用名：单桂莲；职业：果农."""
    reason: str
    mine_by: str
    mine_at: datetime
    """When this laptop's user made the change (naive UTC)."""
    theirs_by: str
    theirs_at: datetime | None
    """Who last changed the record as this laptop has it from the server, and when it arrived here."""
    fields: tuple[FieldConflict, ...]

    @property
    def resolvable(self) -> bool:
        """A conflict with fields to choose between (keep mine / keep theirs / merge)."""
        return self.state == "conflict" and bool(self.fields)

    @property
    def mergeable(self) -> bool:
        return self.resolvable and all(f.mergeable for f in self.fields)


# -- reading ------------------------------------------------------------------------------------------
def inbox_items(session: Session) -> list[InboxItem]:
    """Every change waiting for a person, oldest first."""
    ops = session.scalars(
        select(OutboxOp).where(OutboxOp.state.in_(NEEDS_PERSON)).order_by(OutboxOp.seq)
    ).all()
    people = _staff_names(session, {op.actor for op in ops})
    return [_item(session, op, people) for op in ops]


def _item(session: Session, op: OutboxOp, people: Mapping[str, str]) -> InboxItem:
    model = ENTITY_BY_NAME.get(op.entity)
    record = session.get(model, op.record_id) if model is not None else None
    fields: list[FieldConflict] = []
    theirs_by, theirs_at = "", None
    if model is not None and op.state == "conflict":
        for name, theirs in server_values(op, record).items():
            mine = _mine(op, name)
            column = _column(model, name)
            fields.append(
                FieldConflict(
                    field=name,
                    label=field_label(model, name) if column is not None else name,
                    mine=mine,
                    theirs=theirs,
                    mine_text=value_text(session, model, name, mine),
                    theirs_text=value_text(session, model, name, theirs),
                    mergeable=_free_text(column),
                )
            )
        # Who and when only while this laptop's copy holds the server's values (a pull brought them); the
        # server's own who/when are in its reason.
        if record is not None and all(
            same_value(to_json(getattr(record, f.field)), f.theirs) for f in fields
        ):
            theirs_by = _who(session, record.updated_by, people)
            theirs_at = record.updated_at
    return InboxItem(
        op_id=op.op_id,
        state=op.state,
        entity=op.entity,
        record_id=op.record_id,
        record=record_name(record, model),
        kind=KIND_TEXT.get(op.kind, op.kind),
        summary=change_summary(session, model, op),
        reason=op.reason or "",
        mine_by=_who(session, op.actor, people),
        mine_at=op.created_at,
        theirs_by=theirs_by,
        theirs_at=theirs_at,
        fields=tuple(fields),
    )


def server_values(op: OutboxOp, record: Synced | None) -> dict[str, Any]:
    """Field → the server's value, for each field of a conflicted change a person must decide.

    The server names them in its answer. An edit of a record the server has deleted comes with no fields (nor
    the ``deleted`` flag): then the choice is whether the record stays deleted; likewise for a delete of a record
    changed on the server.
    """
    found = dict(op.conflicts or {})
    if op.kind == "delete":
        if not found:
            found["deleted"] = False
    elif "deleted" not in found and (not found or (record is not None and record.deleted)):
        found["deleted"] = True
    return found


def _mine(op: OutboxOp, name: str) -> Any:
    if name in op.changes:
        return op.changes[name][1]
    return False if name == "deleted" else None


def _column(model: type[Synced], name: str) -> Column[Any] | None:
    return field_columns(model).get(name)


def _free_text(column: Column[Any] | None) -> bool:
    return (
        column is not None
        and isinstance(column.type, String | Text)
        and not column.info.get("codes")
        and not column.foreign_keys
    )


def record_name(record: Synced | None, model: type[Synced] | None) -> str:
    """A record named for people: a person by name, a household by address, anything else by its kind."""
    if model is None:
        return "未知记录"
    if record is None:
        return f"{model.__record_label__}（本机无此记录）"
    if isinstance(record, Household):
        return f"户“{record.address or record.number}”"
    return record.describe()


def value_text(session: Session, model: type[Synced] | None, name: str, value: Any) -> str:
    """A field value in words: code labels, 是/否, linked records by name; sensitive numbers masked (PIPL)."""
    if _empty(value):
        return EMPTY
    column = _column(model, name) if model is not None else None
    if isinstance(value, bool):
        return "是" if value else "否"
    if column is None:
        return _plain(value)
    workflow = _WORKFLOW_FIELDS.get(model) if model is not None else None
    if workflow is not None and name in workflow[1] and isinstance(value, str):
        life, fields = workflow
        labels: Mapping[Any, str] = life.action_labels if fields[name] == "action" else life.state_labels
        return labels.get(value, value)
    if column.info.get("sensitive"):
        if name == "id_number":
            return mask_id_number(str(value))
        if name == "phone":
            return mask_phone(str(value))
        return "（敏感信息，不在此显示）"
    table = column.info.get("codes")
    if table:
        return codes.table(table).label(str(value)) or str(value)
    for key in column.foreign_keys:
        target = ENTITY_BY_NAME.get(key.column.table.name)
        linked = session.get(target, value) if target is not None else None
        if linked is not None:
            return record_name(linked, target)
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def change_summary(session: Session, model: type[Synced] | None, op: OutboxOp) -> str:
    if op.kind == "delete":
        return "删除这条记录"
    parts = [
        f"{field_label(model, name) if model is not None and _column(model, name) is not None else name}："
        f"{value_text(session, model, name, change[1])}"
        for name, change in op.changes.items()
        if name not in ("grid_id", "deleted") or op.kind != "create"
    ]
    text = "；".join(parts[:6]) + ("……" if len(parts) > 6 else "")
    return ("新建：" if op.kind == "create" else "") + text


def _staff_names(session: Session, logins: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(logins))
    if not wanted:
        return {}
    return dict(
        session.execute(select(Staff.login, Staff.name).where(Staff.login.in_(wanted))).tuples().all()
    )


def _who(session: Session, login: str, known: Mapping[str, str]) -> str:
    if not login:
        return "乡镇服务器"
    name = known.get(login) or _staff_names(session, [login]).get(login)
    return f"{name}（{login}）" if name and name != login else login


def local_time(moment: datetime | None) -> str:
    """A stored time (naive UTC) on this laptop's clock: 2025-05-12 10:42."""
    if moment is None:
        return ""
    return moment.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


# -- deciding -----------------------------------------------------------------------------------------
def keep_mine(tx: WriteTx, op_id: str) -> None:
    """This laptop's values win: they go to the server again, this time over the server's values."""
    op = _open(tx.session, op_id, "conflict")
    resolve(tx, op_id, {name: _mine(op, name) for name in server_values(op, _record(tx, op))})


def keep_theirs(tx: WriteTx, op_id: str) -> None:
    """The server's values win; the change's other fields, which the server had no quarrel with, still go."""
    op = _open(tx.session, op_id, "conflict")
    resolve(tx, op_id, server_values(op, _record(tx, op)))


def resolve(tx: WriteTx, op_id: str, chosen: Mapping[str, Any]) -> None:
    """Decide a conflict: ``chosen`` gives the value (as JSON) each conflicting field should have.

    In one transaction: the record first takes what the server has for the change's fields (``apply_remote``:
    no operation, the server has them), then the chosen values where they differ, through ``update`` — so the
    new operation's old values are the server's and its base version the server's. Fields a later change of
    this laptop's user (still pending) also touches are left to that change.
    """
    op = _open(tx.session, op_id, "conflict")
    model = ENTITY_BY_NAME.get(op.entity)
    record = _record(tx, op)
    if model is None or record is None:
        raise InboxError("本机找不到这条记录，无法按所选保留；请选择“知道了”或联系乡镇信息员。")
    conflicts = server_values(op, record)
    missing = sorted(set(conflicts) - set(chosen))
    if missing:
        raise ValueError(f"no choice for fields {missing}")
    # Fields of the change the server had no quarrel with: a create's are already the same there; an edit's
    # were not applied (a conflict leaves the whole change unapplied), so they go again over their old values.
    others = {} if op.kind == "create" else {n: c for n, c in op.changes.items() if n not in conflicts}
    server = {name: change[0] for name, change in others.items()} | conflicts
    wanted = {name: change[1] for name, change in others.items()} | {n: chosen[n] for n in conflicts}
    later = _later_pending_fields(tx.session, op)
    columns = field_columns(model)
    server = {n: v for n, v in server.items() if n in columns and n not in later}
    differ = {n: v for n, v in server.items() if not same_value(to_json(getattr(record, n)), v)}
    version = max(record.version, op.server_version or 0)
    if differ or version > record.version:
        tx.apply_remote(model, record.id, differ, version=version, changed_by=record.updated_by)
    values = {n: from_json(columns[n], wanted[n]) for n, v in server.items() if not same_value(wanted[n], v)}
    delete = values.get("deleted") is True
    if delete:
        del values["deleted"]  # a delete is its own kind of operation
    if values:
        tx.update(record, **values)
    if delete:
        tx.delete(record)
    _close(tx, op_id, RESOLVED)


def merge(tx: WriteTx, op_id: str, typed: Mapping[str, str]) -> None:
    """The person typed the value each conflicting (free-text) field should have."""
    resolve(tx, op_id, dict(typed))


def dismiss(tx: WriteTx, op_id: str) -> None:
    """Acknowledge a rejection. The record on this laptop stays as the rejection left it (what was saved; a
    rejected move's record and its step as the server has them: the state it holds, no step); nothing is sent
    again."""
    _open(tx.session, op_id, "rejected")
    _close(tx, op_id, DISMISSED)


def same_value(a: Any, b: Any) -> bool:
    """Values equal as the server merges them: empty ones ("" / None / [] / {}) alike, ``True`` is not ``1``."""
    if _empty(a) and _empty(b):
        return True
    return isinstance(a, bool) == isinstance(b, bool) and bool(a == b)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _open(session: Session, op_id: str, state: str) -> OutboxOp:
    op = session.scalar(select(OutboxOp).where(OutboxOp.op_id == op_id))
    if op is None or op.state != state:
        raise InboxError("这条修改已经处理过了（可能在另一个窗口或刚才的同步中），列表已刷新。")
    return op


def _record(tx: WriteTx, op: OutboxOp) -> Synced | None:
    model = ENTITY_BY_NAME.get(op.entity)
    return tx.session.get(model, op.record_id) if model is not None else None


def _later_pending_fields(session: Session, op: OutboxOp) -> set[str]:
    rows = session.scalars(
        select(OutboxOp.changes).where(
            OutboxOp.record_id == op.record_id, OutboxOp.state == "pending", OutboxOp.seq > op.seq
        )
    ).all()
    return {name for changes in rows for name in changes}


def _close(tx: WriteTx, op_id: str, state: str) -> None:
    tx.session.execute(update(OutboxOp).where(OutboxOp.op_id == op_id).values(state=state))


# -- badges -------------------------------------------------------------------------------------------
def household_badges(session: Session, household_ids: Sequence[str]) -> dict[str, str]:
    """Household id → ``needs_person`` or ``pending`` when the household or one of its members has changes
    waiting for a person or waiting to go; households with neither are left out.

    One query per 500 households (a page of the list is 200), each half using an index: the outbox by record
    id, people by household.
    """
    found: dict[str, str] = {}
    # ``state || ''``: the state index must not be used, or SQLite walks every waiting operation (all of them
    # after a big import) instead of the few of these households.
    waiting = (OutboxOp.state + "").in_(("pending", *NEEDS_PERSON))
    for start in range(0, len(household_ids), _CHUNK):
        ids = household_ids[start : start + _CHUNK]
        own = select(OutboxOp.record_id.label("household_id"), OutboxOp.state).where(
            one_of(OutboxOp.record_id, ids), waiting
        )
        members = (
            select(Person.household_id.label("household_id"), OutboxOp.state)
            .join(OutboxOp, OutboxOp.record_id == Person.id)
            .where(one_of(Person.household_id, ids), waiting)
        )
        rows: Sequence[Any] = session.execute(union_all(own, members)).all()
        for household_id, state in rows:
            badge = NEEDS_PERSON_BADGE if state in NEEDS_PERSON else PENDING_BADGE
            if found.get(household_id) != NEEDS_PERSON_BADGE:
                found[household_id] = badge
    return found
