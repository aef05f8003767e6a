"""Undo of the last save (撤销), where it is safe: the save's outbox operations reversed, newest first.

A save's transaction lists the outbox operations it wrote (``WriteTx.op_ids``). Undoing it writes the reverse of
each as new operations — a create becomes a delete (tombstone), an update sets the fields back, a delete restores
the record — so sync sends the undo like any change and no history is lost. It is refused when it would overwrite
something: the record changed since the save (locally or by a pulled change from someone else), or the township
did not take the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import LedgerError
from app.models import SYNCED_MODELS, OutboxOp, Person, Synced
from app.writer import WriteTx, entity_of, field_columns, from_json

__all__ = ["can_undo", "undo"]

_REFUSED_STATES = {"conflict": "与他人的修改冲突", "rejected": "被乡镇服务器拒收"}


def _model(entity: str) -> type[Synced] | None:
    for model in SYNCED_MODELS:
        if entity_of(model) == entity:
            return model
    return None


def _operations(session: Session, op_ids: Sequence[str]) -> list[OutboxOp]:
    if not op_ids:
        return []
    ops: list[OutboxOp] = []
    wanted = list(dict.fromkeys(op_ids))
    for start in range(0, len(wanted), 500):
        ops += session.scalars(select(OutboxOp).where(OutboxOp.op_id.in_(wanted[start : start + 500])))
    return sorted(ops, key=lambda op: op.seq)


def _problem(session: Session, op_ids: Sequence[str]) -> tuple[str | None, list[tuple[OutboxOp, Synced]]]:
    """Why the save cannot be undone (None if it can), and its operations with their records, oldest first."""
    if not op_ids:
        return "没有可撤销的保存。", []
    ops = _operations(session, op_ids)
    if len(ops) != len(set(op_ids)):
        return "这次保存的记录已不在待上传记录中，无法撤销。", []
    pairs: list[tuple[OutboxOp, Synced]] = []
    last: dict[tuple[str, str], OutboxOp] = {}
    for op in ops:
        model = _model(op.entity)
        record = session.get(model, op.record_id) if model is not None else None
        if record is None:
            return "这次保存的记录已不存在，无法撤销。", []
        if op.state in _REFUSED_STATES:
            return (
                f"不能撤销：对{record.describe()}的修改已{_REFUSED_STATES[op.state]}，请到同步收件箱处理。",
                [],
            )
        pairs.append((op, record))
        last[(op.entity, op.record_id)] = op
    for (_entity, record_id), op in last.items():
        record = next(r for o, r in pairs if o is op)
        expected = {op.base_version + 1}
        if op.state == "sent" and op.server_version:
            expected.add(op.server_version)
        later = session.scalar(
            select(OutboxOp.op_id).where(OutboxOp.record_id == record_id, OutboxOp.seq > op.seq).limit(1)
        )
        if later is not None or record.version not in expected:
            who = record.updated_by if record.updated_by and record.updated_by != op.actor else ""
            by = f"已被 {who} 修改" if who else "在这次保存之后又被修改过"
            return f"不能撤销：{record.describe()}{by}，撤销会覆盖这些修改。请直接在记录上改回。", []
        if op.kind == "delete" and isinstance(record, Person) and record.id_number:
            taken = session.scalar(
                select(Person.name).where(
                    Person.id_number == record.id_number, Person.live(), Person.id != record.id
                )
            )
            if taken is not None:
                return (
                    f"不能撤销：{record.describe()}的身份证号已登记给“{taken}”，恢复后会重复。",
                    [],
                )
    return None, pairs


def can_undo(session: Session, op_ids: Sequence[str]) -> str | None:
    """None if the save that wrote ``op_ids`` can be undone safely, else the reason in Chinese."""
    problem, _pairs = _problem(session, op_ids)
    return problem


def undo(tx: WriteTx, op_ids: Sequence[str]) -> list[str]:
    """Reverse the operations ``op_ids`` of one save, newest first, as new outbox operations (``tx.op_ids``).

    Raises ``LedgerError`` with the reason when it is not safe (see ``can_undo``). Returns the ids of the
    records touched.
    """
    problem, pairs = _problem(tx.session, op_ids)
    if problem is not None:
        raise LedgerError(problem)
    touched: list[str] = []
    for op, record in reversed(pairs):
        if op.kind == "create":
            tx.delete(record)
        elif op.kind == "delete":
            tx.update(record, deleted=False)
        else:
            columns = field_columns(type(record))
            values: dict[str, Any] = {
                name: from_json(columns[name], change[0])
                for name, change in op.changes.items()
                if name in columns
            }
            tx.update(record, **values)
        if record.id not in touched:
            touched.append(record.id)
    return touched
