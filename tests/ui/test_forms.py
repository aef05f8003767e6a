"""The editor base (ui/forms.py): Enter saves, a refusal names the field and keeps the form, Esc asks, drafts are
kept while typing, dropped with the save, flushed when the app closes, and offered again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.drafts import drafts
from app.ledger import Ledger
from app.models import Draft, OutboxOp, Place
from app.services import places
from app.writer import WriteTx
from tests.conftest import Township
from tests.ui.keyboard import type_text
from ui import forms


class PhoneBook(forms.RecordDialog):
    """The smallest real editor: a place's name and phone."""

    kind = "place"

    def build_form(self, layout: QVBoxLayout) -> None:
        form = QFormLayout()
        self.name = QLineEdit()
        self.phone = QLineEdit()
        form.addRow("name", self.name)
        form.addRow("phone", self.phone)
        layout.addLayout(form)
        self.field_widgets.update(name=self.name, phone=self.phone)

    def load(self, session: Session) -> None:
        place = session.get_one(Place, self.record_id)
        self.name.setText(place.name)
        self.phone.setText(place.phone)

    def form_state(self) -> dict[str, Any]:
        return {"name": self.name.text(), "phone": self.phone.text()}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.name.setText(state["name"])
        self.phone.setText(state["phone"])

    def save(self, tx: WriteTx) -> str:
        if self.record_id is None:
            return places.register_place(
                tx,
                grid_id=self.context["grid_id"],
                kind="facility",
                name=self.name.text(),
                phone=self.phone.text(),
            ).id
        place = tx.session.get_one(Place, self.record_id)
        places.update_place(tx, place, name=self.name.text(), phone=self.phone.text())
        return place.id

    def draft_title(self) -> str:
        return self.name.text() or "new place"


def forget_typing(dialog: QWidget) -> None:
    """At the end of a test nothing is asked: whatever is still typed stays a draft."""
    if isinstance(dialog, forms.RecordDialog):
        dialog.dirty = False


class Window(QWidget):
    def __init__(self, ledger: Ledger) -> None:
        super().__init__()
        self.ledger = ledger


def editor(qtbot: QtBot, ledger: Ledger, township: Township, record_id: str | None = None) -> PhoneBook:
    dialog = PhoneBook(ledger, record_id, context={"grid_id": township.grid_a.id})
    qtbot.addWidget(dialog, before_close_func=forget_typing)
    dialog.show()
    return dialog


def answer_next_box(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(50, click)


def count(ledger: Ledger, query: Any) -> int:
    with ledger.read() as session:
        return int(session.scalar(query) or 0)


def test_enter_saves_and_drops_the_draft_in_the_same_transaction(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = editor(qtbot, ledger, township)
    saved: list[tuple[str, str]] = []
    forms.hub().saved.connect(lambda kind, rid: saved.append((kind, rid)))
    type_text(qtbot, dialog.name, "李家村小卖部")
    dialog.keep_draft()
    assert count(ledger, select(func.count()).select_from(Draft)) == 1
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.phone, "13909381234")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    with ledger.read() as session:
        place = session.scalars(select(Place)).one()
        assert (place.name, place.phone) == ("李家村小卖部", "13909381234")
        assert drafts(session) == []
        assert (
            session.scalar(select(func.count()).select_from(OutboxOp).where(OutboxOp.record_id == place.id))
            == 1
        )
    assert saved[-1] == ("place", place.id)
    assert dialog.last_op_ids


def test_a_refused_save_names_the_field_focuses_it_and_keeps_the_typing(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = editor(qtbot, ledger, township)
    qtbot.keyClicks(dialog.phone, "12345")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "名称" in dialog.error.text()
    assert QApplication.focusWidget() is dialog.name or dialog.focusWidget() is dialog.name
    assert dialog.phone.text() == "12345"
    assert count(ledger, select(func.count()).select_from(Place)) == 0
    with ledger.read() as session:
        assert [d.state for d in drafts(session)] == [{"name": "", "phone": "12345"}]


def test_draft_is_written_a_moment_after_typing(qtbot: QtBot, ledger: Ledger, township: Township) -> None:
    dialog = editor(qtbot, ledger, township)
    type_text(qtbot, dialog.name, "卫生室")

    def kept() -> None:
        with ledger.read() as session:
            assert [d.state["name"] for d in drafts(session)] == ["卫生室"]

    qtbot.waitUntil(kept, timeout=5000)
    dialog.dirty = False  # let the test end without the question


def test_escape_asks_and_keeping_editing_loses_nothing(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = editor(qtbot, ledger, township)
    type_text(qtbot, dialog.name, "村委会")
    seen: list[str] = []
    answer_next_box(QMessageBox.StandardButton.Cancel, seen)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert seen and "村委会" in seen[0]
    assert dialog.isVisible() and dialog.name.text() == "村委会"
    answer_next_box(QMessageBox.StandardButton.Discard, seen)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    with ledger.read() as session:
        assert drafts(session) == []
        assert session.scalar(select(func.count()).select_from(Place)) == 0


def test_escape_choosing_save_saves(qtbot: QtBot, ledger: Ledger, township: Township) -> None:
    dialog = editor(qtbot, ledger, township)
    type_text(qtbot, dialog.name, "农家书屋")
    answer_next_box(QMessageBox.StandardButton.Save, [])
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert count(ledger, select(func.count()).select_from(Place)) == 1


def test_an_unchanged_form_closes_without_asking(qtbot: QtBot, ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        place_id = places.register_place(tx, grid_id=township.grid_a.id, kind="facility", name="老屋").id
    dialog = editor(qtbot, ledger, township, place_id)
    assert dialog.name.text() == "老屋"
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def open_phone_book(monkeypatch: Any) -> None:
    monkeypatch.setitem(forms.EDITORS, "place", f"{__name__}:PhoneBook")


def test_open_editor_brings_the_open_editor_of_a_record_forward(
    qtbot: QtBot, ledger: Ledger, township: Township, monkeypatch: Any
) -> None:
    open_phone_book(monkeypatch)
    with ledger.write() as tx:
        place_id = places.register_place(tx, grid_id=township.grid_a.id, kind="facility", name="老屋").id
    window = Window(ledger)
    qtbot.addWidget(window)
    first = forms.open_editor(window, "place", place_id)
    assert forms.open_editor(window, "place", place_id) is first
    assert forms.open_editor(window, "place", grid_id=township.grid_a.id) is not first
    assert first.context == {}


def test_closing_the_app_keeps_drafts_and_the_next_start_offers_them(
    qtbot: QtBot, ledger: Ledger, township: Township, monkeypatch: Any
) -> None:
    open_phone_book(monkeypatch)
    window = Window(ledger)
    qtbot.addWidget(window)
    dialog = forms.open_editor(window, "place", grid_id=township.grid_a.id)
    assert isinstance(dialog, PhoneBook)
    type_text(qtbot, dialog.name, "党群服务中心")
    assert forms.close_editors(window) == 1  # no question: the typing is kept as a draft
    assert not dialog.isVisible()

    later = Window(ledger)
    qtbot.addWidget(later)
    seen: list[str] = []
    answer_next_box(QMessageBox.StandardButton.Open, seen)
    (restored,) = forms.restore_drafts(later)
    assert "党群服务中心" in seen[0]
    assert isinstance(restored, PhoneBook)
    assert restored.name.text() == "党群服务中心" and restored.dirty
    assert restored.context == {"grid_id": township.grid_a.id}
    qtbot.keyClick(restored.name, Qt.Key.Key_Return)
    with ledger.read() as session:
        assert session.scalars(select(Place.name)).all() == ["党群服务中心"]
        assert drafts(session) == []


def test_discarding_offered_drafts_asks_again_then_drops_them(
    qtbot: QtBot, ledger: Ledger, township: Township, monkeypatch: Any
) -> None:
    open_phone_book(monkeypatch)
    window = Window(ledger)
    qtbot.addWidget(window)
    dialog = forms.open_editor(window, "place", grid_id=township.grid_a.id)
    type_text(qtbot, dialog.findChild(QLineEdit), "草稿")
    forms.close_editors(window)
    clicks: list[Callable[[], None]] = []

    def answer(buttons: list[QMessageBox.StandardButton]) -> None:
        def click() -> None:
            box = QApplication.activeModalWidget()
            assert isinstance(box, QMessageBox)
            box.button(buttons.pop(0)).click()
            if buttons:
                QTimer.singleShot(50, click)

        clicks.append(click)
        QTimer.singleShot(50, click)

    answer([QMessageBox.StandardButton.Discard, QMessageBox.StandardButton.Yes])
    assert forms.restore_drafts(window) == []
    with ledger.read() as session:
        assert drafts(session) == []
    assert not [b for b in window.findChildren(QPushButton) if b.isVisible()]
