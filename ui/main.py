"""The main window: the grid tree with household and people counts; the selected node's households, people,
places and organisations in tabs (paged, sorted and filtered in SQL, rows refreshed one by one after a save); the
global search in the toolbar (Ctrl+F); who is working, on which profile, and where sync stands in the status bar
(click it for the conflict inbox)."""

from __future__ import annotations

import gc
import os
import sys
import time
from contextlib import suppress
from importlib import metadata
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import Connection, Engine, event

from app import repositories
from app.errors import PassphraseError, StorageError
from app.ledger import Ledger
from app.profile import Profile
from app.repositories import GridRow
from sync.status import CONNECTING, progress_text, sync_status
from ui import forms, widgets
from ui.coverage import CoverageDialog
from ui.i18n import install_translators
from ui.inbox import InboxDialog
from ui.list_view import ListTableView
from ui.models.lists import (
    BADGE_COLOURS,
    HouseholdTableModel,
    OrganisationTableModel,
    PersonTableModel,
    PlaceTableModel,
    RecordTableModel,
)
from ui.search_box import SearchBox
from ui.settings import SettingsDialog, apply_font_scale
from ui.sync_worker import SyncController
from ui.undo import UndoStack

__all__ = ["BADGE_COLOURS", "BADGE_COLUMN", "HouseholdTableModel", "MainWindow", "run", "unlock"]

ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""On a tree node: the ids of the node and every node below it (whose records its lists show)."""
NODE_ROLE = Qt.ItemDataRole.UserRole + 2
"""On a tree node: the node's own id and kind."""
BADGE_COLUMN = HouseholdTableModel.badge_column
REFRESH_DELAY_MS = 250
"""Saves come in bursts (a sync applies page after page): the status and badges refresh once they settle."""
FILTER_DELAY_MS = 200
"""A list's filter runs this long after the last keystroke in its filter line."""
KINDS = ("household", "person", "place", "organisation")


class ClickableLabel(QLabel):
    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class LedgerWatch(QObject):
    """Says when anything was committed to the ledger (a save here, a sync on the worker thread, a choice in the
    inbox), so the window refreshes what it shows. Emitted from whichever thread committed; Qt queues it."""

    committed = Signal()

    def __init__(self, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        event.listen(engine, "commit", self._on_commit)

    def _on_commit(self, _connection: Connection) -> None:
        # A window deleted without being closed has nothing to tell: never fail a save for it.
        with suppress(RuntimeError):
            self.committed.emit()

    def stop(self) -> None:
        if event.contains(self.engine, "commit", self._on_commit):
            event.remove(self.engine, "commit", self._on_commit)


class ListPane(QWidget):
    """One tab: a filter line above a paged list. Enter or a double-click on a row opens it."""

    open_requested = Signal(str, str)

    def __init__(self, model: RecordTableModel[Any], placeholder: str, stretch: int) -> None:
        super().__init__()
        self.model = model
        self.filter = QLineEdit()
        self.filter.setClearButtonEnabled(True)
        self.filter.setPlaceholderText(placeholder)
        self.table = ListTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        # Fixed starting widths the person can drag: sizing columns to their contents measures every row
        # fetched, which costs more than the page itself on a long list.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        digit = self.fontMetrics().horizontalAdvance("0")
        header.setDefaultSectionSize(digit * 12)
        for column, chars in model.column_chars.items():
            header.resizeSection(column, digit * chars)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(model.sort_column, model.sort_order())
        header.setSortIndicatorShown(True)
        header.sortIndicatorChanged.connect(self._sort_clicked)
        header.setSectionsClickable(True)
        self.table.activated.connect(self._activated)
        self.filter_timer = QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(FILTER_DELAY_MS)
        self.filter_timer.timeout.connect(self.apply_filter)
        self.filter.textChanged.connect(lambda _text: self.filter_timer.start())
        self.filter.returnPressed.connect(self._filter_entered)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)
        self.stale = False
        """Records may have changed while this tab was hidden: read it again when it shows."""
        self.pending_grids: list[str] | None = None
        """Another tree node was chosen while this tab was hidden: its grids, shown when the tab shows."""

    def apply_filter(self) -> None:
        self.filter_timer.stop()
        self.model.set_filter(self.filter.text())

    def _filter_entered(self) -> None:
        self.apply_filter()
        self.table.setFocus()
        if self.model.rowCount():
            self.table.selectRow(0)

    def _sort_clicked(self, column: int, order: Qt.SortOrder) -> None:
        self.model.sort(column, order)
        header = self.table.horizontalHeader()
        if (column, order) != (self.model.sort_column, self.model.sort_order()):
            # Not a sortable column: the indicator goes back to the order the list is in.
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column, self.model.sort_order())
            header.blockSignals(False)

    def current_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_id(self.model.row_at(index.row()))

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(self.model.kind, self.model.row_id(self.model.row_at(index.row())))


class MainWindow(QMainWindow):
    def __init__(self, ledger: Ledger, profile: Profile) -> None:
        super().__init__()
        self.ledger = ledger
        self.profile = profile
        self.undo = UndoStack(ledger, self)
        self.undo.message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.setWindowTitle(self.tr("GridDesk — grid ledger"))
        self.tree = QTreeView()
        self.tree.setHeaderHidden(False)
        self.tree_model = QStandardItemModel()
        self.tree.setModel(self.tree_model)
        self.households = HouseholdTableModel(ledger)
        self.people = PersonTableModel(ledger)
        self.places = PlaceTableModel(ledger)
        self.organisations = OrganisationTableModel(ledger)
        self.panes: dict[str, ListPane] = {
            "household": ListPane(
                self.households, self.tr("Filter by household no., head, address or tag"), 3
            ),
            "person": ListPane(
                self.people, self.tr("Filter by name, pinyin initials or last digits of ID"), 8
            ),
            "place": ListPane(self.places, self.tr("Filter by name, address, owner or kind"), 2),
            "organisation": ListPane(
                self.organisations, self.tr("Filter by name, person in charge or kind"), 0
            ),
        }
        self.table = self.panes["household"].table
        self.tabs = QTabWidget()
        # The kinds of record by the names the search panel heads its groups with (户, 人员 …), not the tree's
        # "Households" and "People" columns, which are counts (户数, 人数).
        tab_titles = {
            "household": QApplication.translate("SearchBox", "Households"),
            "person": QApplication.translate("SearchBox", "People"),
            "place": QApplication.translate("SearchBox", "Places"),
            "organisation": QApplication.translate("SearchBox", "Organisations"),
        }
        for kind, pane in self.panes.items():
            self.tabs.addTab(pane, tab_titles[kind])
            pane.open_requested.connect(self.open_record)
        self.tabs.currentChanged.connect(self._tab_shown)
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([380, 820])
        self.setCentralWidget(splitter)
        self.search = SearchBox(ledger, self)
        self.search.open_requested.connect(self.open_record)
        toolbar = QToolBar(self.tr("Search"))
        toolbar.setObjectName("search_toolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.search)
        self.addToolBar(toolbar)
        self.inbox: InboxDialog | None = None
        self._build_menus()
        self.status_user = QLabel(self.tr("User: %1").replace("%1", ledger.actor))
        self.status_profile = QLabel(self.tr("Profile: %1").replace("%1", str(profile.folder)))
        self.status_clock = QLabel()
        self.status_clock.setStyleSheet("color: #9a5b00;")
        self.status_sync = ClickableLabel()
        self.status_sync.setCursor(Qt.CursorShape.PointingHandCursor)
        self.status_sync.clicked.connect(self.open_inbox)
        self.statusBar().addWidget(self.status_user)
        self.statusBar().addWidget(self.status_profile)
        self.statusBar().addPermanentWidget(self.status_clock)
        self.statusBar().addPermanentWidget(self.status_sync)
        self.show_sync_status()
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setSingleShot(True)
        self.refresh_timer.setInterval(REFRESH_DELAY_MS)
        self.refresh_timer.timeout.connect(self._refresh_after_change)
        self.counts_stale = False
        self.watch = LedgerWatch(ledger.engine, self)
        self.watch.committed.connect(self.refresh_timer.start)
        forms.hub().saved.connect(self.record_saved)
        self.sync = SyncController(ledger, self)
        self.sync.started.connect(self._sync_started)
        self.sync.progress.connect(self._sync_progress)
        self.sync.finished.connect(self._sync_ended)
        self.sync.failed.connect(self._sync_failed)
        self.load_tree()
        self.tree.selectionModel().currentChanged.connect(self._node_selected)
        first = self.tree_model.index(0, 0)
        if first.isValid():
            self.tree.setCurrentIndex(first)
            self.tree.expand(first)
        self.resize(1200, 760)

    # -- menus ----------------------------------------------------------------------------------------------------
    def _action(
        self, text: str, slot: Any, shortcut: QKeySequence | QKeySequence.StandardKey | None = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.new_actions = {
            "household": self._action(
                self.tr("New &household…"), lambda: self.new_record("household"), QKeySequence.StandardKey.New
            ),
            "person": self._action(
                self.tr("New &person…"), lambda: self.new_record("person"), QKeySequence("Ctrl+Shift+N")
            ),
            "place": self._action(self.tr("New p&lace…"), lambda: self.new_record("place")),
            "organisation": self._action(
                self.tr("New &organisation…"), lambda: self.new_record("organisation")
            ),
        }
        for action in self.new_actions.values():
            file_menu.addAction(action)
        file_menu.addSeparator()
        quit_action = self._action(self.tr("&Quit"), self.close, QKeySequence("Ctrl+Q"))
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.undo.undo_action(self))
        edit_menu.addSeparator()
        self.find_action = self._action(self.tr("&Find…"), self.focus_search, QKeySequence.StandardKey.Find)
        self.find_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        edit_menu.addAction(self.find_action)
        # Enter opens the row of the list that has focus (the view's own "activated"); the menu item opens the
        # current row of the tab shown, whatever has focus.
        enter = QKeySequence(Qt.Key.Key_Return).toString(QKeySequence.SequenceFormat.NativeText)
        self.open_action = self._action(self.tr("&Open") + "\t" + enter, self.open_current)
        edit_menu.addAction(self.open_action)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        refresh = self._action(self.tr("&Refresh"), self.refresh_all, QKeySequence(Qt.Key.Key_F5))
        view_menu.addAction(refresh)
        view_menu.addSeparator()
        tab_names = {
            "household": self.tr("&Households"),
            "person": self.tr("&People"),
            "place": self.tr("P&laces"),
            "organisation": self.tr("&Organisations"),
        }
        self.tab_actions: dict[str, QAction] = {}
        for number, kind in enumerate(KINDS, start=1):
            action = self._action(
                tab_names[kind],
                lambda _checked=False, k=kind: self.show_list(k),
                QKeySequence(f"Ctrl+{number}"),
            )
            self.tab_actions[kind] = action
            view_menu.addAction(action)
        sync_menu = self.menuBar().addMenu(self.tr("&Sync"))
        # F5 is Refresh here; F9 is "send/receive" in desktop mail programs.
        self.sync_action = self._action(self.tr("Sync &now"), self.sync_now, QKeySequence(Qt.Key.Key_F9))
        sync_menu.addAction(self.sync_action)
        self.inbox_action = self._action(self.tr("Needs &attention…"), self.open_inbox)
        sync_menu.addAction(self.inbox_action)
        reports_menu = self.menuBar().addMenu(self.tr("&Reports"))
        reports_menu.addAction(self._action(self.tr("Grid &coverage…"), self.open_coverage))
        tools_menu = self.menuBar().addMenu(self.tr("&Tools"))
        self.settings_action = self._action(
            self.tr("&Settings…"), self.open_settings, QKeySequence(QKeySequence.StandardKey.Preferences)
        )
        tools_menu.addAction(self.settings_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self._action(self.tr("&About GridDesk"), self.about))

    # -- lists and records ----------------------------------------------------------------------------------------
    def models(self) -> dict[str, RecordTableModel[Any]]:
        return {kind: pane.model for kind, pane in self.panes.items()}

    def current_kind(self) -> str:
        return KINDS[max(0, self.tabs.currentIndex())]

    def show_list(self, kind: str) -> None:
        """Bring a list's tab forward (Ctrl+1 … Ctrl+4) with the focus in its table."""
        pane = self.panes[kind]
        self.tabs.setCurrentWidget(pane)
        pane.table.setFocus()
        if not pane.table.currentIndex().isValid() and pane.model.rowCount():
            pane.table.selectRow(0)

    def _tab_shown(self, index: int) -> None:
        pane = self.panes[KINDS[index]]
        if pane.pending_grids is not None:
            pane.model.show_grids(pane.pending_grids)
        elif pane.stale:
            pane.model.reset()
        pane.stale, pane.pending_grids = False, None

    def selected_grid(self) -> str | None:
        """The grid (leaf) selected in the tree, where a new record goes; None for a higher node."""
        node = self.tree.currentIndex().siblingAtColumn(0).data(NODE_ROLE)
        if node and node[1] == "grid":
            return str(node[0])
        return None

    def new_record(self, kind: str) -> None:
        forms.open_editor(self, kind, None, grid_id=self.selected_grid())

    def open_record(self, kind: str, record_id: str) -> None:
        forms.open_editor(self, kind, record_id)

    def open_current(self) -> None:
        kind = self.current_kind()
        record_id = self.panes[kind].current_id()
        if record_id is not None:
            self.open_record(kind, record_id)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def record_saved(self, kind: str, record_id: str) -> None:
        """An editor saved a record: read back just the rows it touches, and the tree's counts a moment later."""
        if kind == "household":
            self.households.refresh_ids([record_id])
            with self.ledger.read() as session:
                members = repositories.household_member_ids(session, record_id)
            loaded = [r.id for r in self.people.rows() if r.household_id == record_id]
            self.people.refresh_ids([*loaded, *members])
        elif kind == "person":
            before = self.people.position_of(record_id)
            households = [self.people.row_at(before).household_id] if before is not None else []
            self.people.refresh_ids([record_id])
            after = self.people.position_of(record_id)
            if after is not None:
                households.append(self.people.row_at(after).household_id)
            else:
                with self.ledger.read() as session:
                    households.append(repositories.household_of(session, record_id))
            self.households.refresh_ids([h for h in households if h])
        elif kind == "place":
            self.places.refresh_ids([record_id])
        elif kind == "organisation":
            self.organisations.refresh_ids([record_id])
        self.counts_stale = True
        self.refresh_timer.start()

    def refresh_all(self) -> None:
        """F5: the tree's counts, the sync status and the list shown read again (the others when shown)."""
        self.update_tree_counts()
        self.show_sync_status()
        current = self.current_kind()
        for kind, pane in self.panes.items():
            if kind == current:
                pane.model.reset()
            else:
                pane.stale = True

    def about(self) -> None:
        try:
            version = metadata.version("griddesk")
        except metadata.PackageNotFoundError:
            version = "?"
        QMessageBox.about(
            self,
            self.tr("About GridDesk"),
            self.tr(
                "GridDesk %1\nThe grid ledger for village and community grid workers: households, people, places, "
                "organisations, kept on this laptop (encrypted) and synced with the township server."
            ).replace("%1", version),
        )

    # -- sync -----------------------------------------------------------------------------------------------------
    def show_sync_status(self) -> None:
        with self.ledger.read() as session:
            status = sync_status(session)
        self.status_sync.setText(self.tr("Sync: %1").replace("%1", status.text))
        self.status_sync.setProperty("syncState", status.state)
        self.status_sync.setToolTip(status.detail or self.tr("Click to see the changes that need attention"))
        self.status_clock.setText(status.warning)
        self.status_clock.setVisible(bool(status.warning))

    def sync_now(self) -> None:
        """Sync now (menu, F9); says why not when this laptop is not enrolled or a sync is running."""
        if self.sync.busy:
            self.statusBar().showMessage(self.tr("A sync is already running."), 5000)
        elif not self.sync.start("manual"):
            self.statusBar().showMessage(
                self.tr(
                    "This laptop is not enrolled with the township server yet: ask the township for an "
                    "enrolment code (griddesk enrol)."
                ),
                10000,
            )

    def open_inbox(self) -> None:
        if self.inbox is None:
            self.inbox = InboxDialog(self.ledger, self)
            self.inbox.changed.connect(self._refresh_after_change)
        else:
            self.inbox.reload()
        self.inbox.show()
        self.inbox.raise_()
        self.inbox.activateWindow()

    def _sync_started(self, _why: str) -> None:
        self.status_sync.setText(self.tr("Sync: %1").replace("%1", CONNECTING))

    def _sync_progress(self, stage: str, count: int) -> None:
        self.status_sync.setText(self.tr("Sync: %1").replace("%1", progress_text(stage, count)))

    def _sync_ended(self, _outcome: object) -> None:
        # A sync may have changed any record: the lists start again (the hidden ones when shown).
        self.refresh_all()
        self._refresh_after_change()

    def _sync_failed(self, message: str, offline: bool, _unauthorised: bool) -> None:
        self._refresh_after_change()
        if not offline:
            self.statusBar().showMessage(message, 15000)

    def _refresh_after_change(self) -> None:
        """Status, badges, counts and the open inbox again; while a sync runs its progress shows and this waits."""
        if self.sync.busy:
            return
        self.show_sync_status()
        self.households.refresh_badges()
        self.people.refresh_badges()
        self.undo.refresh()
        if self.counts_stale:
            self.update_tree_counts()
        if self.inbox is not None and self.inbox.isVisible():
            self.inbox.reload()

    # -- the grid tree --------------------------------------------------------------------------------------------
    def load_tree(self) -> None:
        with self.ledger.read() as session:
            roots = repositories.grid_tree(session)
        self.tree_model.clear()
        self.tree_model.setHorizontalHeaderLabels([self.tr("Grid"), self.tr("Households"), self.tr("People")])

        def add(parent: QStandardItem, node: GridRow) -> None:
            name = QStandardItem(node.name)
            name.setData(node.leaf_ids(), ID_ROLE)
            name.setData((node.id, node.kind), NODE_ROLE)
            name.setToolTip(node.code)
            cells = [name, QStandardItem(str(node.households)), QStandardItem(str(node.people))]
            for cell in cells:
                cell.setEditable(False)
            cells[1].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            cells[2].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            parent.appendRow(cells)
            for child in node.children:
                add(name, child)

        for root in roots:
            add(self.tree_model.invisibleRootItem(), root)
        self.counts_stale = False
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

    def update_tree_counts(self) -> None:
        """The households and people of every node again, in place (the selection and what is open stay)."""
        with self.ledger.read() as session:
            roots = repositories.grid_tree(session)
        counts: dict[str, tuple[int, int]] = {}

        def collect(node: GridRow) -> None:
            counts[node.id] = (node.households, node.people)
            for child in node.children:
                collect(child)

        for root in roots:
            collect(root)

        def update(parent: QStandardItem) -> None:
            for row in range(parent.rowCount()):
                item = parent.child(row, 0)
                node = item.data(NODE_ROLE) if item is not None else None
                if item is None or not node or node[0] not in counts:
                    continue
                households, people = counts[node[0]]
                for column, value in ((1, households), (2, people)):
                    cell = parent.child(row, column)
                    if cell is not None and cell.text() != str(value):
                        cell.setText(str(value))
                update(item)

        update(self.tree_model.invisibleRootItem())
        self.counts_stale = False

    def _node_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        ids = list(current.siblingAtColumn(0).data(ID_ROLE) or [])
        shown = self.current_kind()
        for kind, pane in self.panes.items():
            if kind == shown:
                pane.model.show_grids(ids)
            else:  # read when its tab shows: choosing a node costs one list, not four
                pane.pending_grids = ids

    def open_coverage(self) -> None:
        CoverageDialog(self.ledger, self).exec()

    def open_settings(self) -> None:
        SettingsDialog(self).exec()

    def closeEvent(self, event: Any) -> None:
        # Whatever is typed in an open editor is kept as a draft and offered at the next start.
        forms.close_editors(self)
        with suppress(RuntimeError, TypeError):
            forms.hub().saved.disconnect(self.record_saved)
        self.watch.stop()
        self.refresh_timer.stop()
        self.sync.shutdown()
        for pane in self.panes.values():
            pane.model.stop_reading_ahead()
        self.ledger.close()
        super().closeEvent(event)


FREEZE_DELAY_MS = 1500
"""How long after the window shows the objects of start-up are set aside (after the first paint, before work)."""


def settle_in() -> None:
    """Once the window stands idle: read what the editors will need, then set start-up's objects aside."""
    widgets.preload()
    freeze_startup_objects()


def freeze_startup_objects() -> None:
    """Leave what start-up made out of the garbage collector's full passes.

    Modules, SQLAlchemy's mappers, pypinyin's dictionaries and Qt's wrappers (some 300,000 objects) live until the
    program ends, yet every full pass walks them: about 100 ms, a dropped frame whenever one falls while the lists
    scroll. Collected once first, so that no garbage is kept forever.
    """
    gc.collect()
    gc.freeze()


class ReadyProbe(QObject):
    """GRIDDESK_EXIT_WHEN_READY=1 (bench/gui.py measures cold start with it): once the list shown has painted its
    first page and the event loop is idle again, print ``GRIDDESK_READY <unix time>`` and quit."""

    def __init__(self, app: QApplication, window: MainWindow) -> None:
        super().__init__(window)
        self.app = app
        self.viewport = window.panes[window.current_kind()].table.viewport()
        self.viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.viewport and event.type() == QEvent.Type.Paint:
            self.viewport.removeEventFilter(self)
            QTimer.singleShot(0, self.ready)  # runs once this paint is done and what it queued is handled
        return False

    def ready(self) -> None:
        print(f"GRIDDESK_READY {time.time():.6f}", flush=True)
        self.app.quit()


def unlock(profile: Profile, parent: QWidget | None = None) -> Ledger | None:
    """Open the profile's ledger, asking for the passphrase until it is right or the user gives up."""
    passphrase = os.environ.get("GRIDDESK_PASSPHRASE", "")
    message = ""
    while True:
        if not passphrase:
            label = QApplication.translate("unlock", "Passphrase for the ledger in %1:").replace(
                "%1", str(profile.folder)
            )
            text, ok = QInputDialog.getText(
                parent,
                QApplication.translate("unlock", "Unlock ledger"),
                (message + "\n\n" if message else "") + label,
                QLineEdit.EchoMode.Password,
            )
            if not ok:
                return None
            passphrase = text
        try:
            return Ledger.open(profile.ledger_path, passphrase, actor=profile.user())
        except StorageError as exc:
            if not isinstance(exc, PassphraseError) or os.environ.get("GRIDDESK_PASSPHRASE"):
                QMessageBox.critical(
                    parent, QApplication.translate("unlock", "Cannot open ledger"), exc.message
                )
                return None
            message, passphrase = exc.message, ""


def run(profile: Profile) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName("GridDesk")
    app.setApplicationName("GridDesk")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    translators = install_translators(app)
    apply_font_scale(app)
    if not profile.exists():
        QMessageBox.information(
            None,
            QApplication.translate("unlock", "No ledger yet"),
            QApplication.translate(
                "unlock",
                "There is no ledger in %1 yet. Create a demo township with: griddesk --profile DIR demo",
            ).replace("%1", str(profile.folder)),
        )
        return 1
    ledger = unlock(profile)
    if ledger is None:
        return 1
    window = MainWindow(ledger, profile)
    if os.environ.get("GRIDDESK_EXIT_WHEN_READY") == "1":
        ReadyProbe(app, window)
    window.show()
    QTimer.singleShot(0, lambda: forms.restore_drafts(window))
    QTimer.singleShot(FREEZE_DELAY_MS, settle_in)
    code = app.exec()
    del translators
    return int(code)
