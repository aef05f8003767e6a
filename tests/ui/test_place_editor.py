"""The place editor by keyboard: rental housing with owner and tenants, ending a tenancy, a complex place, a
service point; Enter saves, Esc asks, a refused save names the field, drafts are kept and restored; and the
person picker it is built on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QTableWidget, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.drafts import drafts
from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import Person, Place, Tenancy
from app.services import persons, places
from app.writer import WriteTx
from tests.conftest import Township
from tests.ui.keyboard import type_text
from ui import forms
from ui.place_editor import PlaceEditor

SEQUENCE = iter(range(11, 999, 2))


def add_person(
    ledger: Ledger, township: Township, name: str, born: date, phone: str = "", *, female: bool = False
) -> str:
    """A synthetic villager of grid A with a valid ID number (even sequence for a woman); returns the id."""
    with ledger.write() as tx:
        number = make_id_number("620502", born, next(SEQUENCE) + (1 if female else 0))
        saved = persons.register_person(
            tx, grid_id=township.grid_a.id, name=name, id_number=number, phone=phone
        )
        return saved.record.id


class Window(QWidget):
    def __init__(self, ledger: Ledger) -> None:
        super().__init__()
        self.ledger = ledger


def open_place(qtbot: QtBot, ledger: Ledger, place_id: str | None = None, **context: Any) -> PlaceEditor:
    dialog = PlaceEditor(ledger, place_id, context=context)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def focus(qtbot: QtBot, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget or widget.hasFocus(), timeout=2000)


def tab(qtbot: QtBot, backwards: bool = False) -> QWidget:
    """Press Tab in the widget with the focus; the widget that has it next."""
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab)
    after = QApplication.focusWidget()
    assert after is not None
    return after


def focus_widget() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None, (row, column)
    return item.text()


def focused(widget: QWidget) -> bool:
    now = QApplication.focusWidget()
    return now is widget or (now is not None and widget.isAncestorOf(now))


def answer_next_box(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(50, click)


def replace_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Select what the field holds and type over it."""
    target = widget.lineEdit() if hasattr(widget, "lineEdit") and widget.lineEdit() else widget
    assert isinstance(target, QLineEdit)
    target.setFocus()
    qtbot.keyClick(target, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(target, Qt.Key.Key_Delete)
    type_text(qtbot, target, text)


@pytest.fixture(autouse=True)
def close_editors() -> Iterator[None]:
    """Close the editors a test opened without the unsaved-changes question (a failed test leaves a changed
    form open, and nobody would answer); pytest-qt's own closing would ask."""
    yield
    for widget in QApplication.topLevelWidgets():
        for dialog in [widget, *widget.findChildren(forms.RecordDialog)]:
            if isinstance(dialog, forms.RecordDialog):
                dialog.dirty = False
                dialog.draft_timer.stop()
                dialog.close()


@pytest.fixture
def people(ledger: Ledger, township: Township) -> dict[str, str]:
    return {
        "owner": add_person(ledger, township, "王建国", date(1968, 4, 12), "13909381234"),
        "tenant1": add_person(ledger, township, "李秀英", date(1990, 7, 3), "13893845678", female=True),
        "tenant2": add_person(ledger, township, "赵小明", date(1995, 11, 21)),
        "keeper": add_person(ledger, township, "孙海涛", date(1979, 2, 8), "13519381111"),
    }


def id_tail(ledger: Ledger, person_id: str) -> str:
    with ledger.read() as session:
        number = session.get_one(Person, person_id).id_number
        assert number
        return number[-6:]


def read_place(ledger: Ledger) -> tuple[Place, list[Tenancy]]:
    with ledger.read() as session:
        place = session.scalars(select(Place)).one()
        tenancies = list(session.scalars(select(Tenancy).order_by(Tenancy.start_on)))
        session.expunge_all()
        return place, tenancies


def test_rental_house_with_owner_and_two_tenants_typed_by_keyboard(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    dialog = open_place(qtbot, ledger, grid_id=township.grid_a.id)
    assert dialog.kind_picker.code() == "rental" and dialog.tenants_box.isVisible()
    assert "李家村第一网格" in dialog.grid_label.text()
    focus(qtbot, dialog.name_edit)
    type_text(qtbot, dialog.name_edit, "王建国出租屋")
    assert tab(qtbot) is dialog.address_edit
    type_text(qtbot, dialog.address_edit, "李家村三组15号")
    assert focused(tab(qtbot)) and focused(dialog.renting_use)
    type_text(qtbot, focus_widget(), "住房")
    assert tab(qtbot) is dialog.owner_picker
    assert dialog.renting_use.code() == "02"
    type_text(qtbot, dialog.owner_picker, "王建国")
    assert dialog.owner_picker.results_visible()
    qtbot.keyClick(dialog.owner_picker, Qt.Key.Key_Return)  # picks, does not save
    assert dialog.isVisible() and not dialog.owner_picker.results_visible()
    assert dialog.owner_picker.person_id() == people["owner"]
    assert dialog.phone_edit.text() == "13909381234"  # the owner's phone comes along
    assert tab(qtbot) is dialog.phone_edit
    assert focused(tab(qtbot)) and focused(dialog.rooms_spin)
    qtbot.keyClicks(QApplication.focusWidget(), "4")

    # First tenant by pinyin initials, second by the last digits of the ID number; Enter adds each.
    focus(qtbot, dialog.tenant_picker)
    qtbot.keyClicks(dialog.tenant_picker, "lxy")
    assert [h.name for h in dialog.tenant_picker.hits()][:1] == ["李秀英"]
    qtbot.keyClick(dialog.tenant_picker, Qt.Key.Key_Return)
    assert tab(qtbot) is dialog.start_edit
    qtbot.keyClicks(dialog.start_edit, "20250301")
    qtbot.keyClick(dialog.start_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.tenant_table.rowCount() == 1
    assert focused(dialog.tenant_picker) and dialog.tenant_picker.text() == ""
    qtbot.keyClicks(dialog.tenant_picker, id_tail(ledger, people["tenant2"]))
    qtbot.keyClick(dialog.tenant_picker, Qt.Key.Key_Return)
    replace_text(qtbot, dialog.start_edit, "2025-06-15")
    qtbot.keyClick(dialog.start_edit, Qt.Key.Key_Return)
    assert dialog.tenant_table.rowCount() == 2
    assert cell(dialog.tenant_table, 1, 0) == "赵小明"
    assert "*" in cell(dialog.tenant_table, 1, 1)  # ID numbers shown masked

    focus(qtbot, dialog.name_edit)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible(), dialog.error.text()
    place, tenancies = read_place(ledger)
    assert (place.kind, place.name, place.address, place.category) == (
        "rental",
        "王建国出租屋",
        "李家村三组15号",
        "02",
    )
    assert (place.owner_id, place.owner_name, place.phone) == (people["owner"], "王建国", "13909381234")
    assert place.grid_id == township.grid_a.id and place.fields == {"rooms": 4}
    assert [(t.person_id, t.start_on, t.end_on) for t in tenancies] == [
        (people["tenant1"], date(2025, 3, 1), None),
        (people["tenant2"], date(2025, 6, 15), None),
    ]
    assert all(t.place_id == place.id and t.grid_id == township.grid_a.id for t in tenancies)


def rental_with_tenant(ledger: Ledger, township: Township, tenant_id: str, owner_id: str) -> str:
    with ledger.write() as tx:
        place = places.register_place(
            tx, grid_id=township.grid_a.id, kind="rental", name="王家出租屋", owner_id=owner_id, category="02"
        )
        tenant = tx.session.get_one(Person, tenant_id)
        places.add_tenant(tx, place, tenant, date(2025, 3, 1))
        return place.id


def test_ending_a_tenancy_refuses_a_date_before_the_start_then_saves_the_end(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    place_id = rental_with_tenant(ledger, township, people["tenant1"], people["owner"])
    dialog = open_place(qtbot, ledger, place_id)
    assert not dialog.kind_picker.isEnabled()
    assert dialog.owner_picker.person_id() == people["owner"] and dialog.owner_picker.text().startswith(
        "王建国"
    )
    assert dialog.tenant_table.rowCount() == 1 and not dialog.end_button.isEnabled()
    focus(qtbot, dialog.tenant_table)
    qtbot.keyClick(dialog.tenant_table, Qt.Key.Key_Down)
    assert dialog.tenant_table.currentRow() == 0 and dialog.end_button.isEnabled()
    assert tab(qtbot) is dialog.end_edit
    qtbot.keyClicks(dialog.end_edit, "20250201")  # before it started
    qtbot.keyClick(dialog.end_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert cell(dialog.tenant_table, 0, 4) == "2025-02-01"
    focus(qtbot, dialog.name_edit)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and "退租日期" in dialog.error.text()
    assert focused(dialog.end_edit)
    replace_text(qtbot, dialog.end_edit, "20251031")
    qtbot.keyClick(dialog.end_edit, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.end_edit, Qt.Key.Key_Return)  # the end typed again changes nothing: now Enter saves
    assert not dialog.isVisible(), dialog.error.text()
    _place, (tenancy,) = read_place(ledger)
    assert (tenancy.start_on, tenancy.end_on) == (date(2025, 3, 1), date(2025, 10, 31))


def test_a_saved_tenancy_can_only_be_ended_not_removed(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    place_id = rental_with_tenant(ledger, township, people["tenant1"], people["owner"])
    dialog = open_place(qtbot, ledger, place_id)
    dialog.tenant_table.selectRow(0)
    assert not dialog.remove_tenant_button.isEnabled()
    dialog.remove_tenant()
    assert dialog.tenant_table.rowCount() == 1 and dialog.error.isVisible()
    assert dialog.tenancies[0]["tenancy_id"] is not None


def test_complex_place_with_responsible_person_and_risk_notes(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    dialog = open_place(qtbot, ledger, grid_id=township.grid_a.id)
    owner_label = dialog.owner_label.text()
    replace_text(qtbot, dialog.kind_picker, "复杂场所")
    assert dialog.kind_picker.code() == "complex"
    assert not dialog.tenants_box.isVisible() and dialog.risk_edit.isVisibleTo(dialog)
    assert dialog.owner_label.text() != owner_label  # 负责人, not 房主
    assert tab(qtbot) is dialog.name_edit
    type_text(qtbot, dialog.name_edit, "李家村鑫源网吧")
    tab(qtbot)
    type_text(qtbot, dialog.address_edit, "李家村街道8号")
    assert focused(tab(qtbot)) and focused(dialog.complex_category)
    type_text(qtbot, focus_widget(), "网吧")
    assert tab(qtbot) is dialog.owner_picker
    qtbot.keyClicks(dialog.owner_picker, "sht")
    qtbot.keyClick(dialog.owner_picker, Qt.Key.Key_Return)
    assert dialog.owner_picker.person_id() == people["keeper"]
    tab(qtbot)
    assert focused(tab(qtbot)) and focused(dialog.danger_picker)
    replace_text(qtbot, dialog.danger_picker, "治安")
    assert dialog.danger_picker.code() == "02"
    assert tab(qtbot) is dialog.risk_edit
    type_text(qtbot, dialog.risk_edit, "未成年人进入")
    qtbot.keyClick(dialog.risk_edit, Qt.Key.Key_Return)  # Enter in the notes starts a new line
    type_text(qtbot, dialog.risk_edit, "消防通道堵塞")
    assert dialog.isVisible()
    qtbot.keyClick(
        dialog.risk_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )  # Ctrl+Enter saves
    assert not dialog.isVisible(), dialog.error.text()
    place, tenancies = read_place(ledger)
    assert (place.kind, place.name, place.category, place.hidden_danger) == (
        "complex",
        "李家村鑫源网吧",
        "网吧",
        "02",
    )
    assert (place.owner_id, place.owner_name, place.phone) == (people["keeper"], "孙海涛", "13519381111")
    assert place.fields == {"risk": "未成年人进入\n消防通道堵塞"}
    assert tenancies == []


def test_service_point_of_the_quarter_hour_circle(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    dialog = open_place(qtbot, ledger, grid_id=township.grid_a.id, kind="service_point")
    assert dialog.kind_picker.code() == "service_point"
    assert dialog.service_category.isVisibleTo(dialog) and not dialog.renting_use.isVisibleTo(dialog)
    assert not dialog.tenants_box.isVisibleTo(dialog)
    focus(qtbot, dialog.name_edit)
    type_text(qtbot, dialog.name_edit, "李家村卫生室")
    tab(qtbot)
    assert focused(tab(qtbot)) and focused(dialog.service_category)
    type_text(qtbot, focus_widget(), "卫生")
    assert dialog.service_category.code() == "health"
    assert tab(qtbot) is dialog.owner_picker
    type_text(qtbot, dialog.owner_picker, "李秀英")
    qtbot.keyClick(dialog.owner_picker, Qt.Key.Key_Return)
    assert tab(qtbot) is dialog.phone_edit
    replace_text(qtbot, dialog.phone_edit, "0938-8212345")
    assert tab(qtbot) is dialog.hours_edit
    qtbot.keyClicks(dialog.hours_edit, "8:00-18:00")
    qtbot.keyClick(dialog.hours_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible(), dialog.error.text()
    place, _ = read_place(ledger)
    assert (place.kind, place.category, place.owner_id, place.owner_name) == (
        "service_point",
        "health",
        people["tenant1"],
        "李秀英",
    )
    assert place.phone.startswith("0938") and place.fields == {"hours": "8:00-18:00"}


def test_an_owner_not_in_the_ledger_is_kept_as_a_name(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = open_place(qtbot, ledger, grid_id=township.grid_a.id)
    type_text(qtbot, dialog.name_edit, "村集体出租屋")
    type_text(qtbot, dialog.owner_picker, "村集体")
    assert dialog.owner_picker.results_visible() and dialog.owner_picker.hits() == []  # "nobody found"
    qtbot.keyClick(dialog.owner_picker, Qt.Key.Key_Return)  # closes the list
    assert dialog.isVisible() and not dialog.owner_picker.results_visible()
    qtbot.keyClick(dialog.owner_picker, Qt.Key.Key_Return)  # saves
    assert not dialog.isVisible(), dialog.error.text()
    place, _ = read_place(ledger)
    assert (place.owner_id, place.owner_name) == (None, "村集体")


def test_a_refused_save_names_the_field_and_keeps_the_typing(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    dialog = open_place(qtbot, ledger, grid_id=township.grid_a.id)
    type_text(qtbot, dialog.address_edit, "李家村二组")
    type_text(qtbot, dialog.tenant_picker, "赵小明")
    qtbot.keyClick(dialog.tenant_picker, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.tenant_picker, Qt.Key.Key_Return)  # adds the tenant
    assert dialog.tenant_table.rowCount() == 1
    qtbot.keyClick(dialog.address_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "名称" in dialog.error.text() and "不能为空" in dialog.error.text()
    assert focused(dialog.name_edit)
    assert dialog.address_edit.text() == "李家村二组" and dialog.tenant_table.rowCount() == 1
    with ledger.read() as session:
        assert session.scalars(select(Place)).all() == []
        assert session.scalars(select(Tenancy)).all() == []
    dialog.dirty = False


def test_a_new_place_without_a_grid_is_refused_naming_the_place_and_the_grid(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = open_place(qtbot, ledger)
    assert dialog.grid_label.text()
    type_text(qtbot, dialog.name_edit, "无网格的房子")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    message = dialog.error.text()
    assert dialog.isVisible() and "无网格的房子" in message and "grid tree" in message
    dialog.dirty = False


def test_a_phone_refused_by_the_services_focuses_the_phone(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = open_place(qtbot, ledger, grid_id=township.grid_a.id)
    type_text(qtbot, dialog.name_edit, "小卖部")
    type_text(qtbot, dialog.phone_edit, "12345")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and "电话" in dialog.error.text()
    assert focused(dialog.phone_edit)
    dialog.dirty = False


def test_escape_on_a_changed_form_asks_first(qtbot: QtBot, ledger: Ledger, township: Township) -> None:
    dialog = open_place(qtbot, ledger, grid_id=township.grid_a.id)
    type_text(qtbot, dialog.name_edit, "农家乐")
    seen: list[str] = []
    answer_next_box(QMessageBox.StandardButton.Cancel, seen)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    assert seen and "农家乐" in seen[0]
    assert dialog.isVisible() and dialog.name_edit.text() == "农家乐"
    answer_next_box(QMessageBox.StandardButton.Discard, seen)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    with ledger.read() as session:
        assert session.scalars(select(Place)).all() == [] and drafts(session) == []


def test_escape_in_the_picker_closes_its_list_not_the_form(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    dialog = open_place(qtbot, ledger, grid_id=township.grid_a.id)
    type_text(qtbot, dialog.tenant_picker, "李")
    assert dialog.tenant_picker.results_visible()
    qtbot.keyClick(dialog.tenant_picker, Qt.Key.Key_Escape)
    assert dialog.isVisible() and not dialog.tenant_picker.results_visible()
    dialog.dirty = False


def test_a_draft_is_kept_while_typing_and_restored(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    window = Window(ledger)
    qtbot.addWidget(window)
    dialog = forms.open_editor(window, "place", grid_id=township.grid_a.id)
    assert isinstance(dialog, PlaceEditor)
    type_text(qtbot, dialog.name_edit, "草稿出租屋")
    type_text(qtbot, dialog.owner_picker, "王建国")
    qtbot.keyClick(dialog.owner_picker, Qt.Key.Key_Return)
    type_text(qtbot, dialog.tenant_picker, "李秀英")
    qtbot.keyClick(dialog.tenant_picker, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.start_edit, "2025-04-01")
    qtbot.keyClick(dialog.start_edit, Qt.Key.Key_Return)

    def kept() -> None:
        with ledger.read() as session:
            kept = drafts(session)
            assert [(d.state["name"], len(d.state["tenancies"])) for d in kept] == [("草稿出租屋", 1)]

    qtbot.waitUntil(kept, timeout=5000)
    dialog.dirty = False  # as after a crash: the draft is all there is
    dialog.close()

    with ledger.read() as session:
        (row,) = drafts(session)
    assert row.title.endswith("草稿出租屋") and row.context == {"grid_id": township.grid_a.id}
    later = Window(ledger)
    qtbot.addWidget(later)
    restored = forms.open_editor(later, "place", context=row.context, draft=row)
    assert isinstance(restored, PlaceEditor) and restored.dirty
    assert restored.name_edit.text() == "草稿出租屋"
    assert (
        restored.owner_picker.person_id() == people["owner"] and restored.phone_edit.text() == "13909381234"
    )
    assert restored.tenant_table.rowCount() == 1 and cell(restored.tenant_table, 0, 0) == "李秀英"
    qtbot.keyClick(restored.name_edit, Qt.Key.Key_Return)
    assert not restored.isVisible(), restored.error.text()
    place, (tenancy,) = read_place(ledger)
    assert place.name == "草稿出租屋" and place.owner_id == people["owner"]
    assert (tenancy.person_id, tenancy.start_on) == (people["tenant1"], date(2025, 4, 1))
    with ledger.read() as session:
        assert drafts(session) == []


class PersonStub(forms.RecordDialog):
    """A stand-in person editor showing whom it was opened for (the real one is another module's)."""

    kind = "person"

    def build_form(self, layout: QVBoxLayout) -> None:
        self.name = QLineEdit()
        layout.addWidget(self.name)

    def load(self, session: Session) -> None:
        self.name.setText(session.get_one(Person, self.record_id).name)

    def form_state(self) -> dict[str, Any]:
        return {}

    def restore_state(self, state: dict[str, Any]) -> None:
        pass

    def save(self, tx: WriteTx) -> str:
        assert self.record_id
        return self.record_id


def test_a_tenant_opens_in_the_person_editor(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(forms.EDITORS, "person", f"{__name__}:PersonStub")
    place_id = rental_with_tenant(ledger, township, people["tenant2"], people["owner"])
    window = Window(ledger)
    qtbot.addWidget(window)
    dialog = forms.open_editor(window, "place", place_id)
    assert isinstance(dialog, PlaceEditor)
    dialog.tenant_table.selectRow(0)
    dialog.open_tenant_button.click()
    opened = [w for w in window.findChildren(PersonStub) if w.isVisible()]
    assert [(w.record_id, w.name.text()) for w in opened] == [(people["tenant2"], "赵小明")]


def test_the_picker_finds_by_name_initials_and_id_tail_and_enter_without_a_list_saves(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    dialog = open_place(qtbot, ledger, grid_id=township.grid_a.id)
    picker = dialog.owner_picker
    type_text(qtbot, picker, "秀英")
    assert [h.id for h in picker.hits()] == [people["tenant1"]]
    replace_text(qtbot, picker, "zxm")
    assert [h.id for h in picker.hits()] == [people["tenant2"]]
    replace_text(qtbot, picker, id_tail(ledger, people["keeper"]))
    assert [h.id for h in picker.hits()] == [people["keeper"]]
    replace_text(qtbot, picker, "x")  # 李秀英 (xiu ying) and 赵小明 (xiao ming)
    assert {h.name for h in picker.hits()} == {"李秀英", "赵小明"}
    second = picker.hits()[1]
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Down):  # the list ends at the 2nd
        qtbot.keyClick(picker, key)
    qtbot.keyClick(picker, Qt.Key.Key_Return)
    assert picker.person_id() == second.id
    assert dialog.isVisible()
    type_text(qtbot, picker, "x")  # editing after a pick lets go of the person
    assert picker.person_id() is None
    dialog.dirty = False


def test_mnemonics_jump_to_their_fields(qtbot: QtBot, ledger: Ledger, township: Township) -> None:
    dialog = open_place(qtbot, ledger, grid_id=township.grid_a.id)
    focus(qtbot, dialog.name_edit)
    for key, widget in (
        (Qt.Key.Key_W, dialog.owner_picker),
        (Qt.Key.Key_T, dialog.tenant_picker),
        (Qt.Key.Key_D, dialog.address_edit),
        (Qt.Key.Key_M, dialog.end_edit),
    ):
        qtbot.keyClick(focus_widget(), key, Qt.KeyboardModifier.AltModifier)
        assert focused(widget), key


def test_an_unchanged_place_closes_on_escape_without_asking(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    place_id = rental_with_tenant(ledger, township, people["tenant1"], people["owner"])
    dialog = open_place(qtbot, ledger, place_id)
    assert not dialog.dirty and dialog.windowTitle().endswith("王家出租屋")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def retype(qtbot: QtBot, line: QLineEdit, text: str) -> None:
    focus(qtbot, line)
    line.selectAll()
    type_text(qtbot, line, text)


def test_a_tenant_saved_in_the_person_editor_shows_in_the_open_place_editor(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    place_id = rental_with_tenant(ledger, township, people["tenant1"], people["owner"])
    window = Window(ledger)
    qtbot.addWidget(window)
    dialog = forms.open_editor(window, "place", place_id)
    assert isinstance(dialog, PlaceEditor)
    # Typing not saved yet: a new name, a tenant added, the first tenancy ended.
    retype(qtbot, dialog.name_edit, "王家出租屋东屋")
    focus(qtbot, dialog.tenant_picker)
    type_text(qtbot, dialog.tenant_picker, "赵小明")
    qtbot.keyClick(dialog.tenant_picker, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.start_edit, "2025-06-15")
    qtbot.keyClick(dialog.start_edit, Qt.Key.Key_Return)
    dialog.tenant_table.selectRow(0)
    qtbot.keyClicks(dialog.end_edit, "2025-10-31")
    dialog.end_tenancy()
    assert [cell(dialog.tenant_table, r, 0) for r in range(2)] == ["李秀英", "赵小明"]
    assert cell(dialog.tenant_table, 0, 2) == "138****5678"

    person = forms.open_editor(window, "person", people["tenant1"])
    qtbot.waitExposed(person)
    person.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is person, timeout=2000)
    retype(qtbot, person.field_widgets["name"], "李秀云")  # type: ignore[arg-type]
    retype(qtbot, person.field_widgets["phone"], "13800001111")  # type: ignore[arg-type]
    assert person.save_now(), person.error.text()

    assert [cell(dialog.tenant_table, r, 0) for r in range(2)] == ["李秀云", "赵小明"]
    assert cell(dialog.tenant_table, 0, 2) == "138****1111"
    assert cell(dialog.tenant_table, 0, 4) == "2025-10-31"  # the moving-out date typed here stays
    assert dialog.name_edit.text() == "王家出租屋东屋" and dialog.dirty
    assert dialog.save_now(), dialog.error.text()
    place, tenancies = read_place(ledger)
    assert place.name == "王家出租屋东屋"
    assert [(t.person_id, t.start_on, t.end_on) for t in tenancies] == [
        (people["tenant1"], date(2025, 3, 1), date(2025, 10, 31)),
        (people["tenant2"], date(2025, 6, 15), None),
    ]


def test_a_tenancy_saved_elsewhere_shows_in_the_open_place_editor_and_others_are_ignored(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    place_id = rental_with_tenant(ledger, township, people["tenant1"], people["owner"])
    dialog = open_place(qtbot, ledger, place_id)
    retype(qtbot, dialog.phone_edit, "13900000000")
    with ledger.write() as tx:  # as an undo or another save of this place would
        place = tx.session.get_one(Place, place_id)
        places.add_tenant(tx, place, tx.session.get_one(Person, people["tenant2"]), date(2025, 7, 1))
    forms.hub().saved.emit("person", people["keeper"])  # someone else: the table is not read again
    assert dialog.tenant_table.rowCount() == 1
    forms.hub().saved.emit("place", place_id)
    assert [cell(dialog.tenant_table, r, 0) for r in range(2)] == ["李秀英", "赵小明"]
    assert dialog.phone_edit.text() == "13900000000" and dialog.dirty
    dialog.dirty = False
    destroyed: list[bool] = []
    dialog.destroyed.connect(lambda: destroyed.append(True))
    dialog.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # deleted on close
    assert destroyed
    forms.hub().saved.emit("place", place_id)  # reaches no deleted editor
