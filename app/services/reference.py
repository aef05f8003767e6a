"""Reference data: code tables, the holiday calendar and event deadline rules.

A new ledger is seeded from what the program bundles (resources/codes, the chinesecalendar package, the seed's
deadline rules); the township publishes updates through sync and an administrator can edit the calendar here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import codes
from app.errors import ValidationError
from app.models import CalendarDay, CalendarYear, CodeEntry, DeadlineRule
from app.rules.events import HARD_CASE_WORKING_DAYS, MAX_WORKING_DAYS, ORDINARY_WORKING_DAYS
from app.workdays import SpecialDay, WorkCalendar, bundled_special_days, bundled_years
from app.writer import WriteTx

DEFAULT_DEADLINES = {
    "default": ORDINARY_WORKING_DAYS,
    "dispute": ORDINARY_WORKING_DAYS,
    "hazard": 2,
    "request": ORDINARY_WORKING_DAYS,
    "incident": 1,
    "hard": HARD_CASE_WORKING_DAYS,
}
"""Working days per local event category (EventCategory): 2–3 ordinary, 7 for hard cases (seed practice)."""


REFERENCE_NAMESPACE = uuid.UUID("5c1d7f0e-6f4b-4d8e-9a57-8b2f3c1e0a61")


def reference_id(kind: str, key: object) -> str:
    """The fixed id of a bundled reference row (UUIDv5 of its natural key): the same on every laptop and on the
    server, so a table the township publishes later updates these rows instead of adding twins."""
    return str(uuid.uuid5(REFERENCE_NAMESPACE, f"{kind}:{key}"))


def seed_reference_data(tx: WriteTx) -> None:
    """Fill a new ledger with the bundled code tables, holiday calendar and deadline rules.

    Every laptop has the same rows under the same ids, so they are not sent (``send=False``).
    """
    code_rows = [
        {"id": reference_id("code", f"{c.table}:{c.code}"), "table": c.table, "code": c.code, "name": c.name,
         "sort_order": c.order}
        for t in codes.bundled_tables().values()
        for c in t.codes
    ]  # fmt: skip
    day_rows = [
        {
            "id": reference_id("day", d.day.isoformat()),
            "day": d.day,
            "is_workday": d.is_workday,
            "name": d.name,
        }
        for d in bundled_special_days()
    ]
    year_rows = [
        {"id": reference_id("year", y), "year": y, "source": "chinesecalendar"}
        for y in sorted(bundled_years())
    ]
    rule_rows = [
        {"id": reference_id("deadline", c), "category": c, "working_days": n}
        for c, n in DEFAULT_DEADLINES.items()
    ]
    for model, rows in ((CodeEntry, code_rows), (CalendarDay, day_rows), (CalendarYear, year_rows),
                        (DeadlineRule, rule_rows)):  # fmt: skip
        tx.create_many(model, rows, send=False)


def load_calendar(session: Session) -> WorkCalendar:
    """The working-day calendar as this ledger has it (bundled, plus what the township published or an admin set)."""
    days = session.execute(
        select(CalendarDay.day, CalendarDay.is_workday, CalendarDay.name).where(
            CalendarDay.deleted.is_(False)
        )
    ).all()
    years = session.scalars(select(CalendarYear.year).where(CalendarYear.deleted.is_(False))).all()
    return WorkCalendar((SpecialDay(d, w, n) for d, w, n in days), years)


def deadline_rules(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(DeadlineRule.category, DeadlineRule.working_days).where(DeadlineRule.deleted.is_(False))
    ).all()
    return {c: n for c, n in rows}


def set_calendar_day(tx: WriteTx, day: date, is_workday: bool, name: str = "") -> CalendarDay:
    """Mark ``day`` a holiday or a make-up working day (administrator's edit, or the township's publication)."""
    existing = tx.session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    if existing is None:
        return tx.create(
            CalendarDay(id=reference_id("day", day.isoformat()), day=day, is_workday=is_workday, name=name)
        )
    tx.update(existing, is_workday=is_workday, name=name, deleted=False)
    return existing


def clear_calendar_day(tx: WriteTx, day: date) -> None:
    """Make ``day`` an ordinary day again (weekday works, weekend rests)."""
    existing = tx.session.scalar(
        select(CalendarDay).where(CalendarDay.day == day, CalendarDay.deleted.is_(False))
    )
    if existing is not None:
        tx.delete(existing)


def publish_calendar_year(
    tx: WriteTx, year: int, days: Iterable[SpecialDay], source: str = "township"
) -> None:
    """Publish a year's holiday arrangement: its special days, and the year marked published (no longer estimated)."""
    listed = list(days)
    for d in listed:
        if d.day.year != year:
            raise ValidationError(
                "day", "日期", f"{d.day.isoformat()} 不属于 {year} 年，请核对。", f"{year} 年节假日安排"
            )
        set_calendar_day(tx, d.day, d.is_workday, d.name)
    existing = tx.session.scalar(select(CalendarYear).where(CalendarYear.year == year))
    if existing is None:
        tx.create(CalendarYear(id=reference_id("year", year), year=year, source=source))
    else:
        tx.update(existing, source=source, deleted=False)


def set_deadline_rule(tx: WriteTx, category: str, working_days: int) -> DeadlineRule:
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise ValidationError(
            "working_days",
            "办理时限（工作日）",
            f"应在 1 到 {MAX_WORKING_DAYS} 之间，现在是 {working_days}。",
            f"“{category}”类事件",
        )
    existing = tx.session.scalar(select(DeadlineRule).where(DeadlineRule.category == category))
    if existing is None:
        return tx.create(
            DeadlineRule(id=reference_id("deadline", category), category=category, working_days=working_days)
        )
    tx.update(existing, working_days=working_days, deleted=False)
    return existing
