"""Undo of the last save (撤销): remembers what the editors saved last and offers Ctrl+Z while it is safe.

The rule of what is safe lives in ``app.undo``; this holds the last save, keeps an action's enabled state in step,
and tells the status bar ("已保存 … 撤销 (Ctrl+Z)").
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from app import undo as undo_rules
from app.errors import LedgerError
from app.ledger import Ledger
from ui.forms import hub


@dataclass(frozen=True)
class LastSave:
    kind: str
    record_id: str
    op_ids: tuple[str, ...]
    title: str


class UndoStack(QObject):
    """The last save of any editor, and the undo of it."""

    changed = Signal()
    """The last save, or whether it can be undone, changed."""
    message = Signal(str)
    """A line for the status bar: what was saved (and that Ctrl+Z undoes it), or what the undo did."""
    undone = Signal(str, str)
    """``(kind, record_id)`` after an undo, so views showing the record refresh."""

    def __init__(self, ledger: Ledger, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.last: LastSave | None = None
        self._actions: list[QAction] = []
        hub().saved_ops.connect(self.remember)

    def remember(self, kind: str, record_id: str, op_ids: list[str], title: str) -> None:
        """An editor saved: this save is now the one Ctrl+Z undoes."""
        if not op_ids:
            return
        self.last = LastSave(kind, record_id, tuple(op_ids), title)
        self.refresh()
        self.message.emit(self.tr("Saved %1 — Undo (Ctrl+Z)").replace("%1", title))

    def reason(self) -> str | None:
        """None when the last save can be undone now, else why not (in Chinese)."""
        if self.last is None:
            return self.tr("Nothing to undo.")
        with self.ledger.read() as session:
            return undo_rules.can_undo(session, self.last.op_ids)

    def can_undo(self) -> bool:
        return self.reason() is None

    def refresh(self) -> None:
        """Re-check whether the last save can still be undone (call after syncs and other writes)."""
        reason = self.reason()
        for action in self._actions:
            action.setEnabled(reason is None)
            action.setStatusTip(reason or "")
            if self.last is not None:
                action.setText(self.tr("&Undo save of %1").replace("%1", self.last.title))
        self.changed.emit()

    def undo(self, *, confirm_parent: QWidget | None = None) -> bool:
        """Undo the last save; with ``confirm_parent`` ask first. False (and a message) when refused."""
        last = self.last
        if last is None:
            return False
        if confirm_parent is not None:
            answer = QMessageBox.question(
                confirm_parent,
                self.tr("Undo"),
                self.tr("Undo the last save of %1?").replace("%1", last.title),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            with self.ledger.write() as tx:
                undo_rules.undo(tx, last.op_ids)
        except LedgerError as exc:
            self.message.emit(exc.message)
            self.refresh()
            return False
        self.last = None
        self.refresh()
        self.message.emit(self.tr("Undone: %1").replace("%1", last.title))
        self.undone.emit(last.kind, last.record_id)
        hub().saved.emit(last.kind, last.record_id)
        return True

    def undo_action(self, parent: QObject) -> QAction:
        """An "Undo" action (Ctrl+Z) enabled only while the last save can be undone."""
        action = QAction(self.tr("&Undo last save"), parent)
        action.setShortcut(QKeySequence.StandardKey.Undo)
        action.triggered.connect(lambda: self.undo())
        self._actions.append(action)
        action.destroyed.connect(lambda: self._forget(action))
        self.refresh()
        return action

    def _forget(self, action: QAction) -> None:
        if action in self._actions:
            self._actions.remove(action)
