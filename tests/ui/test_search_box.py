"""The global search box on a real ledger: Ctrl+F puts the cursor there, results come as you type grouped by
kind, Up/Down/Enter open one, Esc closes the panel and then clears the box."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ledger import Ledger
from app.profile import Profile
from tests.conftest import Township
from tests.ui.keyboard import type_text
from tests.ui.test_main_window import chinese  # noqa: F401 - fixture
from tests.unit.test_lists_queries import Ledgered, fill_ledger
from ui import forms
from ui.main import MainWindow


@pytest.fixture
def filled(ledger: Ledger, township: Township) -> Ledgered:
    return fill_ledger(ledger, township)


@pytest.fixture
def window(qtbot: QtBot, ledger: Ledger, filled: Ledgered, chinese: None) -> Iterator[MainWindow]:  # noqa: F811
    opened = MainWindow(ledger, Profile(ledger.path.parent))
    qtbot.addWidget(opened)
    opened.show()
    opened.activateWindow()
    qtbot.waitUntil(opened.isActiveWindow)
    yield opened


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str | None]]:
    calls: list[tuple[str, str | None]] = []

    def record(_window: Any, kind: str, record_id: str | None = None, *, grid_id: str | None = None) -> None:
        calls.append((kind, record_id))

    monkeypatch.setattr(forms, "open_editor", record)
    return calls


def shown(window: MainWindow) -> list[tuple[str, list[str]]]:
    """The panel as a person reads it: each heading with the first column of its results."""
    tree = window.search.results
    return [
        (
            group.text(0),
            [child.text(0) for child in (group.child(j) for j in range(group.childCount())) if child],
        )
        for group in tree.groups()
    ]


def test_ctrl_f_focuses_the_box_and_results_come_grouped_as_you_type(
    qtbot: QtBot, window: MainWindow, filled: Ledgered, opened: list[tuple[str, str | None]]
) -> None:
    window.panes["household"].table.setFocus()
    qtbot.keyClick(window.panes["household"].table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    assert window.search.placeholderText() == "搜索人员、户、场所、组织（Ctrl+F）"
    type_text(qtbot, window.search, "张建国")
    qtbot.waitUntil(lambda: window.search.results.isVisible())
    groups = shown(window)
    assert [g for g, _rows in groups] == ["人员 (1)", "户 (1)", "场所 (1)"]
    person_row = groups[0][1][0]
    assert person_row.startswith("张建国  男  620502") and "********" in person_row
    assert groups[2][1] == ["张建国出租屋"]
    # Down moves past the heading to the next result; Enter opens it
    assert window.search.current_choice() == ("person", filled.people["张建国"])
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert window.search.current_choice() == ("household", filled.households["李家村一组1号"])
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    qtbot.keyClick(window.search, Qt.Key.Key_Down)  # past the last result it stays there
    qtbot.keyClick(window.search, Qt.Key.Key_Up)
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert window.search.current_choice() == ("place", filled.places["张建国出租屋"])
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert opened == [("place", filled.places["张建国出租屋"])]
    assert not window.search.results.isVisible()


def test_typing_more_narrows_and_esc_closes_then_clears(
    qtbot: QtBot, window: MainWindow, filled: Ledgered, opened: list[tuple[str, str | None]]
) -> None:
    window.find_action.trigger()
    assert window.search.hasFocus()
    type_text(qtbot, window.search, "z")
    qtbot.waitUntil(lambda: window.search.results.isVisible())
    heading, people = shown(window)[0]
    assert heading.startswith("人员") and len(people) > 3
    type_text(qtbot, window.search, "j")
    qtbot.waitUntil(lambda: [g for g, _ in shown(window)] == ["人员 (1)", "户 (1)"])
    assert shown(window)[0][1][0].startswith("张建国")
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert not window.search.results.isVisible() and window.search.text() == "zj"
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    type_text(qtbot, window.search, "没有这个")
    qtbot.waitUntil(lambda: window.search.results.isVisible())
    assert [g for g, _ in shown(window)] == ["没有找到“没有这个”"]
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert opened == [], "nothing to open"


def test_double_click_opens_a_result_and_enter_on_a_list_row_opens_it(
    qtbot: QtBot, window: MainWindow, filled: Ledgered, opened: list[tuple[str, str | None]]
) -> None:
    window.focus_search()
    type_text(qtbot, window.search, "联防")
    qtbot.waitUntil(lambda: window.search.results.isVisible())
    item = window.search.results.choices()[0]
    window.search.results.itemDoubleClicked.emit(item, 0)
    assert opened == [("organisation", filled.organisations["李家村护村联防队"])]
    window.show_list("person")
    table = window.panes["person"].table
    table.setCurrentIndex(window.people.index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened[-1] == ("person", window.people.row_at(0).id)
