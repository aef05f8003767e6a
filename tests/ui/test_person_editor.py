"""The person editor: an ID number fills birth date, sex and region as it is typed and a wrong one is flagged at
once; Enter saves; a duplicate ID number lands on the person already registered; a namesake warns; Esc asks."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.drafts import drafts
from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import Household, HouseholdChange, Person, ResidenceDetail
from app.services import households, persons
from tests.conftest import Township
from tests.ui.keyboard import type_text
from ui import forms
from ui.person_editor import GroupEntry, PersonEditor, SpecialGroupDialog

ID_MALE = make_id_number("620502", date(1980, 3, 5), 123)
ID_FEMALE = make_id_number("620503", date(1992, 11, 30), 64)


class Window(QWidget):
    def __init__(self, ledger: Ledger) -> None:
        super().__init__()
        self.ledger = ledger


_WINDOWS: list[Window] = []


def new_editor(qtbot: QtBot, ledger: Ledger, township: Township, **context: str) -> PersonEditor:
    window = Window(ledger)
    qtbot.addWidget(window)
    _WINDOWS[:] = [window]  # the editors are its children: keep it alive for the test
    dialog = forms.open_editor(window, "person", grid_id=township.grid_a.id, context=context)
    assert isinstance(dialog, PersonEditor)
    return dialog


def answer_next_box(choose: str, seen: list[str]) -> None:
    """Click the button whose text is ``choose`` on the next modal message box."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        for button in box.buttons():
            if button.text() == choose:
                assert isinstance(button, QPushButton)
                button.click()
                return
        raise AssertionError(f"no button {choose!r} in {[b.text() for b in box.buttons()]}")

    QTimer.singleShot(50, click)


def test_typing_an_id_number_fills_birth_date_sex_and_region(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = new_editor(qtbot, ledger, township)
    qtbot.keyClicks(dialog.id_number, ID_MALE[:10])
    assert dialog.birth_date.text() == ""
    assert not dialog.id_number.message.isVisible()
    qtbot.keyClicks(dialog.id_number, ID_MALE[10:])
    assert dialog.birth_date.text() == "1980-03-05"
    assert dialog.sex.code() == "1"
    assert dialog.registered_region.code() == "620502"
    assert dialog.native_place.code() == "620502"
    assert "秦州区" in dialog.registered_region.currentText()
    assert "秦州区" in dialog.id_summary.text()
    assert not dialog.id_number.message.isVisible()
    # Correcting the number to another one refills what it had filled in.
    dialog.id_number.clear()
    qtbot.keyClicks(dialog.id_number, ID_FEMALE)
    assert (dialog.birth_date.text(), dialog.sex.code()) == ("1992-11-30", "2")
    assert dialog.registered_region.code() == "620503"
    dialog.dirty = False


def test_a_wrong_check_digit_is_shown_at_once(qtbot: QtBot, ledger: Ledger, township: Township) -> None:
    dialog = new_editor(qtbot, ledger, township)
    wrong = ID_MALE[:17] + ("1" if ID_MALE[17] != "1" else "2")
    qtbot.keyClicks(dialog.id_number, wrong)
    assert dialog.id_number.message.isVisible()
    assert f"第18位校验码应为 {ID_MALE[17]}" in dialog.id_number.message.text()
    assert dialog.id_number.property("invalid") is True
    assert dialog.birth_date.text() == ""
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.id_number, ID_MALE[17])
    assert not dialog.id_number.message.isVisible()
    assert dialog.birth_date.text() == "1980-03-05"
    dialog.dirty = False


def test_an_impossible_birth_date_is_shown_at_once(qtbot: QtBot, ledger: Ledger, township: Township) -> None:
    dialog = new_editor(qtbot, ledger, township)
    first17 = "62050219800230123"
    qtbot.keyClicks(dialog.id_number, first17 + "0")
    assert "出生日期" in dialog.id_number.message.text()
    dialog.dirty = False


def test_enter_saves_a_new_person_typed_by_keyboard(qtbot: QtBot, ledger: Ledger, township: Township) -> None:
    dialog = new_editor(qtbot, ledger, township)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name)
    type_text(qtbot, dialog.name, "张三丰")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # ID type keeps 居民身份证
    assert QApplication.focusWidget() is dialog.id_number
    qtbot.keyClicks(dialog.id_number, ID_MALE)
    for _ in range(5):  # sex, birth date, ethnicity (filled or defaulted), former name → phone
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.phone
    qtbot.keyClicks(dialog.phone, "13909381234")
    type_text(qtbot, dialog.tags, "低保,残疾人")
    qtbot.keyClick(dialog.tags, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    with ledger.read() as session:
        person = session.scalars(select(Person)).one()
        assert (person.name, person.birth_date, person.sex) == ("张三丰", date(1980, 3, 5), "1")
        assert (person.registered_region, person.phone, person.tags) == (
            "620502",
            "13909381234",
            ["低保", "残疾人"],
        )
        assert (person.grid_id, person.ethnicity) == (township.grid_a.id, "01")
        assert drafts(session) == []


def test_a_duplicate_id_number_lands_on_the_existing_person(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    with ledger.write() as tx:
        existing = persons.register_person(
            tx, grid_id=township.grid_a.id, name="王建国", id_number=ID_MALE
        ).record
    dialog = new_editor(qtbot, ledger, township)
    type_text(qtbot, dialog.name, "王建国")
    qtbot.keyClicks(dialog.id_number, ID_MALE)
    seen: list[str] = []
    answer_next_box("Open that person", seen)
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Return)
    assert seen and "已登记" in seen[0]
    opened = [w for w in QApplication.topLevelWidgets() if isinstance(w, PersonEditor) and w.isVisible()]
    assert [w.record_id for w in opened] == [existing.id]
    assert opened[0].name.text() == "王建国"
    assert not dialog.isVisible()
    with ledger.read() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1
        kept = drafts(session)
    assert [d.state["id_number"] for d in kept] == [ID_MALE]  # what was typed is kept as a draft


def test_same_name_and_birth_date_warns_and_can_save_anyway(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    with ledger.write() as tx:
        persons.register_person(
            tx,
            grid_id=township.grid_a.id,
            name="王芳",
            id_number=make_id_number("620502", date(1992, 11, 30), 2),
        )
    dialog = new_editor(qtbot, ledger, township)
    type_text(qtbot, dialog.name, "王芳")
    qtbot.keyClicks(dialog.id_number, ID_FEMALE)
    seen: list[str] = []
    answer_next_box("Back to the form", seen)
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Return)
    assert seen and "same name and birth date" in seen[0] and "王芳" in seen[0]
    assert dialog.isVisible()
    with ledger.read() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1
    answer_next_box("Save anyway", seen)
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    with ledger.read() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 2


def test_escape_on_a_changed_form_asks_first(qtbot: QtBot, ledger: Ledger, township: Township) -> None:
    dialog = new_editor(qtbot, ledger, township)
    type_text(qtbot, dialog.name, "李四")
    seen: list[str] = []
    answer_next_box("Keep editing", seen)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert seen and "李四" in seen[0]
    assert dialog.isVisible() and dialog.name.text() == "李四"
    answer_next_box("Discard", seen)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_new_member_of_a_household_and_the_floating_population_subform(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    with ledger.write() as tx:
        household = households.register_household(
            tx,
            grid_id=township.grid_a.id,
            address="李家村2组8号",
            members=[{"name": "刘备", "relation": "02"}],
        ).record
    dialog = new_editor(qtbot, ledger, township, household_id=household.id)
    assert dialog.relation.isVisibleTo(dialog)
    type_text(qtbot, dialog.name, "孙尚香")
    qtbot.keyClicks(dialog.id_number, ID_FEMALE)
    relation_line = dialog.relation.lineEdit()
    assert relation_line is not None
    type_text(qtbot, relation_line, "配偶")
    dialog.residence_class.set_code("2")
    assert dialog.class_pages.currentIndex() == 1
    inflow = dialog.class_fields["2"]["inflow_cause"]
    type_text(qtbot, inflow.lineEdit(), "务工")  # type: ignore[attr-defined]
    qtbot.keyClicks(dialog.class_fields["2"]["registered_on"], "2025.6.1")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert not dialog.isVisible(), dialog.error.text()
    with ledger.read() as session:
        person = session.scalars(select(Person).where(Person.name == "孙尚香")).one()
        assert (person.household_id, person.relation, person.residence_address) == (
            household.id,
            "10",
            "李家村2组8号",
        )
        detail = session.scalars(select(ResidenceDetail)).one()
        assert detail.fields["registered_on"] == "2025-06-01"
        assert detail.fields["inflow_cause"]
        kinds = session.scalars(
            select(HouseholdChange.kind).where(HouseholdChange.household_id == household.id)
        )
        assert "member_in" in list(kinds)
        assert session.get_one(Household, household.id).head_id != person.id


def test_a_note_of_several_lines_is_saved_with_ctrl_enter_and_kept_in_the_draft(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = new_editor(qtbot, ledger, township)
    type_text(qtbot, dialog.name, "张三丰")
    dialog.note.setFocus()
    type_text(qtbot, dialog.note, "常年在外务工")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # a new line, not a save
    type_text(qtbot, dialog.note, "春节回村")
    assert dialog.isVisible()
    assert dialog.form_state()["note"] == "常年在外务工\n春节回村"
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible(), dialog.error.text()
    with ledger.read() as session:
        person = session.scalars(select(Person)).one()
    assert person.note == "常年在外务工\n春节回村"
    again = forms.open_editor(_WINDOWS[0], "person", person.id)
    assert isinstance(again, PersonEditor)
    assert again.note.text() == "常年在外务工\n春节回村" and not again.dirty
    again.close()


def test_a_concern_level_typed_that_names_no_code_is_refused_and_nothing_typed_is_lost(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = new_editor(qtbot, ledger, township)
    type_text(qtbot, dialog.name, "张三丰")
    group = SpecialGroupDialog(None, dialog)
    qtbot.addWidget(group)
    group.group.set_code("released")
    line = group.concern.lineEdit()
    assert line is not None
    line.setText("很高")  # typed, not picked: names no code of 关注程度
    entry = group.entry()
    assert entry.concern_level == "很高"
    dialog.groups.append(entry)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "关注程度" in dialog.error.text() and "请从下拉列表中选择" in dialog.error.text()
    assert dialog.name.text() == "张三丰" and dialog.groups == [entry]
    with ledger.read() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0
    dialog.groups[0] = GroupEntry(None, "released", "01", "", "", changed=True)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert not dialog.isVisible(), dialog.error.text()
