"""The table view of the window's long lists. It paints its plain rows itself, pixel for pixel as Qt's own table.

Qt paints each cell through the item delegate: about ten calls from C++ into the Python model a cell (the roles,
the flags, ``rowCount`` and ``columnCount`` for every index made) and the text laid out twice, once to size it and
once to draw it. A page scroll of the people list paints some 300 new cells, and the delegate's way cost 17–25 ms a
page on this machine, most of a scroll step. Here each plain row asks the model once for its texts
(``PagedTableModel.row_texts``) and each text is laid out once, in the draw. A row showing a state (selected,
current, under the mouse) is painted through the style and delegate exactly as ``QTableView`` paints it.

What it draws this way is what the lists show: plain text (a colour at most) in the default alignment on one line,
elided at the right, no icons, check boxes or fonts of their own. For anything else (a model of another kind, word
wrap, alternating colours, moved columns, right-to-left) it paints as Qt does, and so it does for a style that
places item text its own way: once per style, font, palette and row height, one row is painted both ways and
compared. ``tests/ui/test_list_view.py`` compares whole lists pixel for pixel.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QLineF, QModelIndex, QPointF, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QCursor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QTextLayout,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QWidget

from ui.models.paged import PagedTableModel

PLAIN_ROLES = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.StatusTipRole,
        Qt.ItemDataRole.WhatsThisRole,
    )
)
"""The roles a model painted here may answer besides the display: the text's colour and what does not paint."""


class LineMetrics:
    """Where Qt puts a line of text in a font: its ascent, descent and natural width, as a ``QTextLayout`` of the
    line would give them. A character missing from the font comes from a fallback font with its own ascent, so a
    line's height depends on its characters: each character is measured once, and a line takes the largest ascent
    and descent of its characters and, as a bound on its width, the sum of theirs. Only a text the bound does not
    show to fit is laid out whole."""

    KEPT = 4096
    """Texts whose measures are kept (the lists repeat many: 男, 户主, 户籍人口, 待上传 …)."""

    def __init__(self, font: QFont) -> None:
        self.font = QFont(font)
        self.elider = QFontMetrics(font)
        self.chars: dict[str, tuple[float, float, float]] = {}
        self.texts: dict[str, tuple[float, float, float]] = {}
        ascii_chars = [self._measured(chr(code)) for code in range(128)]
        self.ascii_widths = [width for _a, _d, width in ascii_chars]
        printable = {(a, d) for a, d, _w in ascii_chars[32:127]}
        self.ascii_line = printable.pop() if len(printable) == 1 else None
        """Ascent and descent of any line of printable ASCII, when the font has every such character."""

    def _measured(self, text: str) -> tuple[float, float, float]:
        layout = QTextLayout(text, self.font)
        layout.beginLayout()
        line = layout.createLine()
        line.setLineWidth(1e6)
        layout.endLayout()
        return line.ascent(), line.descent(), line.naturalTextWidth()

    def of(self, text: str) -> tuple[float, float, float]:
        """Ascent, descent, and a width no less than the line's."""
        found = self.texts.get(text)
        if found is not None:
            return found
        if self.ascii_line is not None and text.isascii() and text.isprintable():
            found = (*self.ascii_line, sum(map(self.ascii_widths.__getitem__, text.encode())))
            return found  # IDs, dates, numbers: each its own, not worth keeping
        chars = self.chars
        ascent = descent = width = 0.0
        for char in text:
            measured = chars.get(char)
            if measured is None:
                measured = chars[char] = self._measured(char)
            if measured[0] > ascent:
                ascent = measured[0]
            if measured[1] > descent:
                descent = measured[1]
            width += measured[2]
        if len(self.texts) >= self.KEPT:
            self.texts.clear()
        found = self.texts[text] = (ascent, descent, width)
        return found

    def fitted(self, text: str, width: int, mode: Qt.TextElideMode) -> tuple[str, float, float]:
        """``text`` elided to ``width`` if it needs to be (as Qt's item views do), with the ascent it is drawn at
        and the height of the line it is centred as."""
        ascent, descent, bound = self.of(text)
        if bound > width and self._measured(text)[2] > width:
            shown = self.elider.elidedText(text, mode, width)
            # Qt centres the line as the whole text would sit and draws the elided one on that line.
            return shown, self.of(shown)[0], math.ceil(ascent + descent)
        return text, ascent, math.ceil(ascent + descent)


@dataclass(frozen=True)
class _Page:
    """What painting a view's rows needs, read from the view once per paint."""

    model: PagedTableModel[Any]
    metrics: LineMetrics
    grid: int
    margin: int
    elide: Qt.TextElideMode
    base: QStyleOptionViewItem
    pen: QColor
    columns: list[tuple[int, int, int]]
    """(column, x, width without its grid line) of each column painted."""
    coloured: Collection[int]
    selection: QItemSelectionModel | None
    current: QModelIndex
    focused: QModelIndex | None
    hovered: QModelIndex

    def special(self, row: int) -> bool:
        """Whether the row shows a state (selected, current, under the mouse) the style draws."""
        selected = self.selection is not None and self.selection.isRowSelected(row, QModelIndex())
        return selected or row in (self.current.row(), self.hovered.row())


class ListTableView(QTableView):
    """A ``QTableView`` that paints the rows of a ``PagedTableModel`` itself (see the module's docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(False)
        self.paints_itself = True
        """False paints every cell through the delegate as ``QTableView`` does (for the test that compares)."""
        self._metrics: LineMetrics | None = None
        self._checked: dict[tuple[str, str, int, int], bool] = {}
        """Whether this view's plain rows agree with Qt's, by style, font, palette and row height."""

    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model()
        if not (self.paints_itself and isinstance(model, PagedTableModel) and self._plain(model)):
            super().paintEvent(event)
            return
        area = event.rect()
        first = self.rowAt(area.top())
        if first < 0:
            super().paintEvent(event)  # below the last row: nothing of ours to paint
            return
        last = self.rowAt(area.bottom())
        if last < 0:
            last = model.rowCount() - 1
        page = self._page(model, area)
        plain = next(
            (r for r in range(first, last + 1) if not self.isRowHidden(r) and not page.special(r)), None
        )
        if plain is not None and not self._agrees_with_qt(page, plain):
            super().paintEvent(event)
            return
        self._paint_rows(page, area, first, last)

    def _plain(self, model: PagedTableModel[Any]) -> bool:
        roles = model.decorated_roles
        header = self.horizontalHeader()
        return (
            roles is not None
            and roles <= PLAIN_ROLES
            and type(self.itemDelegate()) is QStyledItemDelegate
            and not self.wordWrap()
            and not self.alternatingRowColors()
            and not header.sectionsMoved()
            and self.layoutDirection() == Qt.LayoutDirection.LeftToRight
        )

    def _page(self, model: PagedTableModel[Any], area: QRect) -> _Page:
        """What painting the rows in ``area`` needs, read once for all of them."""
        grid = 1 if self.showGrid() else 0
        font = self.font()
        if self._metrics is None or self._metrics.font != font:
            self._metrics = LineMetrics(font)
        base = QStyleOptionViewItem()
        self.initViewItemOption(base)
        header = self.horizontalHeader()
        columns = []  # (column, x, width without the grid line) of the columns in the area
        for column in range(header.count()):
            x, width = self.columnViewportPosition(column), self.columnWidth(column)
            if not header.isSectionHidden(column) and x + width > area.left() and x <= area.right():
                columns.append((column, x, width - grid))
        current = self.currentIndex()
        return _Page(
            model=model,
            metrics=self._metrics,
            grid=grid,
            margin=self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1,
            elide=self.textElideMode(),
            base=base,
            pen=base.palette.color(self._colour_group(base.state), QPalette.ColorRole.Text),
            columns=columns,
            coloured=model.coloured_columns
            if model.coloured_columns is not None
            else range(len(model.headers)),
            selection=self.selectionModel(),
            current=current,
            focused=current
            if current.isValid() and (self.hasFocus() or self.viewport().hasFocus())
            else None,
            hovered=self._hovered(),
        )

    def _paint_rows(self, page: _Page, area: QRect, first: int, last: int) -> None:
        painter = QPainter(self.viewport())
        painter.setFont(self.font())
        lines: list[QLineF] = []
        bottom = area.top()
        # Grid lines stop at the last row and the last column, as Qt's do (a list narrower than the view).
        right = min(area.right(), max((x + width for _column, x, width in page.columns), default=area.left()))
        for row in range(first, last + 1):
            if self.isRowHidden(row):
                continue
            y, height = self.rowViewportPosition(row), self.rowHeight(row) - page.grid
            bottom = y + height
            if page.grid:
                lines.append(QLineF(area.left(), bottom + 0.5, right + 1, bottom + 0.5))
            if page.special(row):
                self._draw_cells(painter, page, row, y, height)
            else:
                self._draw_texts(painter, page, row, y, height)
        if page.grid:
            colour = QColor.fromRgba(
                self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, page.base, self) & 0xFFFFFFFF
            )
            painter.setPen(QPen(colour, 1, self.gridStyle(), Qt.PenCapStyle.FlatCap))
            end = min(area.bottom(), bottom)
            lines.extend(
                QLineF(x + width + 0.5, area.top(), x + width + 0.5, end + 1)
                for _column, x, width in page.columns
            )
            painter.drawLines(lines)
        painter.end()

    @staticmethod
    def _draw_texts(painter: QPainter, page: _Page, row: int, y: int, height: int) -> None:
        """A plain row's texts, where Qt's delegate would put them."""
        model, metrics, margin, elide, pen = page.model, page.metrics, page.margin, page.elide, page.pen
        painter.setPen(pen)
        texts = model.row_texts(row)
        for column, x, width in page.columns:
            text = texts[column]
            if not text:
                continue
            shown, ascent, line_height = metrics.fitted(text, width - 2 * margin, elide)
            top = y + height // 2 - line_height // 2
            colour = model.text_colour(row, column) if column in page.coloured else None
            if colour is not None:
                painter.setPen(colour)
            painter.drawText(QPointF(x + margin, top + ascent), shown)
            if colour is not None:
                painter.setPen(pen)

    def _draw_cells(self, painter: QPainter, page: _Page, row: int, y: int, height: int) -> None:
        """A row's cells as ``QTableView`` paints each: its states (selected, focused, under the mouse) on the
        view's option, the row panel, then the delegate."""
        style = self.style()
        for column, x, width in page.columns:
            index = page.model.index(row, column)
            option = QStyleOptionViewItem(page.base)
            option.rect = QRect(x, y, width, height)
            if page.selection is not None and page.selection.isSelected(index):
                option.state |= QStyle.StateFlag.State_Selected
            if index == page.hovered:
                option.state |= QStyle.StateFlag.State_MouseOver
            if option.state & QStyle.StateFlag.State_Enabled:
                option.palette.setCurrentColorGroup(QPalette.ColorGroup.Normal)
            if page.focused is not None and index == page.focused:
                option.state |= QStyle.StateFlag.State_HasFocus
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewRow, option, painter, self)
            self.itemDelegate().paint(painter, option, index)

    def _agrees_with_qt(self, page: _Page, row: int) -> bool:
        """Whether a plain row painted here is what the style and delegate paint, checked on one row once for
        each style, font, palette and row height: a style of another platform may place item text its own way
        (Windows 11's cannot be tried here), and then the list is painted as Qt paints it."""
        height = self.rowHeight(row) - page.grid
        key = (self.style().name(), self.font().key(), self.palette().cacheKey(), height)
        agrees = self._checked.get(key)
        if agrees is None:
            images = []
            for draw in (self._draw_texts, self._draw_cells):
                image = QImage(self.viewport().size() * self.devicePixelRatioF(), QImage.Format.Format_ARGB32)
                image.setDevicePixelRatio(self.devicePixelRatioF())
                image.fill(self.viewport().palette().color(QPalette.ColorRole.Base))
                painter = QPainter(image)
                painter.setFont(self.font())
                draw(painter, page, row, 0, height)
                painter.end()
                images.append(image)
            agrees = self._checked[key] = images[0] == images[1]
        return agrees

    def _hovered(self) -> QModelIndex:
        """The cell under the mouse, when the style tracks it (as Windows' styles do; Fusion does not)."""
        viewport = self.viewport()
        if not viewport.testAttribute(Qt.WidgetAttribute.WA_Hover) or not viewport.underMouse():
            return QModelIndex()
        return self.indexAt(viewport.mapFromGlobal(QCursor.pos()))

    @staticmethod
    def _colour_group(state: Any) -> QPalette.ColorGroup:
        """The palette group Qt's style picks the text colour from (disabled, inactive window, or normal)."""
        if not state & QStyle.StateFlag.State_Enabled:
            return QPalette.ColorGroup.Disabled
        if not state & QStyle.StateFlag.State_Active:
            return QPalette.ColorGroup.Inactive
        return QPalette.ColorGroup.Normal
