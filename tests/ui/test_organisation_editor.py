"""The organisation editor by keyboard: a 7+1 village organisation with members added (roles of its kind),
removed and given another role; Enter saves, Esc asks, refused saves name the field, drafts are kept and restored."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.drafts import drafts
from app.ledger import Ledger
from app.models import Membership, Organisation, Person
from app.services import places
from tests.conftest import Township
from tests.ui.keyboard import type_text
from tests.ui.test_place_editor import (
    PersonStub,
    Window,
    add_person,
    answer_next_box,
    cell,
    close_editors,
    focus,
    focus_widget,
    focused,
    people,
    replace_text,
    tab,
)
from ui import forms
from ui.organisation_editor import OrganisationEditor

__all__ = ["close_editors", "people"]  # fixtures shared with the place editor's tests


def open_organisation(
    qtbot: QtBot, ledger: Ledger, organisation_id: str | None = None, **context: Any
) -> OrganisationEditor:
    dialog = OrganisationEditor(ledger, organisation_id, context=context)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def read_organisation(ledger: Ledger) -> tuple[Organisation, list[tuple[str, str]]]:
    """The one organisation and its live members as (person id, role), by role then person."""
    with ledger.read() as session:
        organisation = session.scalars(select(Organisation)).one()
        members = session.execute(
            select(Membership.person_id, Membership.role)
            .where(Membership.organisation_id == organisation.id, Membership.live())
            .order_by(Membership.role, Membership.person_id)
        ).all()
        session.expunge_all()
        return organisation, sorted((str(p), str(r)) for p, r in members)


def test_a_village_organisation_with_members_typed_by_keyboard(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    dialog = open_organisation(qtbot, ledger, grid_id=township.village.id)
    assert "李家村" in dialog.grid_label.text()
    focus(qtbot, dialog.kind_picker)
    type_text(qtbot, focus_widget(), "议事会")
    assert dialog.kind_picker.code() == "council"
    assert not dialog.credit_code_edit.isVisibleTo(dialog)  # only 两新组织 have a credit code
    assert tab(qtbot) is dialog.name_edit
    type_text(qtbot, dialog.name_edit, "李家村村民议事会")
    assert tab(qtbot) is dialog.leader_edit  # the hidden credit code is skipped
    assert tab(qtbot) is dialog.phone_edit
    assert tab(qtbot) is dialog.address_edit
    type_text(qtbot, dialog.address_edit, "玉泉镇李家村村委会")
    assert tab(qtbot) is dialog.established_edit
    qtbot.keyClicks(dialog.established_edit, "2013-05")
    assert tab(qtbot) is dialog.member_picker

    # The convener: picked by name, role typed from the council's roles; Enter adds.
    type_text(qtbot, dialog.member_picker, "王建国")
    qtbot.keyClick(dialog.member_picker, Qt.Key.Key_Return)
    assert dialog.member_picker.person_id() == people["owner"]
    assert focused(tab(qtbot)) and focused(dialog.role_picker)
    roles = [dialog.role_picker.itemText(i) for i in range(dialog.role_picker.count())]
    assert roles[0] == "召集人" and "成员" in roles
    replace_text(qtbot, dialog.role_picker, "召集人")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.member_table.rowCount() == 1
    assert dialog.leader_edit.text() == "王建国" and dialog.phone_edit.text() == "13909381234"
    assert focused(dialog.member_picker)
    # Two members with the default role, by initials; Enter after the pick adds.
    for initials in ("lxy", "zxm"):
        qtbot.keyClicks(dialog.member_picker, initials)
        qtbot.keyClick(dialog.member_picker, Qt.Key.Key_Return)
        qtbot.keyClick(dialog.member_picker, Qt.Key.Key_Return)
    assert dialog.member_table.rowCount() == 3
    assert [cell(dialog.member_table, r, 3) for r in range(3)] == ["召集人", "成员", "成员"]
    # The same person twice is refused.
    qtbot.keyClicks(dialog.member_picker, "lxy")
    qtbot.keyClick(dialog.member_picker, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.member_picker, Qt.Key.Key_Return)
    assert dialog.member_table.rowCount() == 3 and dialog.error.isVisible()

    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible(), dialog.error.text()
    organisation, members = read_organisation(ledger)
    assert (organisation.kind, organisation.name, organisation.grid_id) == (
        "council",
        "李家村村民议事会",
        township.village.id,
    )
    assert (organisation.leader_name, organisation.phone, organisation.address) == (
        "王建国",
        "13909381234",
        "玉泉镇李家村村委会",
    )
    assert organisation.fields == {"established": "2013-05"}
    assert members == sorted(
        [(people["owner"], "召集人"), (people["tenant1"], "成员"), (people["tenant2"], "成员")]
    )


def patrol_with_members(ledger: Ledger, township: Township, people: dict[str, str]) -> str:
    with ledger.write() as tx:
        organisation = places.register_organisation(
            tx, grid_id=township.village.id, kind="patrol", name="李家村护村联防队", leader_name="孙海涛"
        )
        for key, role in (("keeper", "队长"), ("tenant1", "队员"), ("tenant2", "队员")):
            places.add_member(tx, organisation, tx.session.get_one(Person, people[key]), role)
        return organisation.id


def test_members_removed_and_given_another_role_by_keyboard(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    organisation_id = patrol_with_members(ledger, township, people)
    dialog = open_organisation(qtbot, ledger, organisation_id)
    table = dialog.member_table
    assert cell(table, 0, 0) == "孙海涛"  # the captain first
    focus(qtbot, table)
    assert table.currentRow() == 0 and dialog.remove_member_button.isEnabled()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    removed = cell(table, 1, 0)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert table.rowCount() == 2 and removed not in [cell(table, r, 0) for r in range(2)]
    # F2 on the remaining member's role: the patrol's roles to choose from; Enter commits, then Enter saves.
    table.setCurrentCell(1, 3)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    combo = editor if isinstance(editor, QComboBox) else editor.parentWidget() if editor else None
    assert isinstance(combo, QComboBox)
    assert "副队长" in [combo.itemText(i) for i in range(combo.count())]
    replace_text(qtbot, combo, "副队长")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)  # Qt commits queued
    assert dialog.isVisible() and cell(table, 1, 3) == "副队长"
    assert focused(table)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert not dialog.isVisible(), dialog.error.text()
    _organisation, members = read_organisation(ledger)
    kept = "tenant2" if removed == "李秀英" else "tenant1"
    assert members == sorted([(people["keeper"], "队长"), (people[kept], "副队长")])
    with ledger.read() as session:
        assert session.scalar(select(Membership).where(Membership.deleted.is_(True))) is not None


def test_a_refused_save_names_the_field_and_keeps_the_members(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    dialog = open_organisation(qtbot, ledger, grid_id=township.village.id, kind="mediation")
    assert dialog.kind_picker.code() == "mediation"
    type_text(qtbot, dialog.member_picker, "孙海涛")
    qtbot.keyClick(dialog.member_picker, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.member_picker, Qt.Key.Key_Return)
    assert dialog.member_table.rowCount() == 1
    qtbot.keyClick(dialog.address_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and "名称" in dialog.error.text() and "不能为空" in dialog.error.text()
    assert focused(dialog.name_edit) and dialog.member_table.rowCount() == 1
    with ledger.read() as session:
        assert session.scalars(select(Organisation)).all() == []
        assert session.scalars(select(Membership)).all() == []


def test_a_wrong_credit_code_is_refused_on_its_field(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = open_organisation(qtbot, ledger, grid_id=township.grid_a.id)
    focus(qtbot, dialog.kind_picker)
    type_text(qtbot, focus_widget(), "社会组织")
    assert dialog.credit_code_edit.isVisibleTo(dialog)
    type_text(qtbot, dialog.name_edit, "李家村志愿服务队")
    qtbot.keyClicks(dialog.credit_code_edit, "91620502123")
    qtbot.keyClick(dialog.credit_code_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and "统一社会信用代码" in dialog.error.text()
    assert focused(dialog.credit_code_edit) and dialog.credit_code_edit.text() == "91620502123"


def test_an_organisation_without_a_kind_is_refused(qtbot: QtBot, ledger: Ledger, township: Township) -> None:
    dialog = open_organisation(qtbot, ledger, grid_id=township.village.id)
    type_text(qtbot, dialog.name_edit, "李家村某组织")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and "organisation type" in dialog.error.text()
    assert focused(dialog.kind_picker)


def test_escape_on_a_changed_form_asks_first(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    organisation_id = patrol_with_members(ledger, township, people)
    dialog = open_organisation(qtbot, ledger, organisation_id)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)  # nothing changed: closes at once
    assert not dialog.isVisible()
    dialog = open_organisation(qtbot, ledger, organisation_id)
    dialog.member_table.selectRow(2)
    dialog.remove_member_button.click()
    seen: list[str] = []
    answer_next_box(QMessageBox.StandardButton.Cancel, seen)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    assert seen and "护村联防队" in seen[0] and dialog.isVisible() and dialog.member_table.rowCount() == 2
    answer_next_box(QMessageBox.StandardButton.Discard, seen)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    _organisation, members = read_organisation(ledger)
    assert len(members) == 3


def test_a_draft_is_kept_while_typing_and_restored(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    window = Window(ledger)
    qtbot.addWidget(window)
    dialog = forms.open_editor(
        window, "organisation", grid_id=township.village.id, context={"kind": "red_white"}
    )
    assert isinstance(dialog, OrganisationEditor)
    type_text(qtbot, dialog.name_edit, "李家村红白理事会")
    type_text(qtbot, dialog.member_picker, "赵小明")
    qtbot.keyClick(dialog.member_picker, Qt.Key.Key_Return)
    dialog.role_picker.setCurrentText("会长")
    qtbot.keyClick(dialog.member_picker, Qt.Key.Key_Return)

    def kept() -> None:
        with ledger.read() as session:
            rows = drafts(session)
            assert [(d.state["name"], [m["role"] for m in d.state["members"]]) for d in rows] == [
                ("李家村红白理事会", ["会长"])
            ]

    qtbot.waitUntil(kept, timeout=5000)
    dialog.dirty = False  # as after a crash: the draft is all there is
    dialog.close()
    with ledger.read() as session:
        (row,) = drafts(session)
    assert row.title == "红白理事会 · 李家村红白理事会"
    later = Window(ledger)
    qtbot.addWidget(later)
    restored = forms.open_editor(later, "organisation", context=row.context, draft=row)
    assert isinstance(restored, OrganisationEditor) and restored.dirty
    assert restored.kind_picker.code() == "red_white" and restored.name_edit.text() == "李家村红白理事会"
    assert restored.leader_edit.text() == "赵小明"
    qtbot.keyClick(restored.name_edit, Qt.Key.Key_Return)
    assert not restored.isVisible(), restored.error.text()
    organisation, members = read_organisation(ledger)
    assert organisation.name == "李家村红白理事会" and members == [(people["tenant2"], "会长")]
    with ledger.read() as session:
        assert drafts(session) == []


def test_a_member_opens_in_the_person_editor(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(forms.EDITORS, "person", "tests.ui.test_place_editor:PersonStub")
    organisation_id = patrol_with_members(ledger, township, people)
    window = Window(ledger)
    qtbot.addWidget(window)
    dialog = forms.open_editor(window, "organisation", organisation_id)
    assert isinstance(dialog, OrganisationEditor)
    dialog.member_table.selectRow(0)
    dialog.open_member_button.click()
    opened = [w for w in window.findChildren(PersonStub) if w.isVisible()]
    assert [(w.record_id, w.name.text()) for w in opened] == [(people["keeper"], "孙海涛")]


def test_a_person_added_after_the_form_opened_can_be_found(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    dialog = open_organisation(qtbot, ledger, grid_id=township.village.id, kind="informants")
    newcomer = add_person(ledger, township, "钱多多", date(1988, 8, 8))
    type_text(qtbot, dialog.member_picker, "钱多多")
    assert [h.id for h in dialog.member_picker.hits()] == [newcomer]


def test_a_member_saved_in_the_person_editor_shows_in_the_open_organisation_editor(
    qtbot: QtBot, ledger: Ledger, township: Township, people: dict[str, str]
) -> None:
    with ledger.write() as tx:
        organisation = places.register_organisation(
            tx, grid_id=township.village.id, kind="council", name="李家村村民议事会"
        )
        places.add_member(tx, organisation, tx.session.get_one(Person, people["owner"]), "召集人")
        places.add_member(tx, organisation, tx.session.get_one(Person, people["tenant1"]), "成员")
        organisation_id = organisation.id
    window = Window(ledger)
    qtbot.addWidget(window)
    dialog = forms.open_editor(window, "organisation", organisation_id)
    assert isinstance(dialog, OrganisationEditor)
    # Typing not saved yet: another name, a member added, a member given another role.
    dialog.name_edit.setText("李家村议事会")
    dialog.mark_dirty()
    dialog.member_picker.setFocus()
    type_text(qtbot, dialog.member_picker, "赵小明")
    qtbot.keyClick(dialog.member_picker, Qt.Key.Key_Return)  # picks
    dialog.add_member()
    names = [cell(dialog.member_table, r, 0) for r in range(3)]
    assert names == ["王建国", "李秀英", "赵小明"]
    role = dialog.member_table.item(1, 3)
    assert role is not None
    role.setText("议事员")
    assert dialog.members[1]["role"] == "议事员"

    person = forms.open_editor(window, "person", people["tenant1"])
    person.field_widgets["phone"].setText("13800001111")  # type: ignore[attr-defined]
    assert person.save_now(), person.error.text()

    rows = [[cell(dialog.member_table, r, c) for c in (0, 2, 3)] for r in range(3)]
    assert rows == [
        ["王建国", "139****1234", "召集人"],
        ["李秀英", "138****1111", "议事员"],
        ["赵小明", "", "成员"],
    ]
    assert dialog.name_edit.text() == "李家村议事会" and dialog.dirty
    assert dialog.save_now(), dialog.error.text()
    saved, members = read_organisation(ledger)
    assert saved.name == "李家村议事会"
    assert members == sorted(
        [(people["owner"], "召集人"), (people["tenant1"], "议事员"), (people["tenant2"], "成员")]
    )
