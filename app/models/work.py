"""The grid's daily work: 民情日志, events and their handling, 排查 inspection rounds, meetings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, label


class SentimentLog(Synced, Base):
    """A 民情日志 entry: whom the staff member visited, what they heard, and whether it needs follow-up."""

    __tablename__ = "sentiment_log"
    __record_label__ = "民情日志"

    staff_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("staff.id"), info=label("记录人"))
    logged_on: Mapped[date] = mapped_column(Date, index=True, info=label("日期"))
    visited: Mapped[str] = mapped_column(String(200), default="", info=label("走访对象"))
    person_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("person.id"), info=label("走访人员"))
    category: Mapped[str] = mapped_column(
        String(16), default="other", info=label("民情类别", codes="SentimentCategory")
    )
    content: Mapped[str] = mapped_column(Text, info=label("民情内容"))
    needs_follow_up: Mapped[bool] = mapped_column(Boolean, default=False, info=label("需跟进"))
    event_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("event.id"), info=label("转办事件"))


class Event(Synced, Base):
    """An event (事件): dispute, hazard, request or incident, with its response workflow and deadline."""

    __tablename__ = "event"
    __record_label__ = "事件"

    title: Mapped[str] = mapped_column(String(100), info=label("事件标题"))
    description: Mapped[str] = mapped_column(Text, default="", info=label("事件描述"))
    type_code: Mapped[str] = mapped_column(String(4), default="", info=label("事件类型", codes="EventType"))
    category: Mapped[str] = mapped_column(
        String(16), default="default", info=label("事件类别", codes="EventCategory")
    )
    scale: Mapped[str] = mapped_column(String(2), default="01", info=label("事件规模", codes="EventsScale"))
    place_text: Mapped[str] = mapped_column(String(200), default="", info=label("发生地点"))
    place_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("place.id"), info=label("关联场所"))
    occurred_on: Mapped[date] = mapped_column(Date, info=label("发生日期"))
    reporter_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("staff.id"), info=label("上报人"))
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True, info=label("办理状态"))
    immediate: Mapped[bool] = mapped_column(Boolean, default=False, info=label("即时办结"))
    accepted_on: Mapped[date | None] = mapped_column(Date, info=label("受理日期"))
    deadline: Mapped[date | None] = mapped_column(Date, index=True, info=label("办理期限"))
    deadline_estimated: Mapped[bool] = mapped_column(Boolean, default=False, info=label("期限为估算"))
    extension_days: Mapped[int] = mapped_column(Integer, default=0, info=label("延期天数"))
    urge_count: Mapped[int] = mapped_column(Integer, default=0, info=label("催办次数"))
    supervise_count: Mapped[int] = mapped_column(Integer, default=0, info=label("督办次数"))
    handled_on: Mapped[date | None] = mapped_column(Date, info=label("处置完毕日期"))
    closed_on: Mapped[date | None] = mapped_column(Date, info=label("结案日期"))
    feedback: Mapped[str] = mapped_column(Text, default="", info=label("反馈结果"))
    satisfaction: Mapped[str] = mapped_column(String(8), default="", info=label("满意度"))


class EventParty(Synced, Base):
    """A person involved in an event (当事人), linked to the ledger where known."""

    __tablename__ = "event_party"
    __record_label__ = "事件当事人"

    event_id: Mapped[str] = mapped_column(String(36), ForeignKey("event.id"), index=True, info=label("事件"))
    person_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("person.id"), info=label("人员"))
    name: Mapped[str] = mapped_column(String(64), info=label("姓名"))
    role: Mapped[str] = mapped_column(String(16), default="当事人", info=label("角色"))


class EventStep(Synced, Base):
    """A handling record of an event (处置记录): one workflow move with its note. Append-only."""

    __tablename__ = "event_step"
    __record_label__ = "事件处置记录"

    event_id: Mapped[str] = mapped_column(String(36), ForeignKey("event.id"), index=True, info=label("事件"))
    action: Mapped[str] = mapped_column(String(16), info=label("操作"))
    from_state: Mapped[str] = mapped_column(String(16), info=label("原状态"))
    to_state: Mapped[str] = mapped_column(String(16), info=label("新状态"))
    acted_on: Mapped[date] = mapped_column(Date, info=label("日期"))
    note: Mapped[str] = mapped_column(Text, default="", info=label("说明"))


class InspectionRound(Synced, Base):
    """A half-monthly 排查 round (1st–15th or 16th–end) of one grid, with its focus."""

    __tablename__ = "inspection_round"
    __record_label__ = "排查轮次"

    period_start: Mapped[date] = mapped_column(Date, index=True, info=label("开始日期"))
    period_end: Mapped[date] = mapped_column(Date, info=label("结束日期"))
    focus: Mapped[str] = mapped_column(String(200), default="", info=label("排查重点"))


class InspectionVisit(Synced, Base):
    """One visit of an inspection round to a target (rental housing, floating person, key person, place)."""

    __tablename__ = "inspection_visit"
    __record_label__ = "排查走访"

    round_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("inspection_round.id"), index=True, info=label("排查轮次")
    )
    target_kind: Mapped[str] = mapped_column(String(16), info=label("排查对象类型", codes="InspectionTarget"))
    target_id: Mapped[str] = mapped_column(String(36), info=label("排查对象"))
    visited_on: Mapped[date] = mapped_column(Date, info=label("走访日期"))
    findings: Mapped[str] = mapped_column(Text, default="", info=label("发现情况"))
    has_hazard: Mapped[bool] = mapped_column(Boolean, default=False, info=label("发现隐患"))
    event_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("event.id"), info=label("转办事件"))


class Meeting(Synced, Base):
    """A 民情分析研判会 or monthly 联系会议: date, attendees, minutes, decisions."""

    __tablename__ = "meeting"
    __record_label__ = "会议"

    kind: Mapped[str] = mapped_column(String(16), info=label("会议类型", codes="MeetingKind"))
    held_on: Mapped[date] = mapped_column(Date, index=True, info=label("会议日期"))
    title: Mapped[str] = mapped_column(String(100), info=label("会议主题"))
    attendees: Mapped[str] = mapped_column(Text, default="", info=label("参会人员"))
    minutes: Mapped[str] = mapped_column(Text, default="", info=label("会议纪要"))
    decisions: Mapped[str] = mapped_column(Text, default="", info=label("议定事项"))


class MeetingEvent(Synced, Base):
    """A decision of a meeting linked to an event."""

    __tablename__ = "meeting_event"
    __record_label__ = "会议关联事件"

    meeting_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("meeting.id"), index=True, info=label("会议")
    )
    event_id: Mapped[str] = mapped_column(String(36), ForeignKey("event.id"), index=True, info=label("事件"))
