"""Errand (代办) workflow table, the guidance and reason guards, and the 2nd-working-day return rule."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import ValidationError
from app.rules.errands import (
    ACTION_LABELS,
    ERRAND_LIFECYCLE,
    STATE_LABELS,
    TOWNSHIP_ACTIONS,
    TRANSITIONS,
    ErrandAction,
    ErrandState,
    allowed_actions,
    check_guidance,
    check_reason,
    is_return_late,
    next_state,
    return_due,
)
from app.workdays import bundled_calendar

CAL = bundled_calendar()
S = ErrandState
A = ErrandAction

FORBIDDEN = [
    (S.REGISTERED, A.SEND),
    (S.REGISTERED, A.COMPLETE),
    (S.RECEIVED, A.PROCESS),
    (S.RECEIVED, A.REFUSE),
    (S.SENT_TO_TOWNSHIP, A.COMPLETE),
    (S.PROCESSING, A.RETURN),
    (S.COMPLETED, A.REQUEST_MORE),
    (S.COMPLETED, A.EVALUATE),
    (S.RETURNED, A.RETURN),
    (S.EVALUATED, A.EVALUATE),
    (S.NEEDS_MORE, A.SEND),
    (S.REFUSED, A.SUPPLY),
    (S.IN_PERSON, A.RECEIVE),
    (S.GUIDED, A.GUIDE),
]


# --- the table ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "action", "target"), [(s, a, t) for (s, a), t in TRANSITIONS.items()])
def test_every_allowed_errand_move_leads_to_its_target(state: S, action: A, target: S) -> None:
    assert next_state(state, action) is target
    assert next_state(state.value, action.value) is target
    assert action in allowed_actions(state)


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_forbidden_errand_move_names_current_state_and_attempted_action(state: S, action: A) -> None:
    with pytest.raises(ValidationError) as exc:
        next_state(state, action)
    assert exc.value.field == "state"
    assert exc.value.label == "办理状态"
    assert f"代办件当前为“{STATE_LABELS[state]}”" in exc.value.message
    assert f"“{ACTION_LABELS[action]}”" in exc.value.message


def test_every_pair_outside_the_errand_table_is_refused() -> None:
    for state in S:
        for action in A:
            if (state, action) not in TRANSITIONS:
                with pytest.raises(ValidationError):
                    next_state(state, action)


def test_errand_final_states_are_evaluated_refused_and_guided_and_all_are_reachable() -> None:
    assert {s for s in S if not allowed_actions(s)} == {S.EVALUATED, S.REFUSED, S.GUIDED}
    seen = {S.REGISTERED}
    changed = True
    while changed:
        changed = False
        for (src, _), dst in TRANSITIONS.items():
            if src in seen and dst not in seen:
                seen.add(dst)
                changed = True
    assert seen == set(S)


@pytest.mark.parametrize("source", [S.REGISTERED, S.RECEIVED, S.SENT_TO_TOWNSHIP, S.PROCESSING])
def test_missing_materials_go_back_to_received_once_supplied(source: S) -> None:
    assert next_state(next_state(source, A.REQUEST_MORE), A.SUPPLY) is S.RECEIVED


def test_township_owns_processing_completion_and_refusal() -> None:
    assert {A.PROCESS, A.COMPLETE, A.REFUSE} == TOWNSHIP_ACTIONS
    assert ERRAND_LIFECYCLE.is_township_action("complete")
    assert not ERRAND_LIFECYCLE.is_township_action(A.RETURN)


def test_every_errand_state_and_action_has_a_chinese_label_and_fits_the_database_column() -> None:
    assert set(STATE_LABELS) == set(S)
    assert set(ACTION_LABELS) == set(A)
    assert all(len(v.value) <= 16 for v in [*S, *A])


@pytest.mark.parametrize(
    ("path", "end"),
    [
        ([A.RECEIVE, A.SEND, A.PROCESS, A.COMPLETE, A.RETURN, A.EVALUATE], S.EVALUATED),
        ([A.RECEIVE, A.SEND, A.REQUEST_MORE, A.SUPPLY, A.SEND, A.PROCESS, A.COMPLETE], S.COMPLETED),
        ([A.RECEIVE, A.SEND, A.PROCESS, A.REFUSE], S.REFUSED),
        ([A.REQUEST_MORE, A.REFUSE], S.REFUSED),
        ([A.RECEIVE, A.NEED_IN_PERSON, A.GUIDE], S.GUIDED),
    ],
)
def test_documented_errand_paths(path: list[A], end: S) -> None:
    state = S.REGISTERED
    for action in path:
        state = next_state(state, action)
    assert state is end


# --- guards ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "   \n"])
def test_guiding_a_villager_needs_the_guidance_written_down(text: str | None) -> None:
    with pytest.raises(ValidationError) as exc:
        check_guidance(A.GUIDE, text)
    assert exc.value.field == "guidance"
    assert exc.value.label == "办理指引"
    assert "办理程序和办理单位" in exc.value.message


def test_guidance_guard_passes_with_text_or_for_other_moves() -> None:
    check_guidance(A.GUIDE, "本人携带身份证到乡镇便民服务中心社保窗口办理")
    check_guidance("guide", "本人到县公安局户政大厅办理")
    check_guidance(A.RECEIVE, "")


@pytest.mark.parametrize(
    ("action", "field_label"), [(A.REQUEST_MORE, "补件原因"), (A.REFUSE, "不予办理原因")]
)
def test_request_more_and_refusal_need_a_reason(action: A, field_label: str) -> None:
    with pytest.raises(ValidationError) as exc:
        check_reason(action, " ")
    assert exc.value.field == "reason"
    assert exc.value.label == field_label
    check_reason(action, "缺户口簿复印件")
    check_reason(A.SEND, None)


# --- return rule ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed_on", "due"),
    [
        (date(2026, 9, 21), date(2026, 9, 23)),  # Monday → Wednesday
        (date(2026, 9, 18), date(2026, 9, 21)),  # Friday → Sunday make-up day 9-20, then Monday
        (date(2026, 10, 8), date(2026, 10, 10)),  # Thursday → Saturday make-up day
    ],
)
def test_errand_return_due_is_the_second_working_day_after_completion(completed_on: date, due: date) -> None:
    assert return_due(completed_on, CAL).day == due


def test_errand_completed_on_friday_is_due_back_on_tuesday() -> None:
    result = return_due(date(2026, 9, 25), CAL)
    assert result.day == date(2026, 9, 29)
    assert not result.estimated


def test_errand_return_due_skips_national_day_and_counts_makeup_saturday() -> None:
    # completed Wed 9-30: 10-01..07 off, Thu 10-08 is the 1st working day, Fri 10-09 the 2nd
    assert return_due(date(2026, 9, 30), CAL).day == date(2026, 10, 9)
    # completed Fri 10-09: Sat 10-10 is a make-up working day (1st), Mon 10-12 the 2nd
    assert return_due(date(2026, 10, 9), CAL).day == date(2026, 10, 12)


def test_errand_completed_in_2027_has_an_estimated_return_date() -> None:
    result = return_due(date(2027, 9, 30), CAL)
    assert result.day == date(2027, 10, 5)  # 10-01 国庆节 (estimated), weekend, Mon 10-04, Tue 10-05
    assert result.estimated
    assert result.estimated_years == (2027,)
    assert "2027年" in result.warning


@pytest.mark.parametrize(
    ("returned_on", "today", "late"),
    [
        (date(2026, 10, 9), None, False),  # on the due day
        (date(2026, 10, 8), None, False),
        (date(2026, 10, 10), None, True),  # Saturday make-up day is already a working day late
        (None, date(2026, 10, 9), False),  # still out, due today
        (None, date(2026, 10, 12), True),  # still out after the due day
        (None, None, False),
    ],
)
def test_errand_return_is_late_after_the_second_working_day(
    returned_on: date | None, today: date | None, late: bool
) -> None:
    assert is_return_late(date(2026, 9, 30), returned_on, CAL, today=today) is late
