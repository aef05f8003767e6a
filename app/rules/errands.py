"""Errand (代办) workflow and the return rule: one transition table, Chinese labels, the 2nd-working-day return.

The lifecycle (DOMAIN.md, rural 代办式服务)::

    登记 → 已收件 → 已送乡镇 → 办理中 → 已办结 → 已返还 (群众签收) → 评价

with side exits decided here as:

- 补件 (``request_more``): materials are missing. From 登记 or 已收件 (the agent notices) and from 已送乡镇 or
  办理中 (the township sends it back). When the villager brings them, ``supply`` returns the errand to 已收件, and
  the agent carries it to the township again.
- 不予办理 (``refuse``, township): the item cannot be granted, or the villager never supplied the missing materials.
  From 已送乡镇, 办理中 or 补件. Terminal; the reason is required (:func:`check_reason`).
- 需本人办理 (``need_in_person``): the item needs the villager in person, found at any point before 已办结. Then
  ``guide`` records 已告知办理程序和办理单位, which closes the errand; the guidance text is required
  (:func:`check_guidance`).

The township owns 办理中, 已办结 and 不予办理 (:data:`TOWNSHIP_ACTIONS`). The seed rule 办结后第二个工作日返还 is
:func:`return_due`. Enum values are stored in the database and fit its 16-character columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from app.errors import ValidationError
from app.rules import Lifecycle
from app.workdays import WorkCalendar, WorkdayResult

__all__ = [
    "ACTION_LABELS",
    "ERRAND_LIFECYCLE",
    "RETURN_WORKDAYS",
    "STATE_LABELS",
    "TOWNSHIP_ACTIONS",
    "TRANSITIONS",
    "ErrandAction",
    "ErrandState",
    "allowed_actions",
    "check_guidance",
    "check_reason",
    "is_return_late",
    "next_state",
    "return_due",
]


class ErrandState(StrEnum):
    """Where an errand stands (办理状态)."""

    REGISTERED = "registered"  # 登记
    RECEIVED = "received"  # 已收件
    SENT_TO_TOWNSHIP = "sent_to_township"  # 已送乡镇
    PROCESSING = "processing"  # 办理中
    COMPLETED = "completed"  # 已办结
    RETURNED = "returned"  # 已返还（群众签收）
    EVALUATED = "evaluated"  # 评价
    NEEDS_MORE = "needs_more"  # 补件
    REFUSED = "refused"  # 不予办理
    IN_PERSON = "in_person"  # 需本人办理
    GUIDED = "guided"  # 已告知办理程序和办理单位


class ErrandAction(StrEnum):
    """A move of the errand workflow (办理操作). Order is the order actions are offered to the user."""

    RECEIVE = "receive"  # 收件
    SEND = "send"  # 送乡镇
    PROCESS = "process"  # 乡镇开始办理
    COMPLETE = "complete"  # 办结
    RETURN = "return"  # 返还（群众签收）
    EVALUATE = "evaluate"  # 评价
    REQUEST_MORE = "request_more"  # 通知补件
    SUPPLY = "supply"  # 材料补齐
    REFUSE = "refuse"  # 不予办理
    NEED_IN_PERSON = "need_in_person"  # 需本人办理
    GUIDE = "guide"  # 告知办理程序和办理单位


_S = ErrandState
_A = ErrandAction

#: The errand workflow: (current state, action) → new state. Anything not listed is not allowed.
TRANSITIONS: Mapping[tuple[ErrandState, ErrandAction], ErrandState] = MappingProxyType(
    {
        (_S.REGISTERED, _A.RECEIVE): _S.RECEIVED,
        (_S.RECEIVED, _A.SEND): _S.SENT_TO_TOWNSHIP,
        (_S.SENT_TO_TOWNSHIP, _A.PROCESS): _S.PROCESSING,
        (_S.PROCESSING, _A.COMPLETE): _S.COMPLETED,
        (_S.COMPLETED, _A.RETURN): _S.RETURNED,
        (_S.RETURNED, _A.EVALUATE): _S.EVALUATED,
        # 补件
        (_S.REGISTERED, _A.REQUEST_MORE): _S.NEEDS_MORE,
        (_S.RECEIVED, _A.REQUEST_MORE): _S.NEEDS_MORE,
        (_S.SENT_TO_TOWNSHIP, _A.REQUEST_MORE): _S.NEEDS_MORE,
        (_S.PROCESSING, _A.REQUEST_MORE): _S.NEEDS_MORE,
        (_S.NEEDS_MORE, _A.SUPPLY): _S.RECEIVED,
        # 不予办理
        (_S.SENT_TO_TOWNSHIP, _A.REFUSE): _S.REFUSED,
        (_S.PROCESSING, _A.REFUSE): _S.REFUSED,
        (_S.NEEDS_MORE, _A.REFUSE): _S.REFUSED,
        # 需本人办理 → 已告知办理程序和办理单位
        (_S.REGISTERED, _A.NEED_IN_PERSON): _S.IN_PERSON,
        (_S.RECEIVED, _A.NEED_IN_PERSON): _S.IN_PERSON,
        (_S.SENT_TO_TOWNSHIP, _A.NEED_IN_PERSON): _S.IN_PERSON,
        (_S.PROCESSING, _A.NEED_IN_PERSON): _S.IN_PERSON,
        (_S.NEEDS_MORE, _A.NEED_IN_PERSON): _S.IN_PERSON,
        (_S.IN_PERSON, _A.GUIDE): _S.GUIDED,
    }
)

#: Moves only the township may make (办理中, 已办结, 不予办理).
TOWNSHIP_ACTIONS: frozenset[ErrandAction] = frozenset({_A.PROCESS, _A.COMPLETE, _A.REFUSE})

STATE_LABELS: Mapping[ErrandState, str] = MappingProxyType(
    {
        _S.REGISTERED: "登记",
        _S.RECEIVED: "已收件",
        _S.SENT_TO_TOWNSHIP: "已送乡镇",
        _S.PROCESSING: "办理中",
        _S.COMPLETED: "已办结",
        _S.RETURNED: "已返还",
        _S.EVALUATED: "评价",
        _S.NEEDS_MORE: "补件",
        _S.REFUSED: "不予办理",
        _S.IN_PERSON: "需本人办理",
        _S.GUIDED: "已告知办理程序和办理单位",
    }
)

ACTION_LABELS: Mapping[ErrandAction, str] = MappingProxyType(
    {
        _A.RECEIVE: "收件",
        _A.SEND: "送乡镇",
        _A.PROCESS: "开始办理",
        _A.COMPLETE: "办结",
        _A.RETURN: "返还群众签收",
        _A.EVALUATE: "评价",
        _A.REQUEST_MORE: "通知补件",
        _A.SUPPLY: "材料已补齐",
        _A.REFUSE: "不予办理",
        _A.NEED_IN_PERSON: "需本人办理",
        _A.GUIDE: "告知办理程序和办理单位",
    }
)

ERRAND_LIFECYCLE: Lifecycle[ErrandState, ErrandAction] = Lifecycle(
    noun="代办件",
    state_type=ErrandState,
    action_type=ErrandAction,
    transitions=TRANSITIONS,
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    township_actions=TOWNSHIP_ACTIONS,
)


def next_state(state: ErrandState | str, action: ErrandAction | str) -> ErrandState:
    """The state after ``action``; ValidationError (field ``state``) naming the current state if not allowed."""
    return ERRAND_LIFECYCLE.next_state(state, action)


def allowed_actions(state: ErrandState | str) -> tuple[ErrandAction, ...]:
    """What may be done with an errand in ``state`` (empty once evaluated, refused or guided)."""
    return ERRAND_LIFECYCLE.allowed_actions(state)


def check_guidance(action: ErrandAction | str, guidance_text: str | None) -> None:
    """Moving to 已告知办理程序和办理单位 needs the guidance given to the villager, written down."""
    if ERRAND_LIFECYCLE.parse_action(action) is ErrandAction.GUIDE and not (guidance_text or "").strip():
        raise ValidationError(
            "guidance",
            "办理指引",
            "此事项需本人办理，必须写明告知群众的办理程序和办理单位（到哪个单位、带哪些材料、怎么办理），请填写后再保存",
        )


def check_reason(action: ErrandAction | str, reason: str | None) -> None:
    """通知补件 must say which materials are missing; 不予办理 must say why."""
    act = ERRAND_LIFECYCLE.parse_action(action)
    if (reason or "").strip():
        return
    if act is ErrandAction.REQUEST_MORE:
        raise ValidationError("reason", "补件原因", "请写明还缺哪些材料，以便群众一次补齐")
    if act is ErrandAction.REFUSE:
        raise ValidationError("reason", "不予办理原因", "请写明不予办理的理由，返还时要向群众说明")


#: 办结后第二个工作日返还 (seed rule).
RETURN_WORKDAYS = 2


def return_due(completed_on: date, calendar: WorkCalendar) -> WorkdayResult:
    """The day the result must be back with the villager: the 2nd working day after completion (办结)."""
    return calendar.add_workdays(completed_on, RETURN_WORKDAYS)


def is_return_late(
    completed_on: date, returned_on: date | None, calendar: WorkCalendar, *, today: date | None = None
) -> bool:
    """True when the result went back (or, not yet returned, is still out on ``today``) after the due day.

    Returning on the due day is on time. Without ``returned_on`` and ``today`` nothing can be late yet.
    """
    when = returned_on if returned_on is not None else today
    if when is None:
        return False
    return when > return_due(completed_on, calendar).day
