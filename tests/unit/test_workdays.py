"""Working-day calendar: agreement with chinesecalendar, 调休 days, estimates for unpublished years."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import ValidationError
from app.workdays import (
    SpecialDay,
    WorkCalendar,
    WorkdayResult,
    bundled_calendar,
    bundled_special_days,
    bundled_years,
    estimate_warning,
)

CAL = bundled_calendar()
ANY_DATE = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- the bundled calendar ------------------------------------------------------------------------------------


def test_bundled_calendar_agrees_with_chinese_calendar_on_every_day_2004_to_2026() -> None:
    disagreements = [
        d
        for d in _days(date(2004, 1, 1), date(2026, 12, 31))
        if CAL.is_workday(d) != chinese_calendar.is_workday(d)
    ]
    assert disagreements == []


def test_bundled_years_are_exactly_the_years_the_package_covers() -> None:
    assert bundled_years() == set(range(2004, 2027))
    with pytest.raises(NotImplementedError):  # the package itself gives up on 2027: that is why we estimate
        chinese_calendar.is_workday(date(2027, 1, 4))


def test_bundled_special_day_names_are_chinese_and_fit_the_calendar_day_column() -> None:
    names = {sd.name for sd in bundled_special_days()}
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节", "抗战胜利70周年纪念日"} <= names
    assert "国庆节调休" in names
    assert all(len(name) <= 32 for name in names)
    assert not [name for name in names if any("a" <= ch.lower() <= "z" for ch in name)]


@pytest.mark.parametrize(
    ("day", "is_workday", "name"),
    [
        (date(2026, 9, 30), True, ""),  # Wednesday before National Day
        *[(date(2026, 10, d), False, "国庆节") for d in range(1, 8)],
        (date(2026, 10, 8), True, ""),  # Thursday, back to work
        (date(2026, 10, 10), True, "国庆节调休"),  # Saturday make-up day
        (date(2026, 9, 20), True, "国庆节调休"),  # Sunday make-up day
        (date(2026, 10, 11), False, ""),  # ordinary Sunday
        (date(2015, 9, 3), False, "抗战胜利70周年纪念日"),
        (date(2026, 1, 4), True, "元旦调休"),
    ],
)
def test_national_day_2026_and_makeup_days_are_known(day: date, is_workday: bool, name: str) -> None:
    assert CAL.is_workday(day) is is_workday
    assert CAL.holiday_name(day) == name
    assert not CAL.is_estimated(day)


# --- unpublished years ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "is_workday"),
    [
        (date(2027, 1, 1), False),  # 元旦 (Friday)
        (date(2027, 5, 3), True),  # Monday after 劳动节 (1–2 May fall on the weekend; no swap known)
        (date(2027, 10, 1), False),  # 国庆节 (Friday)
        (date(2027, 10, 4), True),  # Monday: 国庆节 3 statutory days were Fri–Sun, no swap known
        (date(2027, 10, 9), False),  # Saturday
        (date(2028, 5, 1), False),  # 劳动节 (Monday)
        (date(2028, 5, 2), False),  # 劳动节 second statutory day (Tuesday)
        (date(2028, 5, 3), True),
        (date(1999, 10, 1), False),  # before the package: estimated the same way
    ],
)
def test_unpublished_year_is_estimated_from_weekends_and_fixed_date_holidays(
    day: date, is_workday: bool
) -> None:
    assert CAL.is_estimated(day)
    assert CAL.is_workday(day) is is_workday


def test_unpublished_year_does_not_know_lunar_holidays() -> None:
    # 2027 春节 falls on 6 February; the Monday after is a holiday in reality but the estimate cannot know it.
    assert CAL.is_workday(date(2027, 2, 8))


def test_counting_into_an_unpublished_year_flags_the_result_as_estimated() -> None:
    result = CAL.add_workdays(date(2026, 12, 30), 2)
    assert result == WorkdayResult(date(2027, 1, 4), True, (2027,))  # 12-31 Thu, 01-01 元旦, 01-04 Mon
    assert "2027年" in result.warning
    assert "春节" in result.warning


def test_counting_within_a_published_year_is_not_estimated() -> None:
    result = CAL.add_workdays(date(2026, 12, 28), 3)
    assert result == WorkdayResult(date(2026, 12, 31), False, ())
    assert result.warning == ""


def test_estimated_years_list_every_unpublished_year_walked_over() -> None:
    result = CAL.add_workdays(date(2027, 12, 30), 3)
    # 2027-12-31 (Fri) counts, 2028-01-01 is 元旦, then 01-03 and 01-04: both years were walked over
    assert result.day == date(2028, 1, 4)
    assert result.estimated_years == (2027, 2028)
    assert estimate_warning([2028, 2027, 2028]).startswith("2027年、2028年")


def test_special_days_entered_for_an_unpublished_year_are_used_on_top_of_the_estimate() -> None:
    cal = WorkCalendar(
        [SpecialDay(date(2027, 2, 8), False, "春节"), SpecialDay(date(2027, 10, 9), True, "国庆节调休")],
        published_years=[],
    )
    assert not cal.is_workday(date(2027, 2, 8))
    assert cal.is_workday(date(2027, 10, 9))
    assert not cal.is_workday(date(2027, 10, 1))  # fixed-date holiday still estimated
    assert cal.is_estimated(date(2027, 2, 8))


def test_published_year_uses_only_its_special_days() -> None:
    cal = WorkCalendar([], published_years=[2027])
    assert cal.is_workday(date(2027, 10, 1))  # published with no holidays entered: a plain Friday
    assert not cal.is_estimated(date(2027, 10, 1))


def test_later_special_days_override_earlier_ones_for_the_same_date() -> None:
    day = date(2026, 10, 9)
    cal = WorkCalendar([*bundled_special_days(), SpecialDay(day, False, "乡镇调整")], bundled_years())
    assert not cal.is_workday(day)
    assert cal.holiday_name(day) == "乡镇调整"
    assert cal.special_day(day) == SpecialDay(day, False, "乡镇调整")


# --- counting -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 9, 21), 1, date(2026, 9, 22)),  # a working Monday does not count itself
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Friday → Sunday make-up day
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # over National Day
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # …and onto the Saturday make-up day
        (date(2026, 10, 3), 1, date(2026, 10, 8)),  # starting on a holiday
        (date(2026, 10, 10), 1, date(2026, 10, 12)),  # Saturday make-up → Monday
    ],
)
def test_add_workdays_counts_working_days_after_start(start: date, n: int, expected: date) -> None:
    assert CAL.add_workdays(start, n).day == expected


@pytest.mark.parametrize("n", [0, -1])
def test_add_workdays_needs_at_least_one_day(n: int) -> None:
    with pytest.raises(ValidationError) as exc:
        CAL.add_workdays(date(2026, 9, 30), n)
    assert exc.value.field == "days"
    assert "至少为 1" in exc.value.message


def test_add_workdays_beyond_the_last_representable_date_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as exc:
        CAL.add_workdays(date(9999, 12, 30), 5)
    assert exc.value.field == "days"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2026, 9, 30), date(2026, 10, 10), 3),
        (date(2026, 9, 30), date(2026, 10, 7), 0),  # the whole holiday
        (date(2026, 10, 9), date(2026, 10, 9), 0),  # same day
        (date(2026, 10, 12), date(2026, 10, 9), 0),  # b before a
        (date(2026, 9, 25), date(2026, 9, 29), 2),
    ],
)
def test_workdays_between_counts_after_a_up_to_and_including_b(a: date, b: date, expected: int) -> None:
    assert CAL.workdays_between(a, b) == expected


def test_no_date_from_1900_to_2100_raises() -> None:
    count = 0
    for d in _days(date(1900, 1, 1), date(2100, 12, 31)):
        count += CAL.is_workday(d)
        CAL.is_estimated(d)
    assert count > 0
    assert CAL.add_workdays(date(2100, 12, 31), 3).estimated
    assert CAL.workdays_between(date(1900, 1, 1), date(2100, 12, 31)) == count - CAL.is_workday(
        date(1900, 1, 1)
    )


# --- properties -----------------------------------------------------------------------------------------------


@given(start=ANY_DATE, n=st.integers(min_value=1, max_value=40))
def test_add_workdays_lands_on_a_workday_strictly_after_start_n_workdays_later(start: date, n: int) -> None:
    result = CAL.add_workdays(start, n)
    assert result.day > start
    assert CAL.is_workday(result.day)
    assert CAL.workdays_between(start, result.day) == n
    assert CAL.workdays_between(start, result.day - timedelta(days=1)) == n - 1


@given(start=ANY_DATE, n=st.integers(min_value=1, max_value=40))
def test_add_workdays_is_estimated_exactly_when_it_walks_over_an_unpublished_year(
    start: date, n: int
) -> None:
    result = CAL.add_workdays(start, n)
    walked = {(start + timedelta(days=k)).year for k in range(1, (result.day - start).days + 1)}
    expected = tuple(sorted(y for y in walked if y not in bundled_years()))
    assert result.estimated_years == expected
    assert result.estimated is bool(expected)
