"""Workflow rules: the state graphs of events (事件, :mod:`app.rules.events`) and errands (代办, :mod:`app.rules.errands`).

Each workflow is one :class:`Lifecycle`: a single transition table ``(state, action) → new state`` plus Chinese labels
and the set of moves only the township may make. Services, the UI (which buttons to show) and the sync server all ask
the same table, so the rule lives in one place. This package is pure: no database, no Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from app.errors import ValidationError

__all__ = ["Lifecycle"]

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


@dataclass(frozen=True)
class Lifecycle(Generic[S, A]):
    """A workflow's state graph: one transition table and the words to talk about it.

    ``noun`` is the record's Chinese name (事件, 代办件) used in messages.
    """

    noun: str
    state_type: type[S]
    action_type: type[A]
    transitions: Mapping[tuple[S, A], S]
    state_labels: Mapping[S, str]
    action_labels: Mapping[A, str]
    township_actions: frozenset[A]

    def __post_init__(self) -> None:
        # Fail at import time, not in front of a user, if the table and the labels drift apart.
        missing_states = [s for s in self.state_type if s not in self.state_labels]
        missing_actions = [a for a in self.action_type if a not in self.action_labels]
        if missing_states or missing_actions:
            raise RuntimeError(f"{self.noun}: labels missing for {missing_states + missing_actions}")

    def parse_state(self, state: S | str) -> S:
        """``state`` as the enum; a stored value that is not a state raises ValidationError (field ``state``)."""
        try:
            return self.state_type(state)
        except ValueError:
            raise ValidationError(
                "state",
                "办理状态",
                f"“{state}”不是{self.noun}的办理状态，请刷新后重试；如仍出现，请联系技术人员检查数据",
            ) from None

    def parse_action(self, action: A | str) -> A:
        """``action`` as the enum; an unknown value raises ValidationError (field ``state``)."""
        try:
            return self.action_type(action)
        except ValueError:
            raise ValidationError(
                "state", "办理状态", f"“{action}”不是{self.noun}的办理操作，请从界面提供的操作中选择"
            ) from None

    def allowed_actions(self, state: S | str) -> tuple[A, ...]:
        """Actions allowed in ``state``, in the order of the action enum (the order buttons are shown)."""
        current = self.parse_state(state)
        return tuple(a for a in self.action_type if (current, a) in self.transitions)

    def is_terminal(self, state: S | str) -> bool:
        """True when no action leads out of ``state``."""
        return not self.allowed_actions(state)

    def next_state(self, state: S | str, action: A | str) -> S:
        """The state after ``action`` in ``state``.

        Raises ValidationError (field ``state``, label 办理状态) naming the current state and the attempted action
        in Chinese, and listing what may be done now.
        """
        current = self.parse_state(state)
        act = self.parse_action(action)
        target = self.transitions.get((current, act))
        if target is not None:
            return target
        here = self.state_labels[current]
        tried = self.action_labels[act]
        allowed = self.allowed_actions(current)
        if allowed:
            choices = "、".join(f"“{self.action_labels[a]}”" for a in allowed)
            hint = f"当前只能{choices}"
        else:
            hint = "办理流程已结束，不能再操作；如问题仍未解决，请新建一条记录"
        raise ValidationError("state", "办理状态", f"{self.noun}当前为“{here}”，不能“{tried}”。{hint}")

    def is_township_action(self, action: A | str) -> bool:
        """True when only the township may make this move (the sync server rejects it from a village laptop)."""
        return self.parse_action(action) in self.township_actions
