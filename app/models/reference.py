"""Reference data the township publishes: code tables, holiday calendar, deadline rules; and attachments."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, label


class CodeEntry(Synced, Base):
    """One code of a code table (GB/T 31000, GB/T 2261, GB/T 3304 … and local tables)."""

    __tablename__ = "code_entry"
    __record_label__ = "代码"

    table: Mapped[str] = mapped_column(String(40), index=True, info=label("代码表"))
    code: Mapped[str] = mapped_column(String(16), info=label("代码"))
    name: Mapped[str] = mapped_column(String(100), info=label("名称"))
    sort_order: Mapped[int] = mapped_column(Integer, default=0, info=label("排序"))


class CalendarDay(Synced, Base):
    """A public holiday or a make-up working day (调休) of the working-day calendar."""

    __tablename__ = "calendar_day"
    __record_label__ = "节假日"

    day: Mapped[date] = mapped_column(Date, unique=True, info=label("日期"))
    is_workday: Mapped[bool] = mapped_column(Boolean, info=label("是否上班"))
    name: Mapped[str] = mapped_column(String(32), default="", info=label("名称"))


class CalendarYear(Synced, Base):
    """A year whose holiday arrangement has been published (国务院办公厅通知); ``source`` says by whom."""

    __tablename__ = "calendar_year"
    __record_label__ = "节假日年度"

    year: Mapped[int] = mapped_column(Integer, unique=True, info=label("年度"))
    source: Mapped[str] = mapped_column(String(32), default="bundled", info=label("来源"))


class DeadlineRule(Synced, Base):
    """Working days allowed to handle an event of a category (限时办理), configurable by the township."""

    __tablename__ = "deadline_rule"
    __record_label__ = "办理时限"

    category: Mapped[str] = mapped_column(String(16), unique=True, info=label("事件类别"))
    working_days: Mapped[int] = mapped_column(Integer, info=label("办理时限（工作日）"))


class Attachment(Synced, Base):
    """A file attached to a record (photo, scanned form), content-addressed by SHA-256."""

    __tablename__ = "attachment"
    __record_label__ = "附件"

    owner_kind: Mapped[str] = mapped_column(String(32), info=label("所属记录类型"))
    owner_id: Mapped[str] = mapped_column(String(36), index=True, info=label("所属记录"))
    sha256: Mapped[str] = mapped_column(String(64), index=True, info=label("内容摘要"))
    filename: Mapped[str] = mapped_column(String(200), info=label("文件名"))
    mime: Mapped[str] = mapped_column(String(64), default="application/octet-stream", info=label("类型"))
    size: Mapped[int] = mapped_column(Integer, info=label("大小"))


class AttachmentBlob(Base):
    """The bytes of an attachment, stored once per SHA-256 inside the encrypted ledger."""

    __tablename__ = "attachment_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
