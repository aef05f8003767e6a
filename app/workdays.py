"""Chinese working-day calendar (工作日): weekends, public holidays and make-up working days (调休).

Deadlines in the ledger count working days: an event's 限时办理 period, an errand's return on the second working day
after completion. This module is pure: the storage layer feeds a :class:`WorkCalendar` the special days and the
published years from the township's reference data; :func:`bundled_calendar` builds one from the PyPI package
``chinesecalendar`` (import name ``chinese_calendar``), the default shipped with the app.

Published and unpublished years
    The State Council publishes each year's holiday arrangement (国务院办公厅关于某年部分节假日安排的通知) late in
    the previous year. For a *published* year the calendar knows every holiday and every 调休 working day; any other
    day is a working day from Monday to Friday. For a year nobody has published yet (``chinesecalendar`` stops at
    2026, for instance), the calendar still answers, but only from weekends plus the fixed-date statutory holidays
    (元旦 1 Jan; 劳动节 1–2 May; 国庆节 1–3 Oct). It does not know the lunar holidays (春节, 清明节, 端午节, 中秋节)
    nor how days are swapped around them, so an answer that walks over such a year is flagged ``estimated`` and
    the user must be warned (see :attr:`WorkdayResult.warning`). Special days entered for an unpublished year (say an
    administrator typed in the 2027 春节 before marking the year published) are used on top of the estimate.

    劳动节 has been two statutory days (1–2 May) since the 2025 revision of 全国年节及纪念日放假办法; 元旦 and
    国庆节 are unchanged.

Layering
    Later special days override earlier ones for the same date, so a township correction can be laid over the
    bundled days: ``WorkCalendar([*bundled_special_days(), *township_days], years)``.

No question about a date between 1900 and 2100 raises.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from app.errors import ValidationError

__all__ = [
    "ESTIMATED_FIXED_HOLIDAYS",
    "SpecialDay",
    "WorkCalendar",
    "WorkdayResult",
    "bundled_calendar",
    "bundled_special_days",
    "bundled_years",
    "estimate_warning",
]

#: Fixed-date statutory holidays used for a year nobody has published: (month, day) → name.
ESTIMATED_FIXED_HOLIDAYS: dict[tuple[int, int], str] = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class SpecialDay:
    """A day that breaks the Monday-to-Friday rule.

    A public holiday (``is_workday`` False, e.g. 国庆节 on a Monday) or a make-up working day (``is_workday`` True,
    usually a Saturday or Sunday, e.g. 2026-10-10 “国庆节调休”). A holiday that falls on a weekend may be listed too.
    """

    day: date
    is_workday: bool
    name: str


def estimate_warning(years: Iterable[int]) -> str:
    """The warning shown beside a date computed over years whose holiday arrangement is not published ("" if none)."""
    ys = sorted(set(years))
    if not ys:
        return ""
    listed = "、".join(f"{y}年" for y in ys)
    return (
        f"{listed}的节假日安排尚未发布，日期按周末和元旦、劳动节、国庆节估算，未计入春节、清明节、端午节、中秋节及调休，"
        "请在国务院公布安排后更新节假日表并核对日期"
    )


@dataclass(frozen=True)
class WorkdayResult:
    """A date counted in working days.

    ``estimated`` is True when any day counted over lies in a year whose holiday arrangement is not published;
    ``estimated_years`` lists those years in order.
    """

    day: date
    estimated: bool = False
    estimated_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str:
        """Chinese warning to show beside the date when it is an estimate, else ""."""
        return estimate_warning(self.estimated_years)


class WorkCalendar:
    """Working-day calendar from special days (holidays and 调休 days) and the set of published years.

    Immutable once built; cheap to query. See the module docstring for how unpublished years are estimated.
    """

    __slots__ = ("_published", "_special")

    def __init__(self, special_days: Iterable[SpecialDay], published_years: Iterable[int]) -> None:
        special: dict[date, SpecialDay] = {}
        for sd in special_days:
            special[sd.day] = sd  # later entries override earlier ones
        self._special = special
        self._published = frozenset(published_years)

    @property
    def published_years(self) -> frozenset[int]:
        """Years whose holiday arrangement is known in full."""
        return self._published

    def special_day(self, d: date) -> SpecialDay | None:
        """The holiday or make-up day entered for ``d``, or None (an estimated fixed holiday is not returned)."""
        return self._special.get(d)

    def is_estimated(self, d: date) -> bool:
        """True when ``d`` lies in a year nobody has published, so :meth:`is_workday` is a guess."""
        return d.year not in self._published

    def is_workday(self, d: date) -> bool:
        """True when people work on ``d`` (Monday–Friday unless a holiday, or a 调休 weekend day)."""
        sd = self._special.get(d)
        if sd is not None:
            return sd.is_workday
        if d.weekday() >= 5:
            return False
        return d.year in self._published or (d.month, d.day) not in ESTIMATED_FIXED_HOLIDAYS

    def holiday_name(self, d: date) -> str:
        """Name of the holiday or make-up day on ``d`` ("" for an ordinary day), including estimated holidays."""
        sd = self._special.get(d)
        if sd is not None:
            return sd.name
        if d.year not in self._published:
            return ESTIMATED_FIXED_HOLIDAYS.get((d.month, d.day), "")
        return ""

    def add_workdays(self, start: date, n: int) -> WorkdayResult:
        """The ``n``-th working day after ``start`` (``start`` itself never counts, even on a working day).

        ``n`` must be at least 1. Raises :class:`ValidationError` (field ``days``) otherwise.
        """
        if n < 1:
            raise ValidationError("days", "工作日天数", f"应至少为 1 天，现在是 {n}，请填写正整数")
        d = start
        left = n
        unpublished: set[int] = set()
        try:
            while left:
                d += _ONE_DAY
                if d.year not in self._published:
                    unpublished.add(d.year)
                if self.is_workday(d):
                    left -= 1
        except OverflowError:
            raise ValidationError(
                "days",
                "工作日天数",
                f"从 {start.isoformat()} 起数 {n} 个工作日超出了可表示的日期范围，请核对天数",
            ) from None
        years = tuple(sorted(unpublished))
        return WorkdayResult(d, bool(years), years)

    def workdays_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; 0 when ``b`` is not after ``a``.

        ``workdays_between(deadline, today)`` is how many working days a task is overdue.
        """
        count = 0
        d = a
        while d < b:
            d += _ONE_DAY
            if self.is_workday(d):
                count += 1
        return count

    def __repr__(self) -> str:
        years = sorted(self._published)
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return f"WorkCalendar({len(self._special)} special days, published {span})"


# --- the bundled default: PyPI ``chinesecalendar`` -------------------------------------------------------------

_HOLIDAY_NAMES: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _chinese_name(english: object) -> str:
    """Chinese name for a holiday value of ``chinesecalendar`` ("" when the package gives none)."""
    if english is None:
        return ""
    text = str(english)
    known = _HOLIDAY_NAMES.get(text)
    if known is not None:
        return known
    # A holiday added to the package after this table was written: use the package's own Chinese name if any.
    import chinese_calendar

    try:
        return str(chinese_calendar.Holiday(text).chinese)
    except (ValueError, AttributeError):
        return text


def bundled_special_days() -> list[SpecialDay]:
    """Holidays and 调休 working days known to the bundled ``chinesecalendar`` package (2004–2026 at 1.11)."""
    import chinese_calendar

    days: list[SpecialDay] = []
    for d, name in sorted(chinese_calendar.holidays.items()):
        days.append(SpecialDay(d, False, _chinese_name(name) or "节假日"))
    for d, name in sorted(chinese_calendar.workdays.items()):
        holiday = _chinese_name(name)
        days.append(SpecialDay(d, True, f"{holiday}调休" if holiday else "调休上班"))
    days.sort(key=lambda sd: sd.day)
    return days


def bundled_years() -> set[int]:
    """Years the bundled ``chinesecalendar`` package covers (it raises for any other year)."""
    import chinese_calendar

    years: set[int] = {d.year for d in chinese_calendar.holidays}
    if not years:
        return set()
    return set(range(min(years), max(years) + 1))


@functools.cache
def bundled_calendar() -> WorkCalendar:
    """A calendar from the bundled package only; the app normally builds one from the township's reference data."""
    return WorkCalendar(bundled_special_days(), bundled_years())
