"""The grid's daily work: 民情日志, events and their response workflow, 排查 rounds and visits, meetings."""

from __future__ import annotations

import calendar as _cal
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from app.errors import ValidationError
from app.models import (
    Event,
    EventParty,
    EventStep,
    GridNode,
    InspectionRound,
    InspectionVisit,
    Meeting,
    MeetingEvent,
    SentimentLog,
)
from app.rules import events as rules
from app.services.common import grid_leaf, live, require_text
from app.services.reference import deadline_rules, load_calendar
from app.writer import WriteTx


# -- 民情日志 ---------------------------------------------------------------------------------------------
def write_log(tx: WriteTx, *, grid_id: str, logged_on: date, content: str, **values: Any) -> SentimentLog:
    record = f"{logged_on.isoformat()} 的民情日志"
    content = require_text(SentimentLog, "content", content, record, max_length=4000)
    if logged_on > tx.now.date():
        raise ValidationError("logged_on", "日期", "民情日志不能记在今天以后，请核对日期。", record)
    return tx.create(
        SentimentLog(
            grid_id=grid_leaf(tx, grid_id, record).id, logged_on=logged_on, content=content, **values
        )
    )


def log_to_event(tx: WriteTx, log: SentimentLog, *, title: str, **values: Any) -> Event:
    """Turn a log entry that needs follow-up into an event (draft), linked both ways."""
    event = _event_from(tx, log.grid_id, log.logged_on, log.content, title, values)
    tx.update(log, event_id=event.id, needs_follow_up=True)
    return event


def _event_from(
    tx: WriteTx, grid_id: str | None, day: date, description: str, title: str, values: dict[str, Any]
) -> Event:
    """A draft event opened from something a grid worker recorded (a log entry, an inspection finding)."""
    return report_event(
        tx, grid_id=grid_id or "", title=title, occurred_on=day, description=description, **values
    )


# -- 事件 -------------------------------------------------------------------------------------------------
def report_event(
    tx: WriteTx,
    *,
    grid_id: str,
    title: str,
    occurred_on: date,
    parties: Sequence[dict[str, Any]] = (),
    **values: Any,
) -> Event:
    """Record a new event as a draft (草稿), with the people involved."""
    record = f"事件“{title}”"
    title = require_text(Event, "title", title, record)
    event = tx.create(
        Event(grid_id=grid_leaf(tx, grid_id, record).id, title=title, occurred_on=occurred_on, **values)
    )
    for party in parties:
        name = require_text(EventParty, "name", party.get("name"), record)
        tx.create(EventParty(event_id=event.id, grid_id=event.grid_id, **(party | {"name": name})))
    return event


def act_on_event(
    tx: WriteTx,
    event: Event,
    action: rules.EventAction | str,
    *,
    on: date,
    note: str = "",
    extension_days: int = 0,
    feedback: str = "",
    satisfaction: str = "",
) -> Event:
    """Move an event through its workflow; the move is checked against the state graph and kept as a step."""
    act = rules.EVENT_LIFECYCLE.parse_action(action)
    new = rules.next_state(event.state, act)
    record = f"事件“{event.title}”"
    changes: dict[str, Any] = {"state": new.value}
    calendar = load_calendar(tx.session)
    table = deadline_rules(tx.session)
    if act is rules.EventAction.ACCEPT:
        due = rules.event_deadline(on, event.category, table, calendar)
        changes |= {"accepted_on": on, "deadline": due.day, "deadline_estimated": due.estimated}
    elif act is rules.EventAction.RESOLVE_AT_ONCE:
        changes |= {"immediate": True, "handled_on": on, "deadline": on, "deadline_estimated": False}
    elif act is rules.EventAction.EXTEND:
        if extension_days <= 0:
            raise ValidationError("extension_days", "延期天数", "请填写要延长的工作日数。", record)
        total = event.extension_days + extension_days
        due = rules.event_deadline(
            event.accepted_on or on, event.category, table, calendar, extension_days=total
        )
        changes |= {"extension_days": total, "deadline": due.day, "deadline_estimated": due.estimated}
    elif act is rules.EventAction.FINISH:
        changes |= {"handled_on": on}
    elif act is rules.EventAction.CLOSE:
        changes |= {"closed_on": on}
    elif act is rules.EventAction.REVISIT:
        if not satisfaction:
            raise ValidationError("satisfaction", "满意度", "回访时请记录群众的满意度。", record)
        changes |= {"satisfaction": satisfaction, "feedback": feedback or event.feedback}
    if act is rules.EventAction.RETURN and not note.strip():
        raise ValidationError("note", "退回原因", "退回时请写明原因，便于上报人修改。", record)
    old = event.state
    tx.update(event, **changes)
    tx.create(
        EventStep(event_id=event.id, action=act.value, from_state=old, to_state=new.value, acted_on=on, note=note,
                  grid_id=event.grid_id)
    )  # fmt: skip
    return event


def press_event(tx: WriteTx, event: Event, *, supervise: bool, on: date, note: str = "") -> Event:
    """催办 (urge) or 督办 (supervise) an event that is being handled: counted, and kept as a step."""
    if event.state not in (rules.EventState.ACCEPTED, rules.EventState.IN_PROGRESS):
        label = rules.STATE_LABELS[rules.EventState(event.state)]
        raise ValidationError(
            "state",
            "办理状态",
            f"事件当前为“{label}”，只有受理后、办结前才能催办督办。",
            f"事件“{event.title}”",
        )
    field = "supervise_count" if supervise else "urge_count"
    tx.update(event, **{field: getattr(event, field) + 1})
    tx.create(
        EventStep(event_id=event.id, action="supervise" if supervise else "urge", from_state=event.state,
                  to_state=event.state, acted_on=on, note=note, grid_id=event.grid_id)
    )  # fmt: skip
    return event


# -- 排查 --------------------------------------------------------------------------------------------------
def half_month(day: date) -> tuple[date, date]:
    """The half-month period containing ``day``: the 1st–15th or the 16th–end of the month."""
    if day.day <= 15:
        return day.replace(day=1), day.replace(day=15)
    return day.replace(day=16), day.replace(day=_cal.monthrange(day.year, day.month)[1])


def open_round(tx: WriteTx, *, grid_id: str, day: date, focus: str = "") -> InspectionRound:
    """The inspection round of ``grid_id`` for the half month of ``day`` (made if it does not exist yet)."""
    start, end = half_month(day)
    grid = grid_leaf(tx, grid_id, f"{start.isoformat()} 排查")
    existing = tx.session.scalar(
        select(InspectionRound).where(
            InspectionRound.grid_id == grid.id,
            InspectionRound.period_start == start,
            InspectionRound.deleted.is_(False),
        )
    )
    if existing is not None:
        if focus and focus != existing.focus:
            tx.update(existing, focus=focus)
        return existing
    return tx.create(InspectionRound(grid_id=grid.id, period_start=start, period_end=end, focus=focus))


def record_visit(
    tx: WriteTx,
    inspection: InspectionRound,
    *,
    target_kind: str,
    target_id: str,
    visited_on: date,
    **values: Any,
) -> InspectionVisit:
    record = f"{inspection.period_start.isoformat()} 起的排查"
    if not inspection.period_start <= visited_on <= inspection.period_end:
        raise ValidationError(
            "visited_on", "走访日期",
            f"{visited_on.isoformat()} 不在本轮排查期间（{inspection.period_start}～{inspection.period_end}）内。", record,
        )  # fmt: skip
    return tx.create(
        InspectionVisit(round_id=inspection.id, target_kind=target_kind, target_id=target_id, visited_on=visited_on,
                        grid_id=inspection.grid_id, **values)
    )  # fmt: skip


def visit_to_event(tx: WriteTx, visit: InspectionVisit, *, title: str, **values: Any) -> Event:
    """A finding of a visit opens an event (draft), linked to the visit."""
    event = _event_from(tx, visit.grid_id, visit.visited_on, visit.findings, title, values)
    tx.update(visit, event_id=event.id, has_hazard=True)
    return event


# -- 会议 --------------------------------------------------------------------------------------------------
def record_meeting(
    tx: WriteTx,
    *,
    grid_id: str,
    kind: str,
    held_on: date,
    title: str,
    event_ids: Sequence[str] = (),
    **values: Any,
) -> Meeting:
    record = f"会议“{title}”"
    meeting = tx.create(
        Meeting(grid_id=live(tx, GridNode, grid_id, "grid_id", record).id, kind=kind, held_on=held_on,
                title=require_text(Meeting, "title", title, record), **values)
    )  # fmt: skip
    for event_id in event_ids:
        event = live(tx, Event, event_id, "event_id", record)
        tx.create(MeetingEvent(meeting_id=meeting.id, event_id=event.id, grid_id=meeting.grid_id))
    return meeting
