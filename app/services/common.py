"""Checks several services share: required text, existing grid, live record lookups."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select

from app.errors import ValidationError
from app.models import GridNode, Synced
from app.writer import WriteTx, field_label

R = TypeVar("R", bound=Synced)


def require_text(
    model: type[Synced], field: str, value: Any, record: str = "", *, max_length: int = 0
) -> str:
    """``value`` stripped; refuses empty or over-long text with a message naming the field."""
    text = "" if value is None else str(value).strip()
    label = field_label(model, field)
    if not text:
        raise ValidationError(field, label, "不能为空，请填写。", record)
    length = max_length or getattr(model.__table__.columns[field].type, "length", 0) or 0  # type: ignore[attr-defined]
    if length and len(text) > length:
        raise ValidationError(field, label, f"最多 {length} 个字，现在是 {len(text)} 个字，请精简。", record)
    return text


def live(tx: WriteTx, model: type[R], record_id: str | None, field: str, record: str = "") -> R:
    """The live (not deleted) record ``record_id`` of ``model``; a missing one names the field that pointed to it."""
    found = tx.session.get(model, record_id) if record_id else None
    if found is None or found.deleted:
        noun = model.__record_label__
        raise ValidationError(
            field, _field_label(field, noun), f"找不到该{noun}（可能已被删除），请重新选择。", record
        )
    return found


def _field_label(field: str, default: str) -> str:
    """The Chinese label of a reference field (``parent_id`` → 上级节点), from whichever model declares it."""
    from app.models import SYNCED_MODELS

    for model in SYNCED_MODELS:
        column = model.__table__.columns.get(field)  # type: ignore[attr-defined]
        if column is not None and column.info.get("label"):
            return str(column.info["label"])
    return default


def grid_leaf(tx: WriteTx, grid_id: str | None, record: str = "") -> GridNode:
    """The grid (leaf of the tree) a record is put in; a township or village node is refused."""
    known: GridNode | None = tx.memo.get(("grid_leaf", grid_id))
    if known is not None:
        return known
    node = live(tx, GridNode, grid_id, "grid_id", record)
    has_children = tx.session.scalar(
        select(GridNode.id).where(GridNode.parent_id == node.id, GridNode.deleted.is_(False)).limit(1)
    )
    if has_children:
        raise ValidationError(
            "grid_id", "所属网格", f"“{node.name}”不是最末一级网格，请选择其下的具体网格。", record
        )
    tx.memo[("grid_leaf", grid_id)] = node
    return node
