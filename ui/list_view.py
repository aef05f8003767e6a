"""The table view of the window's long lists. It paints its rows itself, pixel for pixel as Qt's own table would.

Qt paints each cell through the item delegate: about ten calls from C++ into the Python model a cell (the roles,
the flags, ``rowCount`` and ``columnCount`` for every index made) and the text laid out twice, once to size it and
once to draw it. A page scroll of the people list paints some 300 new cells, and the delegate's way cost 17–25 ms a
page on this machine, most of a scroll step. Here each visible row asks the model once for its texts
(``PagedTableModel.row_texts``) and each text is laid out once, in the draw. Selected and current rows get their
background and focus frame from the style exactly as Qt draws them; only their text is drawn here.

What it draws this way is what the lists show: plain text (a colour at most) in the default alignment on one line,
elided at the right, no icons, check boxes or fonts of their own. For anything else (a model of another kind, word
wrap, alternating colours, moved columns, right-to-left) it paints as Qt does. A test compares the two
pixel for pixel.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QLine, QModelIndex, QPointF, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QCursor,
    QFont,
    QFontMetrics,
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


class ListTableView(QTableView):
    """A ``QTableView`` that paints the rows of a ``PagedTableModel`` itself (see the module's docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(False)
        self.paints_itself = True
        """False paints every cell through the delegate as ``QTableView`` does (for the test that compares)."""
        self._metrics: LineMetrics | None = None

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
        self._paint_rows(model, area, first, last)

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

    def _paint_rows(self, model: PagedTableModel[Any], area: QRect, first: int, last: int) -> None:
        style = self.style()
        grid = 1 if self.showGrid() else 0
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        font = self.font()
        if self._metrics is None or self._metrics.font != font:
            self._metrics = LineMetrics(font)
        metrics = self._metrics
        elide = self.textElideMode()
        base = QStyleOptionViewItem()
        self.initViewItemOption(base)
        pen = base.palette.color(self._colour_group(base.state), QPalette.ColorRole.Text)
        header = self.horizontalHeader()
        columns = []  # (column, x, width without the grid line) of the columns in the area
        for column in range(header.count()):
            x, width = self.columnViewportPosition(column), self.columnWidth(column)
            if not header.isSectionHidden(column) and x + width > area.left() and x <= area.right():
                columns.append((column, x, width - grid))
        coloured = model.coloured_columns if model.coloured_columns is not None else range(len(model.headers))
        selection = self.selectionModel()
        current = self.currentIndex()
        focused = current if current.isValid() and (self.hasFocus() or self.viewport().hasFocus()) else None
        hovered = self._hovered()
        painter = QPainter(self.viewport())
        painter.setPen(pen)
        lines: list[QLine] = []
        bottom = area.top()
        for row in range(first, last + 1):
            if self.isRowHidden(row):
                continue
            y, height = self.rowViewportPosition(row), self.rowHeight(row) - grid
            bottom = y + height
            if grid:
                lines.append(QLine(area.left(), bottom, area.right(), bottom))
            selected = selection is not None and selection.isRowSelected(row, QModelIndex())
            if selected or row in (current.row(), hovered.row()):
                # Drawn by the style, as QTableView draws each cell: the selection, focus frame and hover.
                for column, x, width in columns:
                    index = model.index(row, column)
                    self._paint_cell(painter, base, QRect(x, y, width, height), index, focused, hovered)
                painter.setPen(pen)
                continue
            texts = model.row_texts(row)
            for column, x, width in columns:
                text = texts[column]
                if not text:
                    continue
                shown, ascent, line_height = metrics.fitted(text, width - 2 * margin, elide)
                top = y + height // 2 - line_height // 2
                colour = model.text_colour(row, column) if column in coloured else None
                if colour is not None:
                    painter.setPen(colour)
                painter.drawText(QPointF(x + margin, top + ascent), shown)
                if colour is not None:
                    painter.setPen(pen)
        if grid:
            colour = QColor.fromRgba(
                style.styleHint(QStyle.StyleHint.SH_Table_GridLineColor, base, self) & 0xFFFFFFFF
            )
            painter.setPen(QPen(colour, 0, self.gridStyle()))
            end = min(area.bottom(), bottom)
            lines.extend(QLine(x + width, area.top(), x + width, end) for _column, x, width in columns)
            painter.drawLines(lines)
        painter.end()

    def _hovered(self) -> QModelIndex:
        """The cell under the mouse, when the style tracks it (as Windows' styles do; Fusion does not)."""
        viewport = self.viewport()
        if not viewport.testAttribute(Qt.WidgetAttribute.WA_Hover) or not viewport.underMouse():
            return QModelIndex()
        return self.indexAt(viewport.mapFromGlobal(QCursor.pos()))

    def _paint_cell(
        self,
        painter: QPainter,
        base: QStyleOptionViewItem,
        rect: QRect,
        index: QModelIndex,
        focused: QModelIndex | None,
        hovered: QModelIndex,
    ) -> None:
        """One cell as ``QTableView`` paints it: its states on the view's option, the row panel, the delegate."""
        option = QStyleOptionViewItem(base)
        option.rect = rect
        if self.selectionModel().isSelected(index):
            option.state |= QStyle.StateFlag.State_Selected
        if index == hovered:
            option.state |= QStyle.StateFlag.State_MouseOver
        if option.state & QStyle.StateFlag.State_Enabled:
            option.palette.setCurrentColorGroup(QPalette.ColorGroup.Normal)
        if focused is not None and index == focused:
            option.state |= QStyle.StateFlag.State_HasFocus
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewRow, option, painter, self)
        self.itemDelegate().paint(painter, option, index)

    @staticmethod
    def _colour_group(state: Any) -> QPalette.ColorGroup:
        """The palette group Qt's style picks the text colour from (disabled, inactive window, or normal)."""
        if not state & QStyle.StateFlag.State_Enabled:
            return QPalette.ColorGroup.Disabled
        if not state & QStyle.StateFlag.State_Active:
            return QPalette.ColorGroup.Inactive
        return QPalette.ColorGroup.Normal
