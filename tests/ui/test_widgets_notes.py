"""Notes (备注) fields: several lines where Enter starts a new line, Ctrl+Enter saves the form (Enter still saves
from a single-line field), Tab moves on; no more than the model column holds; kept in drafts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFormLayout, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import String, select
from sqlalchemy.orm import Session

from app.drafts import drafts
from app.ledger import Ledger
from app.models import Place
from app.services import places
from app.writer import WriteTx
from tests.conftest import Township
from tests.ui.keyboard import type_text
from ui import forms
from ui.widgets import NoteEdit, note_field


class NoteBook(forms.RecordDialog):
    """The smallest editor with notes: a place's name, notes and phone (in this Tab order)."""

    kind = "place"

    def build_form(self, layout: QVBoxLayout) -> None:
        form = QFormLayout()
        self.name = QLineEdit()
        self.note = note_field(Place.note)
        self.phone = QLineEdit()
        form.addRow("name", self.name)
        form.addRow("note", self.note)
        form.addRow("phone", self.phone)
        layout.addLayout(form)
        self.field_widgets.update(name=self.name, note=self.note, phone=self.phone)

    def load(self, session: Session) -> None:
        place = session.get_one(Place, self.record_id)
        self.name.setText(place.name)
        self.note.setText(place.note)

    def form_state(self) -> dict[str, Any]:
        return {"name": self.name.text(), "note": self.note.text()}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.name.setText(state["name"])
        self.note.setText(state["note"])

    def save(self, tx: WriteTx) -> str:
        return places.register_place(
            tx, grid_id=self.context["grid_id"], kind="facility", name=self.name.text(), note=self.note.text()
        ).id

    def draft_title(self) -> str:
        return self.name.text() or "new place"


def forget_typing(dialog: QWidget) -> None:
    if isinstance(dialog, forms.RecordDialog):
        dialog.dirty = False
        dialog.draft_timer.stop()


def editor(qtbot: QtBot, ledger: Ledger, township: Township, **kw: Any) -> NoteBook:
    dialog = NoteBook(ledger, context={"grid_id": township.grid_a.id}, **kw)
    qtbot.addWidget(dialog, before_close_func=forget_typing)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def saved_places(ledger: Ledger) -> list[tuple[str, str]]:
    with ledger.read() as session:
        return [(p.name, p.note) for p in session.scalars(select(Place))]


def test_enter_in_a_note_starts_a_new_line_and_ctrl_enter_saves(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = editor(qtbot, ledger, township)
    type_text(qtbot, dialog.name, "李家村卫生室")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.note
    type_text(qtbot, dialog.note, "周二、周四坐诊")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    type_text(qtbot, dialog.note, "联系村医")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Enter, Qt.KeyboardModifier.ShiftModifier)
    type_text(qtbot, dialog.note, "王大夫")
    assert dialog.isVisible() and saved_places(ledger) == []
    assert (
        dialog.note.text() == "周二、周四坐诊\n联系村医\n王大夫"
    )  # plain line breaks, no paragraph separators
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible(), dialog.error.text()
    assert saved_places(ledger) == [("李家村卫生室", "周二、周四坐诊\n联系村医\n王大夫")]


def test_enter_in_a_single_line_field_still_saves_and_ctrl_enter_too(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = editor(qtbot, ledger, township)
    type_text(qtbot, dialog.name, "李家村卫生室")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    other = editor(qtbot, ledger, township)
    type_text(qtbot, other.name, "李家村文化室")
    qtbot.keyClick(other.name, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not other.isVisible()
    assert sorted(saved_places(ledger)) == [("李家村卫生室", ""), ("李家村文化室", "")]


def test_tab_moves_out_of_a_note_instead_of_typing_a_tab(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = editor(qtbot, ledger, township)
    dialog.note.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.note)
    type_text(qtbot, dialog.note, "备注")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.phone
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is dialog.note
    qtbot.keyClick(dialog.note, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is dialog.name
    assert dialog.note.text() == "备注"


def test_a_note_shows_a_few_lines() -> None:
    note = NoteEdit()
    lines = note.fontMetrics().lineSpacing()
    assert NoteEdit.LINES * lines <= note.height() < (NoteEdit.LINES + 2) * lines


def test_a_note_takes_no_more_than_its_column_holds(qtbot: QtBot) -> None:
    limited = note_field(Place.name)  # a String column: the same limit a line edit for it has
    qtbot.addWidget(limited)
    column_type = Place.__table__.c.name.type
    assert isinstance(column_type, String) and column_type.length
    length = column_type.length
    assert limited.max_length == length
    limited.setText("甲" * (length + 5))
    assert limited.text() == "甲" * length  # a text set whole loses its end
    limited.setText("乙" * (length - 2))
    cursor = limited.textCursor()
    cursor.setPosition(3)
    limited.setTextCursor(cursor)
    qtbot.keyClicks(limited, "abcd")  # in the middle: only what still fits is taken
    assert limited.text() == "乙" * 3 + "ab" + "乙" * (length - 5)
    assert limited.textCursor().position() == 5
    QGuiApplication.clipboard().setText("XYZ")
    limited.paste()
    assert len(limited.text()) == length and "X" not in limited.text()
    unlimited = note_field(Place.note)  # a Text column: no limit
    assert unlimited.max_length is None
    unlimited.setText("丙" * 5000)
    assert len(unlimited.text()) == 5000


def test_a_note_of_several_lines_is_kept_in_the_draft_and_restored(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = editor(qtbot, ledger, township)
    type_text(qtbot, dialog.name, "李家村卫生室")
    dialog.note.setFocus()
    type_text(qtbot, dialog.note, "第一行")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    type_text(qtbot, dialog.note, "第二行")
    assert dialog.dirty  # typing in a note counts as a change
    dialog.keep_draft()
    with ledger.read() as session:
        (row,) = drafts(session)
    assert row.state["note"] == "第一行\n第二行"
    dialog.dirty = False
    dialog.close()
    restored = editor(qtbot, ledger, township, draft=row)
    assert restored.note.text() == "第一行\n第二行" and restored.dirty
    qtbot.keyClick(restored.name, Qt.Key.Key_Return)
    assert saved_places(ledger) == [("李家村卫生室", "第一行\n第二行")]
