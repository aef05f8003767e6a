"""Tables the write path keeps beside the records: the sync outbox, the audit log and the search keys; and the
local bookkeeping that never syncs (drafts, attachment downloads under way)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class OutboxOp(Base):
    """One operation waiting to be pushed to the township: a record created, changed or deleted.

    ``changes`` maps each changed field to ``[old, new]`` (JSON values); ``base_version`` is the record's version
    before this change (0 for a create), so the server can merge three ways.
    """

    __tablename__ = "outbox_op"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String(36), unique=True)
    entity: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    grid_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(8))  # create | update | delete
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    """pending → sent (applied or duplicate) | conflict | rejected, as the server answered."""
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    server_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    conflicts: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class SyncState(Base):
    """What this laptop knows of the township server: enrolment, the pull cursor and epoch, last sync.

    The cursor is written in the same transaction as the pulled rows it covers.
    """

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class AuditEntry(Base):
    """Who did what to which record, when. Sensitive fields are named, their values never stored here."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete | view | export
    entity: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(String(200), default="")


class SearchKey(Base):
    """A search key of a person: prefixes of these keys find people (see app.search).

    ``key`` starts with a one-letter kind — ``n`` name suffix, ``i`` pinyin initials, ``p`` pinyin from a
    syllable on, ``d`` reversed ID number — then ``:`` and the text. Phones and addresses live in FTS5.
    """

    __tablename__ = "search_key"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy reads it once

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


class Draft(Base):
    """A form being typed (草稿), kept every few seconds so a crash or power cut loses nothing. Never synced.

    ``key`` is ``kind:record id`` for an edit, ``kind:new:uuid`` for a record not saved yet; ``state`` is what the
    form holds (its own JSON shape), ``context`` what the form was opened with (e.g. the grid of a new household).
    """

    __tablename__ = "draft"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class BlobPart(Base):
    """A piece of an attachment's file still downloading (续传), kept in the encrypted ledger: a download cut off
    goes on from the bytes held here on the next sync, and the bytes never lie on disk outside the ledger. Never
    synced. One row per piece as it arrived (``start``: where it begins); the pieces of a file run on from 0 without
    gaps. Dropped in the transaction that stores the whole file, or when the whole does not hash to ``sha256``.
    """

    __tablename__ = "blob_part"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    start: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(Integer)
    """The whole file's size, as the server gave it."""
    data: Mapped[bytes] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
