"""The window's four lists on a real encrypted ledger: paged by keyset, sorted by a click on the header in SQL
(both directions, pages continuing in order), filtered from the line above, rows read back one by one after a
save, Enter and the menus opening editors."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QModelRoleData, QModelRoleDataSpan, Qt
from pytestqt.qtbot import QtBot

from app import repositories
from app.ledger import Ledger
from app.models import Household, Person
from app.profile import Profile
from app.services import households, persons
from tests.conftest import Township
from tests.ui.test_main_window import chinese  # noqa: F401 - fixture
from tests.unit.test_lists_queries import Ledgered, fill_ledger
from ui import forms
from ui.main import MainWindow
from ui.models.lists import PersonTableModel
from ui.models.paged import PagedTableModel


@pytest.fixture
def filled(ledger: Ledger, township: Township) -> Ledgered:
    return fill_ledger(ledger, township)


@pytest.fixture
def window(qtbot: QtBot, ledger: Ledger, filled: Ledgered, chinese: None) -> Iterator[MainWindow]:  # noqa: F811
    opened = MainWindow(ledger, Profile(ledger.path.parent))
    qtbot.addWidget(opened)
    opened.show()
    yield opened


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str | None, str | None]]:
    """The editors asked for: ``ui.forms.open_editor`` recorded instead of opening a dialog."""
    calls: list[tuple[str, str | None, str | None]] = []

    def record(_window: Any, kind: str, record_id: str | None = None, *, grid_id: str | None = None) -> None:
        calls.append((kind, record_id, grid_id))

    monkeypatch.setattr(forms, "open_editor", record)
    return calls


def column(model: PagedTableModel[Any], col: int) -> list[Any]:
    return [model.index(row, col).data() for row in range(model.rowCount())]


def test_people_list_pages_in_and_shows_masked_numbers(window: MainWindow, filled: Ledgered) -> None:
    model = window.people
    model.page_size = 4
    window.show_list("person")
    assert window.tabs.currentWidget() is window.panes["person"]
    assert model.rowCount() == 4 and not model.complete
    model.fetch_all()
    assert model.rowCount() == len(filled.people)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in (0, 3, 4)] == [
        "姓名",
        "身份证号",
        "与户主关系",
    ]
    row = column(model, 0).index("赵丽")
    cells = [model.index(row, c).data() for c in range(model.columnCount())]
    assert cells[1] == "女" and cells[2] == "1987-05-05" and cells[4] == "配偶"
    assert cells[3].startswith("620502") and "********" in cells[3] and len(cells[3]) == 18
    assert cells[6].startswith("138****") and cells[7] == "户籍人口" and cells[9] == "待上传"
    names = column(model, 0)
    assert names == sorted(names)


def test_clicking_headers_sorts_in_sql_both_ways_and_pages_continue(window: MainWindow) -> None:
    window.show_list("person")
    model = window.people
    model.page_size = 3
    header = window.panes["person"].table.horizontalHeader()
    header.setSortIndicator(2, Qt.SortOrder.DescendingOrder)  # what a click on 出生日期 does
    assert (model.sort_name, model.descending) == ("birth_date", True)
    assert model.rowCount() == 3
    model.fetch_all()
    births = column(model, 2)
    assert births == sorted(births, reverse=True) and births[-1] == ""
    header.setSortIndicator(2, Qt.SortOrder.AscendingOrder)
    model.fetch_all()
    assert column(model, 2) == sorted(births)
    ids = [model.row_id(r) for r in model.rows()]
    assert len(set(ids)) == len(ids)
    header.setSortIndicator(6, Qt.SortOrder.AscendingOrder)  # 联系电话 is not sortable: nothing changes
    assert (model.sort_name, model.descending) == ("birth_date", False)
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (2, Qt.SortOrder.AscendingOrder)


def test_filter_line_filters_in_sql(qtbot: QtBot, window: MainWindow) -> None:
    window.show_list("household")
    pane = window.panes["household"]
    pane.filter.setText("低保")
    qtbot.waitUntil(lambda: window.households.filter_text == "低保")
    assert column(window.households, 3) == ["李家村一组1号", "李家村三组5号"]
    assert column(window.households, 4) == ["低保户", "低保户、留守家庭"]
    pane.filter.clear()
    pane.apply_filter()
    assert window.households.rowCount() == 8, "the township: grid A's seven and grid B's one"


def test_a_save_refreshes_just_its_rows_in_place(
    ledger: Ledger, window: MainWindow, filled: Ledgered
) -> None:
    window.show_list("person")
    model = window.people
    model.fetch_all()
    before = column(model, 0)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, _roles: changed.append(top.row()))
    lee = filled.people["李强"]
    with ledger.write() as tx:
        person = tx.session.get(Person, lee)
        assert person is not None
        persons.update_person(tx, person, phone="13912345678")
    forms.hub().saved.emit("person", lee)
    row = model.position_of(lee)
    assert row is not None and changed == [row]
    assert model.index(row, 6).data() == "139****5678" and column(model, 0) == before
    with ledger.write() as tx:
        person = tx.session.get(Person, lee)
        assert person is not None
        persons.update_person(tx, person, name="阿强")
        newcomer = persons.register_person(
            tx, grid_id=filled.township.grid_a.id, name="白雪", id_number=None
        ).record.id
    forms.hub().saved.emit("person", lee)
    forms.hub().saved.emit("person", newcomer)
    names = column(model, 0)
    assert names[0] == "白雪" or names == sorted(names)
    assert names == sorted(names) and "阿强" in names and "李强" not in names and "白雪" in names
    assert len(names) == len(before) + 1
    with ledger.write() as tx:
        gone = tx.session.get(Person, newcomer)
        assert gone is not None
        persons.delete_person(tx, gone)
    forms.hub().saved.emit("person", newcomer)
    assert "白雪" not in column(model, 0)
    assert resets == [], "the list was never read again from the start"
    # the household of a member that changed shows its new member count without a reset
    household = window.households
    with ledger.write() as tx:
        house = tx.session.get(Household, filled.households["李家村三组6号"])
        assert house is not None
        households.add_member(tx, house, "20", name="王小军", id_number=None)
        added = tx.session.query(Person).filter_by(name="王小军").one().id
    forms.hub().saved.emit("person", added)
    row = household.position_of(filled.households["李家村三组6号"])
    assert row is not None and household.index(row, 2).data() == 2


def test_enter_and_double_click_open_the_row_and_menus_open_new_records(
    qtbot: QtBot, window: MainWindow, filled: Ledgered, opened: list[tuple[str, str | None, str | None]]
) -> None:
    window.show_list("place")
    table = window.panes["place"].table
    assert window.places.rowCount() == 2
    table.setCurrentIndex(window.places.index(1, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened == [("place", window.places.row_at(1).id, None)]
    window.open_action.trigger()
    assert opened[-1] == ("place", window.places.row_at(1).id, None)
    # a new household goes to the grid selected in the tree; above a grid, the editor asks
    window.new_actions["household"].trigger()
    assert opened[-1] == ("household", None, None)
    grid_a = window.tree_model.match(
        window.tree_model.index(0, 0),
        Qt.ItemDataRole.DisplayRole,
        "李家村第一网格",
        1,
        Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
    )
    window.tree.setCurrentIndex(grid_a[0])
    window.new_actions["person"].trigger()
    assert opened[-1] == ("person", None, filled.township.grid_a.id)
    assert window.places.rowCount() == 2
    assert window.new_actions["household"].shortcut().toString() == "Ctrl+N"


def test_ctrl_number_switches_lists_and_a_hidden_list_loads_when_shown(
    qtbot: QtBot, window: MainWindow, filled: Ledgered
) -> None:
    assert [window.tab_actions[k].shortcut().toString() for k in ("household", "person", "place", "organisation")] == [
        "Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4",
    ]  # fmt: skip
    assert window.organisations.rowCount() == 0, "hidden lists are not read until shown"
    window.tab_actions["organisation"].trigger()
    assert window.tabs.currentWidget() is window.panes["organisation"]
    assert column(window.organisations, 0) == ["李家村护村联防队", "李家村邻里纠纷调委会"]
    assert column(window.organisations, 3) == [2, 0]
    grid_b = window.tree_model.match(
        window.tree_model.index(0, 0),
        Qt.ItemDataRole.DisplayRole,
        "李家村第二网格",
        1,
        Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
    )
    window.tree.setCurrentIndex(grid_b[0])
    assert window.organisations.rowCount() == 0
    window.tab_actions["person"].trigger()
    assert column(window.people, 0) == ["冯远"]
    assert window.people.canFetchMore(QModelIndex()) is False


def test_the_next_page_is_read_ahead_off_the_ui_thread_and_dropped_when_data_changes(
    ledger: Ledger, window: MainWindow, filled: Ledgered
) -> None:
    model = window.people
    model.page_size = 3
    window.show_list("person")
    reads: list[str] = []
    fetch = model.fetch_page

    def counted(after: Any, limit: int) -> Any:
        reads.append(threading.current_thread().name)
        return fetch(after, limit)

    model.fetch_page = counted  # type: ignore[method-assign]
    model.page_size = 3
    model.reset()
    assert reads == ["MainThread"] and model.rowCount() == 3
    assert model.page_ahead() is None, "a list only glanced at reads nothing more"
    model.fetchMore(QModelIndex())  # the user scrolls to the end of the first page
    assert reads[:2] == ["MainThread", "MainThread"] and model.rowCount() == 6
    ahead = model.page_ahead()
    assert ahead is not None
    third, _badges = ahead.result()
    assert len(reads) == 3 and reads[2].startswith("read-ahead") and len(third) == 3
    model.fetch_all()
    assert "MainThread" not in reads[2:], "every later page was read ahead"
    names = column(model, 0)
    assert names == sorted(names) and len(names) == len(filled.people)
    gc.collect()
    gc.collect()  # a tuple is let go once the tuples inside it are (its tags, its sort key)
    assert not any(gc.is_tracked(kept) for kept in model._rows), (
        "rows are kept where the collector need not walk"
    )

    # a page read before a save is not shown after it: the save's refresh drops it
    model.reset()
    model.fetchMore(QModelIndex())
    ahead = model.page_ahead()
    assert ahead is not None
    stale, _badges = ahead.result()
    renamed = stale[0].id
    with ledger.write() as tx:
        person = tx.session.get(Person, renamed)
        assert person is not None
        persons.update_person(tx, person, name="龚新名")
    forms.hub().saved.emit("person", renamed)
    assert model.page_ahead() is None
    model.fetch_all()
    names = column(model, 0)
    assert "龚新名" in names and stale[0].name not in names and names == sorted(names)

    # and a page read ahead for the list before a reset (another filter) never reaches the new list
    model.reset()
    model.fetchMore(QModelIndex())
    ahead = model.page_ahead()
    assert ahead is not None
    ahead.result()
    model.set_filter("龚新名")
    model.fetch_all()
    assert column(model, 0) == ["龚新名"]


def test_a_cell_answers_every_role_at_once_as_it_does_one_by_one(
    ledger: Ledger, window: MainWindow, filled: Ledgered
) -> None:
    """Views paint through multiData (one call per cell); what it answers is what data answers role by role."""
    window.show_list("person")
    model = window.people
    roles = [
        int(r)
        for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole)
    ]
    answered = 0
    for row in range(model.rowCount()):
        for col in range(model.columnCount()):
            index = model.index(row, col)
            for role in roles:
                asked = QModelRoleData(role)
                model.multiData(index, QModelRoleDataSpan(asked))
                assert asked.data() == model.data(index, role), (row, col, role)
                answered += asked.data() is not None
    assert answered > model.rowCount() * 8, "names, dates, badges … were answered"
    badge = model.index(0, model.badge_column)
    colour = QModelRoleData(int(Qt.ItemDataRole.ForegroundRole))
    model.multiData(badge, QModelRoleDataSpan(colour))
    assert badge.data() == "待上传" and colour.data() is not None, "the badge keeps its colour"

    asked_one_by_one: list[int] = []

    class Counting(PersonTableModel):
        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            asked_one_by_one.append(role)
            return super().data(index, role)

    counting = Counting(ledger)
    counting.show_grids(model.grid_ids)
    table = window.panes["person"].table
    table.setModel(counting)
    table.viewport().repaint()
    assert counting.rowCount() and int(Qt.ItemDataRole.DisplayRole) not in asked_one_by_one, (
        "painted per cell"
    )


def test_a_list_decides_how_to_read_its_pages_once_and_again_for_a_new_filter(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned: list[repositories.ListQuery] = []
    plan = repositories.list_plan

    def counted(session: Any, spec: Any, query: repositories.ListQuery) -> repositories.ListPlan:
        planned.append(query)
        return plan(session, spec, query)

    monkeypatch.setattr(repositories, "list_plan", counted)
    window.show_list("person")
    model = window.people
    model.page_size = 2
    planned.clear()
    model.reset()  # as after a sync: decided again
    assert len(planned) == 1
    model.fetch_all()
    assert model.rowCount() > 4 and len(planned) == 1  # one probe for the list, none a page
    model.set_filter("赵")
    model.fetch_all()
    assert [q.text for q in planned] == ["", "赵"]
