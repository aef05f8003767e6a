"""Event (事件) workflow and deadlines (限时办理): one transition table, Chinese labels, working-day deadlines.

The lifecycle (DOMAIN.md)::

    草稿 → 上报 → 受理 (or 退回/不予受理/撤回) → 处置中 (可延期) → 处置完毕 → 核查 (fail → 处置中) → 结案 → 回访评价 → 归档

Details decided here:

- 退回 (``return``, township) sends a reported event back to the reporter, who edits it and reports it again
  (``returned --report--> reported``) or withdraws it (``returned --withdraw--> withdrawn``).
- 撤回 (``withdraw``) is the reporter's, from 上报 (before the township accepted it) or from 退回.
- 不予受理 (``reject``, township) and 撤回 end the workflow; both can only be archived.
- 受理 → 处置中 is ``start`` (the handler starts work; the deadline already runs from the acceptance date).
- 延期 (``extend``) is a move of 处置中 onto itself: it changes the deadline (see :func:`event_deadline`), not the
  state. It is in the table so that "when may an event be extended" has one answer.
- 处置完毕 → 核查 is ``verify`` (提请核查: the handler asks for the result to be checked). 核查 ends with the
  township's ``close`` (核查通过，结案) or ``verify_fail`` (核查不通过，back to 处置中). There is no separate
  "verified, not yet closed" state, so passing the check *is* closing the event.
- 结案 → 回访评价 is ``revisit`` (result fed back to the resident, satisfaction recorded); then ``archive``.
- 即时办结 (an issue solved in the grid at once, the same day): the grid worker records it already solved with
  ``resolve_at_once``, one move ``draft → handled`` that reports and finishes together, skipping 受理/处置中 (the
  township did not have to act). It is then checked, closed, revisited and archived like any other event. Its
  deadline is the same day (:func:`event_deadline` with ``immediate=True``).

The township owns 受理, 退回, 不予受理, 核查不通过 and 结案 (:data:`TOWNSHIP_ACTIONS`); the sync server refuses those moves
when they come from a village laptop. Enum values are stored in the database and fit its 16-character columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from app.errors import ValidationError
from app.rules import Lifecycle
from app.workdays import WorkCalendar, WorkdayResult

__all__ = [
    "ACTION_LABELS",
    "DEFAULT_CATEGORY",
    "DEFAULT_DEADLINE_RULES",
    "DEFAULT_RULES",
    "EVENT_LIFECYCLE",
    "HARD_CASE_WORKING_DAYS",
    "MAX_WORKING_DAYS",
    "ORDINARY_WORKING_DAYS",
    "STATE_LABELS",
    "TOWNSHIP_ACTIONS",
    "TRANSITIONS",
    "DeadlineRule",
    "EventAction",
    "EventState",
    "allowed_actions",
    "event_deadline",
    "is_overdue",
    "next_state",
    "overdue_workdays",
    "rule_table",
]


class EventState(StrEnum):
    """Where an event stands in its workflow (办理状态)."""

    DRAFT = "draft"  # 草稿
    REPORTED = "reported"  # 上报
    ACCEPTED = "accepted"  # 受理
    RETURNED = "returned"  # 退回
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    WITHDRAWN = "withdrawn"  # 撤回
    IN_PROGRESS = "in_progress"  # 处置中
    HANDLED = "handled"  # 处置完毕
    VERIFYING = "verifying"  # 核查
    CLOSED = "closed"  # 结案
    REVISITED = "revisited"  # 回访评价
    ARCHIVED = "archived"  # 归档


class EventAction(StrEnum):
    """A move of the event workflow (办理操作). Order is the order actions are offered to the user."""

    REPORT = "report"  # 上报
    RESOLVE_AT_ONCE = "resolve_at_once"  # 即时办结
    ACCEPT = "accept"  # 受理
    RETURN = "return"  # 退回
    REJECT = "reject"  # 不予受理
    WITHDRAW = "withdraw"  # 撤回
    START = "start"  # 开始处置
    EXTEND = "extend"  # 延期
    FINISH = "finish"  # 处置完毕
    VERIFY = "verify"  # 提请核查
    CLOSE = "close"  # 核查通过，结案
    VERIFY_FAIL = "verify_fail"  # 核查不通过
    REVISIT = "revisit"  # 回访评价
    ARCHIVE = "archive"  # 归档


_S = EventState
_A = EventAction

#: The event workflow: (current state, action) → new state. Anything not listed is not allowed.
TRANSITIONS: Mapping[tuple[EventState, EventAction], EventState] = MappingProxyType(
    {
        (_S.DRAFT, _A.REPORT): _S.REPORTED,
        (_S.DRAFT, _A.RESOLVE_AT_ONCE): _S.HANDLED,
        (_S.REPORTED, _A.ACCEPT): _S.ACCEPTED,
        (_S.REPORTED, _A.RETURN): _S.RETURNED,
        (_S.REPORTED, _A.REJECT): _S.NOT_ACCEPTED,
        (_S.REPORTED, _A.WITHDRAW): _S.WITHDRAWN,
        (_S.RETURNED, _A.REPORT): _S.REPORTED,
        (_S.RETURNED, _A.WITHDRAW): _S.WITHDRAWN,
        (_S.ACCEPTED, _A.START): _S.IN_PROGRESS,
        (_S.IN_PROGRESS, _A.EXTEND): _S.IN_PROGRESS,
        (_S.IN_PROGRESS, _A.FINISH): _S.HANDLED,
        (_S.HANDLED, _A.VERIFY): _S.VERIFYING,
        (_S.VERIFYING, _A.CLOSE): _S.CLOSED,
        (_S.VERIFYING, _A.VERIFY_FAIL): _S.IN_PROGRESS,
        (_S.CLOSED, _A.REVISIT): _S.REVISITED,
        (_S.REVISITED, _A.ARCHIVE): _S.ARCHIVED,
        (_S.NOT_ACCEPTED, _A.ARCHIVE): _S.ARCHIVED,
        (_S.WITHDRAWN, _A.ARCHIVE): _S.ARCHIVED,
    }
)

#: Moves only the township may make (受理, 退回, 不予受理, 核查不通过, 结案).
TOWNSHIP_ACTIONS: frozenset[EventAction] = frozenset(
    {_A.ACCEPT, _A.RETURN, _A.REJECT, _A.VERIFY_FAIL, _A.CLOSE}
)

STATE_LABELS: Mapping[EventState, str] = MappingProxyType(
    {
        _S.DRAFT: "草稿",
        _S.REPORTED: "上报",
        _S.ACCEPTED: "受理",
        _S.RETURNED: "退回",
        _S.NOT_ACCEPTED: "不予受理",
        _S.WITHDRAWN: "撤回",
        _S.IN_PROGRESS: "处置中",
        _S.HANDLED: "处置完毕",
        _S.VERIFYING: "核查",
        _S.CLOSED: "结案",
        _S.REVISITED: "回访评价",
        _S.ARCHIVED: "归档",
    }
)

ACTION_LABELS: Mapping[EventAction, str] = MappingProxyType(
    {
        _A.REPORT: "上报",
        _A.RESOLVE_AT_ONCE: "即时办结",
        _A.ACCEPT: "受理",
        _A.RETURN: "退回",
        _A.REJECT: "不予受理",
        _A.WITHDRAW: "撤回",
        _A.START: "开始处置",
        _A.EXTEND: "延期",
        _A.FINISH: "处置完毕",
        _A.VERIFY: "提请核查",
        _A.CLOSE: "核查通过并结案",
        _A.VERIFY_FAIL: "核查不通过",
        _A.REVISIT: "回访评价",
        _A.ARCHIVE: "归档",
    }
)

EVENT_LIFECYCLE: Lifecycle[EventState, EventAction] = Lifecycle(
    noun="事件",
    state_type=EventState,
    action_type=EventAction,
    transitions=TRANSITIONS,
    state_labels=STATE_LABELS,
    action_labels=ACTION_LABELS,
    township_actions=TOWNSHIP_ACTIONS,
)


def next_state(state: EventState | str, action: EventAction | str) -> EventState:
    """The state after ``action``; ValidationError (field ``state``) naming the current state if not allowed."""
    return EVENT_LIFECYCLE.next_state(state, action)


def allowed_actions(state: EventState | str) -> tuple[EventAction, ...]:
    """What may be done with an event in ``state`` (empty once archived)."""
    return EVENT_LIFECYCLE.allowed_actions(state)


# --- deadlines (限时办理) ---------------------------------------------------------------------------------------

#: Category used when an event's category has no rule of its own.
DEFAULT_CATEGORY = "default"
ORDINARY_WORKING_DAYS = 3  # 一般事项: local practice is 2–3 working days
HARD_CASE_WORKING_DAYS = 7  # 疑难事项
MAX_WORKING_DAYS = 15  # 经批准延期后最多 15 个工作日


@dataclass(frozen=True)
class DeadlineRule:
    """Working days allowed to handle an event of ``category`` (办理时限), counted after the acceptance date."""

    category: str
    working_days: int

    def __post_init__(self) -> None:
        if not self.category.strip():
            raise ValidationError("category", "事件类别", "不能为空，请填写时限规则适用的事件类别")
        if not 1 <= self.working_days <= MAX_WORKING_DAYS:
            raise ValidationError(
                "working_days",
                "办理时限",
                f"应为 1 到 {MAX_WORKING_DAYS} 个工作日，现在是 {self.working_days}，请修改"
                "（当天办结的事件请标记为即时办结）",
                record=f"“{self.category}”类事件",
            )


DEFAULT_DEADLINE_RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule(DEFAULT_CATEGORY, ORDINARY_WORKING_DAYS),
    DeadlineRule("一般", ORDINARY_WORKING_DAYS),
    DeadlineRule("疑难", HARD_CASE_WORKING_DAYS),
)


def rule_table(rules: Iterable[DeadlineRule]) -> dict[str, int]:
    """Category → working days, the shape :func:`event_deadline` takes. Later rules override earlier ones."""
    return {r.category: r.working_days for r in rules}


#: The seed rules: 一般 3 working days, 疑难 7, anything else ("default") 3.
DEFAULT_RULES: Mapping[str, int] = MappingProxyType(rule_table(DEFAULT_DEADLINE_RULES))


def event_deadline(
    accepted_on: date,
    category: str,
    rules: Mapping[str, int],
    calendar: WorkCalendar,
    *,
    extension_days: int = 0,
    immediate: bool = False,
) -> WorkdayResult:
    """The day an event must be handled by (办理期限), counted in working days after ``accepted_on``.

    The rule for ``category`` gives the working days; a category without a rule uses ``rules["default"]`` (or 3 if
    the township has no default rule). ``extension_days`` (延期, approved) adds working days; rule plus extension
    may not exceed 15 working days. For 即时办结 (``immediate``) pass the day the event was solved: the deadline is
    that same day and it cannot be extended.

    The result is ``estimated`` when the count walked over a year whose holidays are not published.
    """
    if extension_days < 0:
        raise ValidationError(
            "extension_days", "延期天数", f"不能为负数（现在是 {extension_days}），请填写 0 或正整数"
        )
    if immediate:
        if extension_days:
            raise ValidationError(
                "extension_days",
                "延期天数",
                "即时办结的事件当天办结，不能延期；需要延期请取消“即时办结”，按限时办理",
            )
        return WorkdayResult(accepted_on)
    base = rules.get(category)
    if base is None:
        base = rules.get(DEFAULT_CATEGORY, ORDINARY_WORKING_DAYS)
    if not 1 <= base <= MAX_WORKING_DAYS:
        raise ValidationError(
            "working_days",
            "办理时限",
            f"应为 1 到 {MAX_WORKING_DAYS} 个工作日，现在是 {base}，请管理员修改办理时限规则",
            record=f"“{category}”类事件",
        )
    total = base + extension_days
    if total > MAX_WORKING_DAYS:
        raise ValidationError(
            "extension_days",
            "延期天数",
            f"办理时限 {base} 个工作日加延期 {extension_days} 个工作日共 {total} 个工作日，"
            f"超过上限：经批准最多 {MAX_WORKING_DAYS} 个工作日，延期天数最多填 {MAX_WORKING_DAYS - base}",
        )
    return calendar.add_workdays(accepted_on, total)


def is_overdue(deadline: date, today: date, done_on: date | None) -> bool:
    """True when the event was (or, not yet done, is) handled after its deadline. The deadline day is on time."""
    return (done_on if done_on is not None else today) > deadline


def overdue_workdays(deadline: date, today: date, done_on: date | None, calendar: WorkCalendar) -> int:
    """Working days by which the event is (or was) late: 0 when on time.

    A deadline on Friday is overdue on Saturday (:func:`is_overdue`) but late by 0 working days until Monday.
    """
    return calendar.workdays_between(deadline, done_on if done_on is not None else today)
