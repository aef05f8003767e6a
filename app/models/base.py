"""Declarative base and the columns every synced record carries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, ColumnElement, DateTime, ForeignKey, Integer, MetaData, String, literal_column
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from app.ids import uuid7

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now in UTC, naive (SQLite keeps no zone; every stored time is UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_stored(moment: datetime) -> datetime:
    """A time as the ledger stores it: naive UTC (an aware time, as the protocol sends it, is converted)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def label(
    text: str, *, sensitive: bool = False, identity: bool = False, codes: str | None = None
) -> dict[str, Any]:
    """Column info: the Chinese field label used in messages, audit and UI.

    ``sensitive`` marks PIPL-sensitive data (audit records the field, never the value);
    ``identity`` marks fields that sync always sends to a person on conflict;
    ``codes`` names the code table (app.codes) whose codes are the only values the write path accepts.
    """
    return {"label": text, "sensitive": sensitive, "identity": identity, "codes": codes}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Synced:
    """Mixin for every record that syncs: client UUIDv7, version, who/when, tombstone, owning grid.

    ``__record_label__`` names the kind of record in Chinese (户, 人员 …) for messages.
    """

    __record_label__: ClassVar[str] = "记录"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=uuid7)
    version: Mapped[int] = mapped_column(Integer, default=1, info=label("版本"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, info=label("创建时间"))
    created_by: Mapped[str] = mapped_column(String(64), default="", info=label("创建人"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, info=label("更新时间"))
    updated_by: Mapped[str] = mapped_column(String(64), default="", info=label("更新人"))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, info=label("已删除"))

    @declared_attr
    def grid_id(cls) -> Mapped[str | None]:
        return mapped_column(String(36), ForeignKey("grid_node.id"), index=True, info=label("所属网格"))

    @classmethod
    def live(cls) -> ColumnElement[bool]:
        """``deleted = 0`` written as a literal, so SQLite can use partial indexes kept for live records."""
        return cls.deleted == literal_column("0")

    def describe(self) -> str:
        """A short Chinese description naming this record, for messages ("人员 张三")."""
        name = getattr(self, "name", None) or getattr(self, "title", None) or getattr(self, "number", None)
        return f"{self.__record_label__}“{name}”" if name else self.__record_label__


BOOKKEEPING = frozenset({"id", "version", "created_at", "created_by", "updated_at", "updated_by"})
"""Columns the write path maintains itself; never part of an operation's field changes."""
