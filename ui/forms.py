"""The base of every record editor: Enter (Ctrl+Enter in notes) saves, Esc asks before discarding, a draft kept
while typing.

An editor subclasses ``RecordDialog`` and fills in five methods:

- ``build_form(layout)`` adds its widgets (in Tab order) to the dialog's layout;
- ``load(session)`` fills them from the record being edited (not called for a new record);
- ``form_state()`` / ``restore_state(state)`` turn what the widgets hold into JSON and back (the draft);
- ``save(tx)`` writes through the services and returns the record's id (raise ``LedgerError`` to refuse);
- ``draft_title()`` names the draft in the restore prompt ("户 620502101201001-0001 · 张三").

The base notices changes in every input widget it finds after ``build_form`` (call ``mark_dirty`` for anything
else), writes the draft to the encrypted ledger a moment after each change, drops it in the same transaction as
the save, shows a refused save's message above the form with the field focused (``Refusal`` for a refusal of the
editor's own, in the UI's language), and tells the rest of the window through ``hub().saved``. ``open_editor``
opens one editor per record and ``restore_drafts`` offers the drafts a crash left behind.
"""

from __future__ import annotations

import importlib
import uuid
from typing import Any, ClassVar

from PySide6.QtCore import QDate, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.drafts import DraftRow, drafts, drop_draft, keep_draft
from app.errors import LedgerError, ValidationError
from app.ledger import Ledger
from app.writer import WriteTx

DRAFT_DELAY_MS = 1000
"""A draft is written this long after the last change: often enough that a power cut loses a second of typing."""

EDITORS: dict[str, str] = {
    "household": "ui.household_editor:HouseholdEditor",
    "person": "ui.person_editor:PersonEditor",
    "place": "ui.place_editor:PlaceEditor",
    "organisation": "ui.organisation_editor:OrganisationEditor",
}
"""Record kind → the editor class that edits it, imported when first opened."""


class Refusal(ValidationError):
    """A save the editor itself refuses before the services are asked (a date it cannot read, no grid chosen).

    Unlike the services' refusals, whose Chinese sentence the domain layer builds, ``message`` is the whole sentence
    in the UI's language (a tr() string naming the record and the field); ``widget`` is the input to put the cursor
    in (else the editor's widget for ``field``).
    """

    def __init__(self, field: str, message: str, widget: QWidget | None = None) -> None:
        super().__init__(field, "", message)
        self.message = message
        self.args = (message,)
        self.widget = widget


class FormHub(QObject):
    """Where editors tell the window what they saved: ``saved(kind, record_id)``."""

    saved = Signal(str, str)
    saved_ops = Signal(str, str, list, str)
    """``(kind, record_id, op_ids, title)`` after each save: the outbox operations an undo would reverse."""


_hub: FormHub | None = None


def hub() -> FormHub:
    global _hub
    if _hub is None:
        _hub = FormHub()
    return _hub


class RecordDialog(QDialog):
    kind: ClassVar[str] = ""

    def __init__(
        self,
        ledger: Ledger,
        record_id: str | None = None,
        *,
        context: dict[str, Any] | None = None,
        draft: DraftRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.record_id = record_id
        self.context = dict(context or {})
        self.draft_key = draft.key if draft else (f"{self.kind}:{record_id or 'new:' + uuid.uuid4().hex}")
        self.dirty = False
        self.last_op_ids: list[str] = []
        """Outbox operations of the last save (what an undo would reverse)."""
        self.field_widgets: dict[str, QWidget] = {}
        """Model field → the widget that edits it, so a refused save can put the cursor there."""
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        self.build_form(layout)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(
            QApplication.translate("RecordDialog", "Save")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            QApplication.translate("RecordDialog", "Cancel")
        )
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save_button.setDefault(True)
        save_button.setToolTip(QApplication.translate("RecordDialog", "Save (Enter, or Ctrl+Enter in notes)"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if record_id is not None:
            with ledger.read() as session:
                self.load(session)
        if draft is not None:
            self.restore_state(draft.state)
        self.draft_timer = QTimer(self)
        self.draft_timer.setSingleShot(True)
        self.draft_timer.setInterval(DRAFT_DELAY_MS)
        self.draft_timer.timeout.connect(self.keep_draft)
        self.watch(self)
        self.dirty = draft is not None
        self.setWindowTitle(self.window_title())

    # -- what an editor fills in -------------------------------------------------------------------
    def build_form(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

    def load(self, session: Session) -> None:
        raise NotImplementedError

    def form_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def restore_state(self, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def save(self, tx: WriteTx) -> str:
        raise NotImplementedError

    def draft_title(self) -> str:
        return self.windowTitle()

    def window_title(self) -> str:
        return self.kind

    def handle_error(self, error: LedgerError) -> bool:
        """A refused save the editor handles itself (e.g. a duplicate ID number opens that person): True if so."""
        return False

    # -- changes and drafts ------------------------------------------------------------------------
    def watch(self, root: QWidget) -> None:
        """Notice edits in every input widget under ``root`` (call again for widgets added later)."""
        for line in root.findChildren(QLineEdit):
            if not isinstance(line.parent(), (QComboBox, QAbstractSpinBox)):
                line.textEdited.connect(self.mark_dirty)
        for combo in root.findChildren(QComboBox):
            combo.activated.connect(self.mark_dirty)
            if combo.isEditable():
                combo.editTextChanged.connect(self.mark_dirty)
        for spin in root.findChildren(QAbstractSpinBox):
            spin.editingFinished.connect(self.mark_dirty)
            if hasattr(spin, "dateChanged"):
                spin.dateChanged.connect(self.mark_dirty)
            elif hasattr(spin, "valueChanged"):
                spin.valueChanged.connect(self.mark_dirty)
        for plain in root.findChildren(QPlainTextEdit):
            plain.textChanged.connect(self.mark_dirty)
        for rich in root.findChildren(QTextEdit):
            rich.textChanged.connect(self.mark_dirty)
        for button in root.findChildren(QAbstractButton):
            if button.isCheckable():
                button.toggled.connect(self.mark_dirty)

    def mark_dirty(self, *_args: object) -> None:
        self.dirty = True
        self.draft_timer.start()

    def keep_draft(self) -> None:
        """Write the draft now (the timer calls this a moment after the last change)."""
        self.draft_timer.stop()
        if not self.dirty:
            return
        with self.ledger.write() as tx:
            keep_draft(
                tx,
                self.draft_key,
                kind=self.kind,
                record_id=self.record_id,
                title=self.draft_title(),
                state=self.form_state(),
                context=self.context,
            )

    def discard_draft(self) -> None:
        self.draft_timer.stop()
        with self.ledger.write() as tx:
            drop_draft(tx, self.draft_key)
        self.dirty = False

    # -- save, cancel ------------------------------------------------------------------------------
    def accept(self) -> None:
        """Save (Enter or the Save button); on a refusal say why, put the cursor on the field, keep the form."""
        if self.save_now():
            super().accept()

    def save_now(self) -> bool:
        self.draft_timer.stop()
        try:
            with self.ledger.write() as tx:
                record_id = self.save(tx)
                drop_draft(tx, self.draft_key)
                self.last_op_ids = list(tx.op_ids)
        except LedgerError as exc:
            self.show_error(exc)
            if self.dirty:
                self.keep_draft()
            return False
        self.record_id = record_id
        self.dirty = False
        self.error.setVisible(False)
        hub().saved.emit(self.kind, record_id)
        hub().saved_ops.emit(self.kind, record_id, list(self.last_op_ids), self.draft_title())
        return True

    def show_error(self, error: LedgerError) -> None:
        if self.handle_error(error):
            return
        widget = None
        if isinstance(error, Refusal) and error.widget is not None:
            widget = error.widget
        elif isinstance(error, ValidationError):
            widget = self.field_widgets.get(error.field)
        self.say(error.message, widget)
        if isinstance(widget, QLineEdit):
            widget.selectAll()

    def say(self, message: str, widget: QWidget | None = None) -> None:
        """Show a problem above the form ("" hides it), and put the cursor where it is."""
        self.error.setText(message)
        self.error.setVisible(bool(message))
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def may_close(self) -> bool:
        """Nothing typed would be lost, or the person chose to save it (and it saved) or to discard it."""
        if not self.dirty:
            return True
        tr = "RecordDialog"
        answer = question(
            self,
            QApplication.translate(tr, "Unsaved changes"),
            QApplication.translate(tr, "Save the changes to %1?").replace("%1", self.draft_title()),
            {
                QMessageBox.StandardButton.Save: QApplication.translate(tr, "Save"),
                QMessageBox.StandardButton.Discard: QApplication.translate(tr, "Discard"),
                QMessageBox.StandardButton.Cancel: QApplication.translate(tr, "Keep editing"),
            },
            default=QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save_now()
        if answer == QMessageBox.StandardButton.Discard:
            self.discard_draft()
            return True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Ctrl+Enter saves from any field, notes included (where Enter starts a new line); Enter saves from a
        single-line field through the default button, as in every dialog."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            event.accept()
            self.accept()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """Esc or Cancel: ask first when something typed would be lost."""
        if self.may_close():
            self.draft_timer.stop()
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        """The window's close box: the same question as Esc."""
        if self.may_close():
            self.draft_timer.stop()
            event.accept()
        else:
            event.ignore()


def question(
    parent: QWidget,
    title: str,
    text: str,
    buttons: dict[QMessageBox.StandardButton, str],
    default: QMessageBox.StandardButton,
) -> int:
    """A question with buttons named in words (保存 / 不保存 / 继续编辑), not Qt's defaults: the button chosen."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    for button, label in buttons.items():
        box.addButton(button).setText(label)
    box.setDefaultButton(default)
    return box.exec()


# -- small helpers editors share ------------------------------------------------------------------------
def qdate(value: Any) -> QDate:
    return QDate(value.year, value.month, value.day) if value is not None else QDate()


def editor_class(kind: str) -> type[RecordDialog]:
    module, name = EDITORS[kind].split(":")
    cls: type[RecordDialog] = getattr(importlib.import_module(module), name)
    return cls


def _alive(dialog: RecordDialog) -> bool:
    try:
        dialog.isVisible()
    except RuntimeError:
        return False
    return True


_EDITORS_OPEN: dict[int, dict[str, RecordDialog]] = {}


def open_editor(
    window: QWidget,
    kind: str,
    record_id: str | None = None,
    *,
    grid_id: str | None = None,
    context: dict[str, Any] | None = None,
    draft: DraftRow | None = None,
) -> RecordDialog:
    """Open the editor of a record (a new one when ``record_id`` is None), or bring its open editor forward.

    ``window`` must have a ``ledger``; the editor is a modeless window of it, so the lists stay usable.
    """
    ledger: Ledger = window.ledger  # type: ignore[attr-defined]
    key = draft.key if draft else (f"{kind}:{record_id}" if record_id else None)
    open_now = _EDITORS_OPEN.setdefault(id(window), {})
    for stale in [k for k, d in open_now.items() if not _alive(d) or not d.isVisible()]:
        del open_now[stale]
    if key is not None and key in open_now:
        dialog = open_now[key]
    else:
        ctx = dict(context or {})
        if grid_id is not None:
            ctx["grid_id"] = grid_id
        dialog = editor_class(kind)(ledger, record_id, context=ctx, draft=draft, parent=window)
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        open_now[dialog.draft_key] = dialog
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def close_editors(window: QWidget) -> int:
    """The app is closing: keep what each open editor holds as a draft (offered at the next start) and close it.
    Returns how many drafts were kept."""
    kept = 0
    for dialog in _EDITORS_OPEN.pop(id(window), {}).values():
        if not _alive(dialog):
            continue
        if dialog.dirty:
            dialog.keep_draft()
            dialog.dirty = False  # kept as a draft: closing must not ask
            kept += 1
        dialog.close()
    return kept


def restore_drafts(window: QWidget, *, ask: bool = True) -> list[RecordDialog]:
    """Offer the drafts a crash, power cut or closed window left: reopen each in its editor, or drop them."""
    ledger: Ledger = window.ledger  # type: ignore[attr-defined]
    with ledger.read() as session:
        waiting = [d for d in drafts(session, ledger.actor) if d.kind in EDITORS]
    if not waiting:
        return []
    if ask:
        titles = "\n".join(f"· {d.title}" for d in waiting[:10])
        answer = question(
            window,
            QApplication.translate("drafts", "Unsaved entries found"),
            QApplication.translate(
                "drafts", "%1 entries were not saved when GridDesk last closed:\n%2\n\nOpen them to finish?"
            )
            .replace("%1", str(len(waiting)))
            .replace("%2", titles),
            {
                QMessageBox.StandardButton.Open: QApplication.translate("drafts", "Open them"),
                QMessageBox.StandardButton.Discard: QApplication.translate("drafts", "Discard them"),
                QMessageBox.StandardButton.Ignore: QApplication.translate("drafts", "Ask me next time"),
            },
            default=QMessageBox.StandardButton.Open,
        )
        if answer == QMessageBox.StandardButton.Discard:
            confirm = QMessageBox.question(
                window,
                QApplication.translate("drafts", "Discard unsaved entries"),
                QApplication.translate("drafts", "Discard %1 unsaved entries for good?").replace(
                    "%1", str(len(waiting))
                ),
            )
            if confirm == QMessageBox.StandardButton.Yes:
                with ledger.write() as tx:
                    for d in waiting:
                        drop_draft(tx, d.key)
            return []
        if answer != QMessageBox.StandardButton.Open:
            return []
    return [open_editor(window, d.kind, d.record_id, context=d.context, draft=d) for d in waiting]
