"""Event (事件) workflow table and deadlines (限时办理)."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import ValidationError
from app.rules import events
from app.rules.events import (
    ACTION_LABELS,
    DEFAULT_RULES,
    STATE_LABELS,
    TOWNSHIP_ACTIONS,
    TRANSITIONS,
    DeadlineRule,
    EventAction,
    EventState,
    allowed_actions,
    event_deadline,
    is_overdue,
    next_state,
    overdue_workdays,
    rule_table,
)
from app.workdays import bundled_calendar

CAL = bundled_calendar()
S = EventState
A = EventAction

FORBIDDEN = [
    (S.DRAFT, A.ACCEPT),
    (S.DRAFT, A.CLOSE),
    (S.REPORTED, A.REPORT),
    (S.REPORTED, A.FINISH),
    (S.REPORTED, A.RESOLVE_AT_ONCE),
    (S.ACCEPTED, A.WITHDRAW),
    (S.ACCEPTED, A.FINISH),
    (S.RETURNED, A.ACCEPT),
    (S.NOT_ACCEPTED, A.REPORT),
    (S.WITHDRAWN, A.REPORT),
    (S.IN_PROGRESS, A.CLOSE),
    (S.HANDLED, A.EXTEND),
    (S.HANDLED, A.CLOSE),
    (S.VERIFYING, A.FINISH),
    (S.CLOSED, A.ARCHIVE),
    (S.CLOSED, A.VERIFY_FAIL),
    (S.REVISITED, A.REVISIT),
    (S.ARCHIVED, A.REPORT),
]


# --- the table ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "action", "target"), [(s, a, t) for (s, a), t in TRANSITIONS.items()])
def test_every_allowed_event_move_leads_to_its_target(state: S, action: A, target: S) -> None:
    assert next_state(state, action) is target
    assert next_state(state.value, action.value) is target  # stored strings work too
    assert action in allowed_actions(state)


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_forbidden_event_move_names_current_state_and_attempted_action(state: S, action: A) -> None:
    with pytest.raises(ValidationError) as exc:
        next_state(state, action)
    assert exc.value.field == "state"
    assert exc.value.label == "办理状态"
    assert f"“{STATE_LABELS[state]}”" in exc.value.message
    assert f"“{ACTION_LABELS[action]}”" in exc.value.message


def test_forbidden_event_move_lists_what_is_allowed_now() -> None:
    with pytest.raises(ValidationError) as exc:
        next_state(S.DRAFT, A.ACCEPT)
    assert exc.value.message == "办理状态：事件当前为“草稿”，不能“受理”。当前只能“上报”、“即时办结”"


def test_every_pair_outside_the_table_is_refused() -> None:
    for state in S:
        for action in A:
            if (state, action) in TRANSITIONS:
                continue
            with pytest.raises(ValidationError):
                next_state(state, action)


@pytest.mark.parametrize(("state", "action"), [("open", "report"), ("draft", "approve")])
def test_unknown_stored_state_or_action_is_a_validation_error(state: str, action: str) -> None:
    with pytest.raises(ValidationError) as exc:
        next_state(state, action)
    assert exc.value.field == "state"


def test_only_archived_is_final_and_every_state_is_reachable_from_draft() -> None:
    assert [s for s in S if not allowed_actions(s)] == [S.ARCHIVED]
    seen = {S.DRAFT}
    frontier = [S.DRAFT]
    while frontier:
        state = frontier.pop()
        for action in allowed_actions(state):
            target = next_state(state, action)
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(S)


def test_archived_event_message_says_the_workflow_is_over() -> None:
    with pytest.raises(ValidationError) as exc:
        next_state(S.ARCHIVED, A.REPORT)
    assert "已结束" in exc.value.message


def test_township_owns_accept_return_reject_verify_fail_and_close() -> None:
    assert {A.ACCEPT, A.RETURN, A.REJECT, A.VERIFY_FAIL, A.CLOSE} == TOWNSHIP_ACTIONS
    assert events.EVENT_LIFECYCLE.is_township_action("accept")
    assert not events.EVENT_LIFECYCLE.is_township_action(A.REPORT)


def test_every_state_and_action_has_a_chinese_label_and_fits_the_database_column() -> None:
    assert set(STATE_LABELS) == set(S)
    assert set(ACTION_LABELS) == set(A)
    assert all(len(v.value) <= 16 for v in [*S, *A])


@pytest.mark.parametrize(
    "path",
    [
        # 限时办理, with one failed check and an extension
        [A.REPORT, A.ACCEPT, A.START, A.EXTEND, A.FINISH, A.VERIFY, A.VERIFY_FAIL, A.FINISH, A.VERIFY, A.CLOSE,
         A.REVISIT, A.ARCHIVE],
        # 即时办结: solved in the grid, reported already handled
        [A.RESOLVE_AT_ONCE, A.VERIFY, A.CLOSE, A.REVISIT, A.ARCHIVE],
        # 退回, edited, reported again, then 不予受理
        [A.REPORT, A.RETURN, A.REPORT, A.REJECT, A.ARCHIVE],
        # 退回 then 撤回
        [A.REPORT, A.RETURN, A.WITHDRAW, A.ARCHIVE],
    ],
)  # fmt: skip
def test_documented_event_paths_end_archived(path: list[A]) -> None:
    state = S.DRAFT
    for action in path:
        state = next_state(state, action)
    assert state is S.ARCHIVED


def test_extension_keeps_the_event_in_progress() -> None:
    assert next_state(S.IN_PROGRESS, A.EXTEND) is S.IN_PROGRESS


# --- deadlines ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accepted_on", "category", "extension", "expected"),
    [
        # 3 working days over National Day 2026: 10-08, 10-09 and the Saturday make-up day 10-10
        (date(2026, 9, 30), "一般", 0, date(2026, 10, 10)),
        (date(2026, 9, 30), "default", 0, date(2026, 10, 10)),
        (date(2026, 9, 30), "邻里纠纷", 0, date(2026, 10, 10)),  # no rule of its own: default
        (date(2026, 9, 30), "疑难", 0, date(2026, 10, 15)),  # 10-08,09,10,12,13,14,15
        (date(2026, 9, 30), "一般", 2, date(2026, 10, 13)),  # 3 + 2 extension
        (date(2026, 9, 30), "疑难", 8, date(2026, 10, 27)),  # the 15-working-day maximum
        (date(2026, 9, 21), "一般", 0, date(2026, 9, 24)),  # ordinary week
    ],
)
def test_event_deadline_counts_working_days_after_acceptance(
    accepted_on: date, category: str, extension: int, expected: date
) -> None:
    result = event_deadline(accepted_on, category, DEFAULT_RULES, CAL, extension_days=extension)
    assert result.day == expected
    assert not result.estimated


def test_event_deadline_accepted_before_national_day_lands_on_the_makeup_saturday() -> None:
    result = event_deadline(date(2026, 9, 30), "一般", DEFAULT_RULES, CAL)
    assert result.day == date(2026, 10, 10)
    assert result.day.weekday() == 5


def test_event_deadline_uses_built_in_three_days_when_rules_have_no_default() -> None:
    assert event_deadline(date(2026, 9, 21), "其他", {"疑难": 7}, CAL).day == date(2026, 9, 24)


def test_event_deadline_follows_the_townships_configured_rules() -> None:
    rules = rule_table([DeadlineRule("default", 2), DeadlineRule("安全隐患", 1)])
    assert event_deadline(date(2026, 9, 21), "安全隐患", rules, CAL).day == date(2026, 9, 22)
    assert event_deadline(date(2026, 9, 21), "其他", rules, CAL).day == date(2026, 9, 23)


def test_event_deadline_over_fifteen_working_days_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        event_deadline(date(2026, 9, 30), "疑难", DEFAULT_RULES, CAL, extension_days=9)
    assert exc.value.field == "extension_days"
    assert exc.value.label == "延期天数"
    assert "15 个工作日" in exc.value.message
    assert "最多填 8" in exc.value.message


def test_event_deadline_refuses_negative_extension() -> None:
    with pytest.raises(ValidationError) as exc:
        event_deadline(date(2026, 9, 30), "一般", DEFAULT_RULES, CAL, extension_days=-1)
    assert exc.value.field == "extension_days"


def test_event_deadline_refuses_a_stored_rule_outside_one_to_fifteen() -> None:
    with pytest.raises(ValidationError) as exc:
        event_deadline(date(2026, 9, 30), "疑难", {"疑难": 20}, CAL)
    assert exc.value.field == "working_days"
    assert "“疑难”类事件" in exc.value.message


def test_immediate_event_is_due_the_same_day_even_on_a_holiday() -> None:
    result = event_deadline(date(2026, 10, 2), "一般", DEFAULT_RULES, CAL, immediate=True)
    assert result.day == date(2026, 10, 2)
    assert not result.estimated


def test_immediate_event_cannot_be_extended() -> None:
    with pytest.raises(ValidationError) as exc:
        event_deadline(date(2026, 10, 2), "一般", DEFAULT_RULES, CAL, immediate=True, extension_days=1)
    assert exc.value.field == "extension_days"
    assert "即时办结" in exc.value.message


def test_event_deadline_in_2027_is_flagged_estimated() -> None:
    result = event_deadline(date(2027, 3, 1), "一般", DEFAULT_RULES, CAL)
    assert result.day == date(2027, 3, 4)
    assert result.estimated
    assert result.estimated_years == (2027,)


@pytest.mark.parametrize(
    ("category", "days"),
    [("", 3), ("  ", 3), ("一般", 0), ("疑难", 16), ("疑难", -2)],
)
def test_deadline_rule_must_name_a_category_and_allow_one_to_fifteen_days(category: str, days: int) -> None:
    with pytest.raises(ValidationError):
        DeadlineRule(category, days)


def test_default_rules_are_three_ordinary_and_seven_hard_cases() -> None:
    assert dict(DEFAULT_RULES) == {"default": 3, "一般": 3, "疑难": 7}


# --- overdue --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "today", "done_on", "overdue"),
    [
        (date(2026, 10, 10), date(2026, 10, 10), None, False),  # due today, not done yet
        (date(2026, 10, 10), date(2026, 10, 12), None, True),
        (date(2026, 10, 10), date(2026, 10, 20), date(2026, 10, 9), False),  # done early, today irrelevant
        (date(2026, 10, 10), date(2026, 10, 20), date(2026, 10, 10), False),  # done on the day
        (date(2026, 10, 10), date(2026, 10, 11), date(2026, 10, 12), True),  # done late
    ],
)
def test_is_overdue_compares_done_day_or_today_with_deadline(
    deadline: date, today: date, done_on: date | None, overdue: bool
) -> None:
    assert is_overdue(deadline, today, done_on) is overdue


@pytest.mark.parametrize(
    ("deadline", "today", "done_on", "late_by"),
    [
        (date(2026, 9, 30), date(2026, 10, 7), None, 0),  # the holiday does not count
        (date(2026, 9, 30), date(2026, 10, 10), None, 3),
        (date(2026, 9, 30), date(2026, 10, 20), date(2026, 10, 8), 1),
        (date(2026, 10, 10), date(2026, 10, 9), None, 0),
    ],
)
def test_overdue_workdays_counts_working_days_past_the_deadline(
    deadline: date, today: date, done_on: date | None, late_by: int
) -> None:
    assert overdue_workdays(deadline, today, done_on, CAL) == late_by
