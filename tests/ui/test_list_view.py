"""The window's lists paint their rows themselves (ui.list_view): what they paint must be what Qt's own table paints,
pixel for pixel, in every state a list is seen in: rows with sync badges in colour, a selected row with and without
the keyboard focus, texts elided in narrow columns, a disabled list, a larger font with even and odd row heights,
and the end of a short list."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QFont, QImage, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleFactory, QTableView
from pytestqt.qtbot import QtBot

from tests.ui.test_lists import filled, window  # noqa: F401 - fixtures
from tests.ui.test_main_window import chinese  # noqa: F401 - fixture
from ui.list_view import ListTableView
from ui.main import KINDS, ListPane, MainWindow
from ui.models.paged import PagedTableModel


def painted(view: QTableView) -> QImage:
    return view.viewport().grab().toImage()


def differing_pixels(ours: QImage, qts: QImage) -> int:
    return sum(ours.pixel(x, y) != qts.pixel(x, y) for y in range(ours.height()) for x in range(ours.width()))


@pytest.fixture
def rows_painted(monkeypatch: pytest.MonkeyPatch, window: MainWindow) -> list[int]:  # noqa: F811
    """The rows each list asked its model for as it painted them itself."""
    asked: list[int] = []
    for kind in KINDS:
        model = window.panes[kind].model
        original = model.row_texts

        def counted(row: int, original: Callable[[int], list[str]] = original) -> list[str]:
            asked.append(row)
            return original(row)

        monkeypatch.setattr(model, "row_texts", counted)
    return asked


def assert_painted_as_qt_paints(pane: ListPane, asked: list[int]) -> None:
    view = pane.table
    assert isinstance(view, ListTableView) and view.paints_itself
    assert pane.model.rowCount() > 0
    asked.clear()
    ours = painted(view)
    assert asked and all(view._checked.values()), "the list painted its rows itself, having checked one"
    view.paints_itself = False
    try:
        asked.clear()
        qts = painted(view)
        assert not asked
    finally:
        view.paints_itself = True
    assert ours.size() == qts.size()
    assert ours == qts, f"{differing_pixels(ours, qts)} pixels differ"


def selected(pane: ListPane) -> None:
    pane.table.setFocus()
    pane.table.selectRow(1)


def selected_filter_focused(pane: ListPane) -> None:
    pane.table.selectRow(1)
    pane.filter.setFocus()


def current_not_selected(pane: ListPane) -> None:
    pane.table.setFocus()
    pane.table.setCurrentIndex(pane.model.index(0, 2))
    pane.table.clearSelection()


def selected_current_elsewhere(pane: ListPane) -> None:
    selected(pane)
    pane.table.selectionModel().setCurrentIndex(
        pane.model.index(3, 0), QItemSelectionModel.SelectionFlag.NoUpdate
    )


def narrow(pane: ListPane) -> None:
    header = pane.table.horizontalHeader()
    for column in range(header.count()):
        header.resizeSection(column, 26 + 9 * column)
    selected(pane)


def disabled(pane: ListPane) -> None:
    pane.table.selectRow(0)
    pane.setEnabled(False)


def rows_of(pane: ListPane, height: int, points: int | None = None) -> None:
    """Rows ``height`` pixels high (a line's height and the row's may be odd or even: Qt centres them apart),
    in a font of ``points`` if given."""
    if points is not None:
        font = QFont(pane.table.font())
        font.setPointSize(points)
        pane.table.setFont(font)
    pane.table.verticalHeader().setDefaultSectionSize(height)
    pane.table.selectRow(0)


STATES: dict[str, Callable[[ListPane], None]] = {
    "as it opens": lambda pane: None,
    "a row selected, the list focused": selected,
    "a row selected, the filter focused": selected_filter_focused,
    "current but not selected": current_not_selected,
    "selected, the current row another": selected_current_elsewhere,
    "narrow columns, texts elided": narrow,
    "a column hidden": lambda pane: pane.table.setColumnHidden(1, True),
    "disabled": disabled,
    "rows 22 high": lambda pane: rows_of(pane, 22),
    "rows 23 high": lambda pane: rows_of(pane, 23),
    "larger font, rows 30 high": lambda pane: rows_of(pane, 30, 15),
    "larger font, rows 31 high": lambda pane: rows_of(pane, 31, 15),
}


@pytest.mark.parametrize("style", ["Fusion", "Windows"])
@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("kind", KINDS)
def test_each_list_paints_its_rows_as_qt_would_pixel_for_pixel(
    window: MainWindow,  # noqa: F811
    rows_painted: list[int],
    kind: str,
    state: str,
    style: str,
) -> None:
    window.show_list(kind)
    pane = window.panes[kind]
    kept = QStyleFactory.create(style)
    pane.table.setStyle(kept)
    pane.model.fetch_all()
    STATES[state](pane)
    assert_painted_as_qt_paints(pane, rows_painted)


class HoverStyle(QProxyStyle):
    """Fusion with the cell under the mouse shaded, as Windows' own styles shade it (not available here)."""

    def polish(self, widget: Any) -> None:  # type: ignore[override]
        super().polish(widget)
        if isinstance(widget, QTableView):
            widget.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover)

    def drawPrimitive(self, element: Any, option: Any, painter: Any, widget: Any = None) -> None:
        if (
            element == QStyle.PrimitiveElement.PE_PanelItemViewItem
            and option.state & QStyle.StateFlag.State_MouseOver
        ):
            painter.fillRect(option.rect, QColor("#cde8ff"))
        super().drawPrimitive(element, option, painter, widget)


def test_the_row_under_the_mouse_is_painted_as_qt_paints_it_where_the_style_tracks_hovering(
    window: MainWindow,  # noqa: F811
    rows_painted: list[int],
    qtbot: QtBot,
) -> None:
    window.show_list("person")
    pane = window.panes["person"]
    style = HoverStyle("Fusion")
    pane.table.setStyle(style)
    viewport = pane.table.viewport()
    assert viewport.testAttribute(Qt.WidgetAttribute.WA_Hover)
    pane.table.setFocus()
    pane.table.selectRow(0)
    qtbot.mouseMove(viewport, pane.table.visualRect(pane.model.index(2, 1)).center())
    qtbot.waitUntil(viewport.underMouse)
    assert pane.table._hovered().row() == 2
    assert_painted_as_qt_paints(pane, rows_painted)


def test_the_badge_column_is_coloured_and_a_long_list_scrolled_paints_the_same(
    window: MainWindow,  # noqa: F811
    rows_painted: list[int],
) -> None:
    window.show_list("person")
    pane = window.panes["person"]
    model = window.people
    model.fetch_all()
    badges = [model.text_colour(row, model.badge_column) for row in range(model.rowCount())]
    assert any(colour is not None for colour in badges), "some rows wait to be sent (待上传, in colour)"
    assert model.text_colour(0, 0) is None
    pane.table.resize(pane.table.width(), 120)  # fewer rows fit than the list holds: scroll to its end
    pane.table.scrollToBottom()
    pane.table.selectRow(model.rowCount() - 1)
    pane.table.setFocus()
    assert_painted_as_qt_paints(pane, rows_painted)


def test_a_model_of_another_kind_is_painted_by_qt(qtbot: Any) -> None:
    model = QStandardItemModel(3, 2)
    for row in range(3):
        for column in range(2):
            item = QStandardItem(f"{row}-{column}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight)
            model.setItem(row, column, item)
    ours, plain = ListTableView(), QTableView()
    for view in (ours, plain):
        qtbot.addWidget(view)
        view.setWordWrap(False)
        view.setModel(model)
        view.resize(300, 200)
    assert painted(ours) == painted(plain)


class ShiftedTextStyle(QProxyStyle):
    """Fusion with item text one pixel lower, as another platform's style may place it."""

    def drawControl(self, element: Any, option: Any, painter: Any, widget: Any = None) -> None:
        if element == QStyle.ControlElement.CE_ItemViewItem:
            painter.translate(0, 1)
            super().drawControl(element, option, painter, widget)
            painter.translate(0, -1)
            return
        super().drawControl(element, option, painter, widget)


def test_a_style_that_places_text_its_own_way_gets_the_list_painted_by_qt(
    window: MainWindow,  # noqa: F811
    rows_painted: list[int],
) -> None:
    window.show_list("person")
    pane = window.panes["person"]
    style = ShiftedTextStyle("Fusion")
    pane.table.setStyle(style)
    rows_painted.clear()
    ours = painted(pane.table)
    assert list(pane.table._checked.values()) == [False]
    assert len(rows_painted) == 1  # the one row checked, then Qt's paint
    pane.table.paints_itself = False
    assert ours == painted(pane.table)


class Names(PagedTableModel[tuple[str, str, str]]):
    """A list in memory (the scaled-screen check runs in a process of its own, with no ledger)."""

    headers = ("姓名", "身份证号", "地址")
    decorated_roles = frozenset()
    ROWS: ClassVar[list[tuple[str, str, str, str]]] = [
        (f"{i:04d}", "丁志鹏" if i % 2 else "Zhang Wei", f"620503********{i:04d}", "秦州区" * (i % 5))
        for i in range(300)
    ]

    def fetch_page(self, after: Any, limit: int) -> list[Any]:
        start = 0 if after is None else int(after) + 1
        return self.ROWS[start : start + limit]

    def row_key(self, row: Any) -> Any:
        return row[0]

    def row_id(self, row: Any) -> str:
        return str(row[0])

    def display(self, row: Any, column: int) -> Any:
        return row[column + 1]


SCALED_CHECK = """
import sys
from PySide6.QtWidgets import QApplication
from tests.ui.test_list_view import Names
from ui.list_view import ListTableView
app = QApplication([])
model = Names()
model.reset()
view = ListTableView()
view.setModel(model)
view.resize(420, 300)
view.horizontalHeader().resizeSection(2, 60)
view.show()
view.setFocus()
view.selectRow(3)
app.processEvents()
images = []
for own in (True, False):
    view.paints_itself = own
    images.append(view.viewport().grab().toImage())
print(images[0].devicePixelRatio(), images[0] == images[1], all(view._checked.values()) and len(view._checked))
"""


@pytest.mark.parametrize("scale", ["1", "1.5", "2"])
def test_on_a_scaled_screen_the_list_paints_as_qt_would(scale: str) -> None:
    """High-DPI screens (QT_SCALE_FACTOR), in a process of their own: grid lines, text and a list narrower than
    its view, whose grid stops at the last column."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": scale}
    done = subprocess.run(
        [sys.executable, "-c", SCALED_CHECK],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    ratio, same, checked = done.stdout.split()
    assert (float(ratio), same, checked) == (float(scale), "True", "1")
