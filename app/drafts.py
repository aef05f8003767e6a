"""Drafts (草稿): what a form holds, kept in the encrypted ledger while it is typed, so nothing typed is lost.

A draft is written a second or two after each change, dropped in the same transaction as the save it becomes,
and offered again when the app next starts after a crash, a power cut or a closed window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import Draft
from app.writer import WriteTx


@dataclass(frozen=True)
class DraftRow:
    key: str
    kind: str
    record_id: str | None
    title: str
    state: dict[str, Any]
    context: dict[str, Any]
    saved_at: datetime


def keep_draft(
    tx: WriteTx,
    key: str,
    *,
    kind: str,
    record_id: str | None,
    title: str,
    state: dict[str, Any],
    context: dict[str, Any] | None = None,
) -> None:
    """Write (or overwrite) the draft under ``key``."""
    tx.session.merge(
        Draft(
            key=key,
            kind=kind,
            record_id=record_id,
            title=title[:200],
            state=state,
            context=context or {},
            actor=tx.actor,
            saved_at=tx.now,
        )
    )


def drop_draft(tx: WriteTx, key: str) -> None:
    tx.session.execute(delete(Draft).where(Draft.key == key))


def drafts(session: Session, actor: str | None = None) -> list[DraftRow]:
    """Drafts waiting, oldest first (only ``actor``'s when given: a shared laptop keeps each user's own)."""
    query = select(Draft).order_by(Draft.saved_at, Draft.key)
    if actor is not None:
        query = query.where(Draft.actor == actor)
    return [
        DraftRow(d.key, d.kind, d.record_id, d.title, dict(d.state), dict(d.context or {}), d.saved_at)
        for d in session.scalars(query)
    ]
