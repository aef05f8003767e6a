"""The collector's day in the real main window, by keyboard: choose a grid, Ctrl+N, type a household of five,
Enter; the list shows it at once; Ctrl+F and pinyin initials find its head; Enter opens that person; Ctrl+Z undoes
the save. Then the window is closed with an editor half typed, and the next start offers the draft."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.drafts import drafts
from app.ledger import Ledger
from app.models import Household, Person
from app.profile import Profile
from tests.conftest import PASSPHRASE, Township
from tests.ui.keyboard import type_text
from tests.ui.test_household_editor import FAMILY, press, type_here
from ui import forms
from ui.household_editor import HouseholdEditor
from ui.main import MainWindow
from ui.person_editor import PersonEditor


def choose_grid(window: MainWindow, name: str) -> None:
    model = window.tree_model
    (found,) = model.match(
        model.index(0, 0), Qt.ItemDataRole.DisplayRole, name, 1, Qt.MatchFlag.MatchRecursive
    )
    window.tree.setCurrentIndex(found)


def active(qtbot: QtBot, window: MainWindow) -> None:
    """Shortcuts go to the active window, as they do on a desk."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def the_editor(kind: type[forms.RecordDialog]) -> forms.RecordDialog:
    (dialog,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    return dialog


def live_households(ledger: Ledger) -> int:
    with ledger.read() as session:
        return int(
            session.scalar(select(func.count()).select_from(Household).where(Household.deleted.is_(False)))
        )


def test_a_household_of_five_by_keyboard_from_the_main_window(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> None:
    window = MainWindow(ledger, Profile(ledger.path.parent))
    qtbot.addWidget(window)
    window.show()
    choose_grid(window, "李家村第一网格")
    active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = the_editor(HouseholdEditor)
    assert isinstance(dialog, HouseholdEditor)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.number)
    press(qtbot, Qt.Key.Key_Tab, 4)  # 户号 → 户别 → 组/小区 → 门牌号 → 地址
    type_here(qtbot, "李家村3组12号")
    press(qtbot, Qt.Key.Key_Tab, 5)  # address → phone → tags → note → 人户一致 → first member
    for name, relation, number in FAMILY:
        type_here(qtbot, name)
        press(qtbot, Qt.Key.Key_Tab)
        if relation:
            type_here(qtbot, relation)
        press(qtbot, Qt.Key.Key_Tab, 3)
        type_here(qtbot, number)
        press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Return)
    assert not dialog.isVisible(), dialog.error.text()

    # The list shows the new household without a reload; the head is found by pinyin initials.
    qtbot.waitUntil(lambda: [r.address for r in window.households.rows()] == ["李家村3组12号"])
    assert window.households.rows()[0].members == 5
    active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search
    qtbot.keyClicks(window.search, "zsf")
    window.search.search_now()
    assert window.search.current_choice() is not None
    assert window.search.current_choice()[0] == "person"  # type: ignore[index]
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    person = the_editor(PersonEditor)
    assert isinstance(person, PersonEditor) and person.name.text() == "张三丰"
    person.close()

    # Ctrl+Z undoes the save: the household and its members are gone again (as new changes that sync).
    assert live_households(ledger) == 1
    window.activateWindow()
    window.undo.undo()
    assert live_households(ledger) == 0
    with ledger.read() as session:
        assert session.scalar(select(func.count()).select_from(Person).where(Person.deleted.is_(False))) == 0


def test_closing_with_an_editor_half_typed_keeps_it_for_the_next_start(
    qtbot: QtBot, ledger: Ledger, township: Township, tmp_path: Path
) -> None:
    window = MainWindow(ledger, Profile(ledger.path.parent))
    qtbot.addWidget(window)
    window.show()
    choose_grid(window, "李家村第一网格")
    active(qtbot, window)
    qtbot.keyClick(
        window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    dialog = the_editor(PersonEditor)
    assert isinstance(dialog, PersonEditor)
    type_text(qtbot, dialog.name, "曾广才")
    path = ledger.path
    window.close()  # the ledger closes with the window
    assert not dialog.isVisible()

    reopened = Ledger.open(path, PASSPHRASE, actor=ledger.actor)
    try:
        with reopened.read() as session:
            assert [d.title for d in drafts(session)] and "曾广才" in drafts(session)[0].title
        later = MainWindow(reopened, Profile(path.parent))
        qtbot.addWidget(later)
        later.show()

        def open_them() -> None:
            box = QApplication.activeModalWidget()
            assert isinstance(box, QMessageBox)
            box.button(QMessageBox.StandardButton.Open).click()

        QTimer.singleShot(50, open_them)
        (restored,) = forms.restore_drafts(later)
        assert isinstance(restored, PersonEditor) and restored.name.text() == "曾广才"
        restored.dirty = False
        restored.close()
    finally:
        reopened.close()
