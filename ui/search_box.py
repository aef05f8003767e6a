"""The global search box of the toolbar: results as you type, grouped by kind (人员, 户, 场所, 组织).

The results hang below the box as a panel of the window (not a popup window), so typing stays in the box:
Up/Down move through the results, Enter opens the one chosen (the first if none is), Esc closes the panel and
a second Esc clears the box. A double-click opens a result too.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.ledger import Ledger
from app.privacy import mask_id_number
from app.search import Found, search_everything
from ui.models.lists import code_label

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
PER_KIND = 8
"""Results shown per kind; the lists (filter line) are there for more."""
SEARCH_DELAY_MS = 0
"""A search takes ~15 ms on a 30,000-household township: run it as soon as Qt is idle after a keystroke, which
still folds a burst of keystrokes (a paste, an input method committing several characters) into one search."""


class SearchResults(QTreeWidget):
    """The results panel: a heading row per kind, the results under it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setItemsExpandable(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setUniformRowHeights(True)
        self.header().setStretchLastSection(True)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.hide()

    def groups(self) -> list[QTreeWidgetItem]:
        return [item for i in range(self.topLevelItemCount()) if (item := self.topLevelItem(i)) is not None]

    def choices(self) -> list[QTreeWidgetItem]:
        """The result rows (not the headings), top to bottom."""
        out: list[QTreeWidgetItem] = []
        for group in self.groups():
            out.extend(item for j in range(group.childCount()) if (item := group.child(j)) is not None)
        return out


class SearchBox(QLineEdit):
    """Type to search the whole ledger; ``open_requested(kind, record_id)`` when a result is opened."""

    open_requested = Signal(str, str)

    def __init__(self, ledger: Ledger, window: QWidget) -> None:
        super().__init__()
        self.ledger = ledger
        self.window_ = window
        self.setClearButtonEnabled(True)
        self.setPlaceholderText(self.tr("Search people, households, places, organisations (Ctrl+F)"))
        self.setMinimumWidth(320)
        self.results = SearchResults(window)
        self.results.itemDoubleClicked.connect(lambda item, _column: self._open(item))
        self.found: Found | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.search_now)
        self.textEdited.connect(lambda _text: self.timer.start())
        self.textChanged.connect(self._text_changed)
        window.installEventFilter(self)
        self.kind_names = {
            "person": self.tr("People"),
            "household": self.tr("Households"),
            "place": self.tr("Places"),
            "organisation": self.tr("Organisations"),
        }

    # -- searching ------------------------------------------------------------------------------------------------
    def _text_changed(self, text: str) -> None:
        if not text.strip():
            self.timer.stop()
            self.close_results()
        elif not self.timer.isActive():
            self.timer.start()

    def search_now(self) -> None:
        """Search for what the box holds and show the results (run by the timer; tests may call it)."""
        self.timer.stop()
        text = self.text().strip()
        if not text:
            self.close_results()
            return
        with self.ledger.read() as session:
            self.found = search_everything(session, text, PER_KIND)
        self._fill(self.found)

    def _fill(self, found: Found) -> None:
        tree = self.results
        tree.clear()
        groups: list[tuple[str, list[tuple[str, str, str]]]] = [
            ("person", [(p.id, self._person_title(p.name, p.sex, p.id_number), p.household_number or p.address)
                        for p in found.people]),
            ("household", [(h.id, f"{h.number}  {h.head_name}", h.address) for h in found.households]),
            ("place", [(p.id, p.name, " · ".join(filter(None, (code_label("PlaceKind", p.kind), p.address))))
                       for p in found.places]),
            ("organisation", [(o.id, o.name, " · ".join(filter(None, (code_label("OrgKind", o.kind),
                                                                      o.leader_name))))
                              for o in found.organisations]),
        ]  # fmt: skip
        for kind, rows in groups:
            if not rows:
                continue
            heading = QTreeWidgetItem([f"{self.kind_names[kind]} ({len(rows)})", ""])
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = heading.font(0)
            font.setBold(True)
            heading.setFont(0, font)
            tree.addTopLevelItem(heading)
            for record_id, title, detail in rows:
                item = QTreeWidgetItem([title, detail])
                item.setData(0, KIND_ROLE, kind)
                item.setData(0, ID_ROLE, record_id)
                heading.addChild(item)
            heading.setExpanded(True)
        if tree.topLevelItemCount() == 0:
            empty = QTreeWidgetItem(
                [self.tr("Nothing found for “%1”").replace("%1", self.text().strip()), ""]
            )
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            tree.addTopLevelItem(empty)
        choices = tree.choices()
        if choices:
            tree.setCurrentItem(choices[0])
        self._place_results()
        tree.show()
        tree.raise_()

    def _person_title(self, name: str, sex: str, id_number: str | None) -> str:
        return "  ".join(filter(None, (name, code_label("Sex", sex), mask_id_number(id_number))))

    def _place_results(self) -> None:
        tree = self.results
        corner = self.mapTo(self.window_, QPoint(0, self.height()))
        rows = sum(1 + group.childCount() for group in tree.groups())
        # Rows are of one height (uniform): the panel is as tall as its rows, up to the window's bottom.
        row_height = tree.sizeHintForRow(0)
        if row_height <= 0:
            row_height = self.fontMetrics().height() + 6
        height = min(
            rows * row_height + 2 * tree.frameWidth() + 4, max(160, self.window_.height() - corner.y() - 8)
        )
        width = max(self.width(), 520)
        x = max(0, min(corner.x(), self.window_.width() - width))
        tree.setGeometry(x, corner.y(), width, height)

    # -- choosing and opening ----------------------------------------------------------------------------------
    def current_choice(self) -> tuple[str, str] | None:
        item = self.results.currentItem()
        if item is None or item.data(0, ID_ROLE) is None:
            return None
        return str(item.data(0, KIND_ROLE)), str(item.data(0, ID_ROLE))

    def step_choice(self, step: int) -> None:
        choices = self.results.choices()
        if not choices:
            return
        current = self.results.currentItem()
        index = choices.index(current) if current in choices else -1
        index = max(0, min(len(choices) - 1, index + step))
        self.results.setCurrentItem(choices[index])
        self.results.scrollToItem(choices[index])

    def _open(self, item: QTreeWidgetItem | None) -> None:
        if item is None or item.data(0, ID_ROLE) is None:
            return
        kind, record_id = str(item.data(0, KIND_ROLE)), str(item.data(0, ID_ROLE))
        self.close_results()
        self.open_requested.emit(kind, record_id)

    def close_results(self) -> None:
        self.results.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        showing = self.results.isVisible()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            if self.timer.isActive() or (not showing and self.text().strip()):
                self.search_now()
            steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}
            self.step_choice(steps[Qt.Key(key)])
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.timer.isActive() or (not showing and self.text().strip()):
                self.search_now()
            self._open(self.results.currentItem())
            return
        if key == Qt.Key.Key_Escape:
            if showing:
                self.close_results()
            elif self.text():
                self.clear()
            else:
                self.window_.setFocus()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        # The panel never takes focus, so focus leaving the box means the person went elsewhere.
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.close_results()
        super().focusOutEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self.text().strip() and event.reason() != Qt.FocusReason.PopupFocusReason:
            self.search_now()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window_ and event.type() == QEvent.Type.Resize and self.results.isVisible():
            self._place_results()
        return False
