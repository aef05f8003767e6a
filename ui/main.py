"""The main window: the grid tree with household and people counts, the selected node's households with their
sync badges, and where sync stands in the status bar (click it for the conflict inbox)."""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QMouseEvent, QStandardItem, QStandardItemModel
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
    QTreeView,
    QWidget,
)
from sqlalchemy import Connection, Engine, event

from app import repositories
from app.errors import PassphraseError, StorageError
from app.ledger import Ledger
from app.profile import Profile
from app.repositories import GridRow, HouseholdKey, HouseholdRow
from sync.inbox import NEEDS_PERSON_BADGE, PENDING_BADGE, household_badges
from sync.status import CONNECTING, progress_text, sync_status
from ui.i18n import install_translators
from ui.inbox import InboxDialog
from ui.models.paged import PagedTableModel
from ui.sync_worker import SyncController

ID_ROLE = Qt.ItemDataRole.UserRole + 1
BADGE_COLUMN = 4
BADGE_COLOURS = {NEEDS_PERSON_BADGE: QColor("#b3261e"), PENDING_BADGE: QColor("#9a5b00")}
REFRESH_DELAY_MS = 250
"""Saves come in bursts (a sync applies page after page): the status and badges refresh once they settle."""


class HouseholdTableModel(PagedTableModel[HouseholdRow]):
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.grid_ids: list[str] = []
        self.badges: dict[str, str] = {}
        """Household id → needs_person | pending, for the rows fetched so far."""
        super().__init__(self._page, lambda r: (r.number, r.id))
        self.headers = (
            self.tr("Household no."), self.tr("Head"), self.tr("Members"), self.tr("Address"), self.tr("Sync"),
        )  # fmt: skip
        self.badge_text = {NEEDS_PERSON_BADGE: self.tr("Needs you"), PENDING_BADGE: self.tr("Waiting")}
        self.badge_tip = {
            NEEDS_PERSON_BADGE: self.tr(
                "A change to this household or a member was not taken by the township server: see Needs attention"
            ),
            PENDING_BADGE: self.tr("Changes to this household or its members wait to be sent"),
        }

    def show_grids(self, grid_ids: list[str]) -> None:
        self.grid_ids = grid_ids
        self.reset()

    def _page(self, after: HouseholdKey | None, limit: int) -> list[HouseholdRow]:
        if not self.grid_ids:
            return []
        with self.ledger.read() as session:
            rows = repositories.household_page(session, self.grid_ids, after, limit)
            self.badges.update(household_badges(session, [r.id for r in rows]))
        return rows

    def refresh_badges(self) -> None:
        """Badges again for every row fetched so far (after a sync or a save), one query per 500 rows."""
        rows = self.rows()
        if not rows:
            return
        with self.ledger.read() as session:
            self.badges = household_badges(session, [r.id for r in rows])
        self.dataChanged.emit(self.index(0, BADGE_COLUMN), self.index(len(rows) - 1, BADGE_COLUMN))

    def display(self, row: HouseholdRow, column: int) -> Any:
        if column == BADGE_COLUMN:
            return self.badge_text.get(self.badges.get(row.id, ""), "")
        return (row.number, row.head_name, row.members, row.address)[column]

    def decorate(self, row: HouseholdRow, column: int, role: int) -> Any:
        badge = self.badges.get(row.id) if column == BADGE_COLUMN else None
        if badge is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return BADGE_COLOURS[badge]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.badge_tip[badge]
        return None


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


class MainWindow(QMainWindow):
    def __init__(self, ledger: Ledger, profile: Profile) -> None:
        super().__init__()
        self.ledger = ledger
        self.profile = profile
        self.setWindowTitle(self.tr("GridDesk — grid ledger"))
        self.tree = QTreeView()
        self.tree.setHeaderHidden(False)
        self.tree_model = QStandardItemModel()
        self.tree.setModel(self.tree_model)
        self.households = HouseholdTableModel(ledger)
        self.table = QTableView()
        self.table.setModel(self.households)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(BADGE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([420, 780])
        self.setCentralWidget(splitter)
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
        self.watch = LedgerWatch(ledger.engine, self)
        self.watch.committed.connect(self.refresh_timer.start)
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

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        refresh = QAction(self.tr("&Refresh"), self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.load_tree)
        refresh.triggered.connect(self.show_sync_status)
        view_menu.addAction(refresh)
        sync_menu = self.menuBar().addMenu(self.tr("&Sync"))
        self.sync_action = QAction(self.tr("Sync &now"), self)
        # F5 is Refresh here; F9 is "send/receive" in desktop mail programs.
        self.sync_action.setShortcut(QKeySequence(Qt.Key.Key_F9))
        self.sync_action.triggered.connect(self.sync_now)
        sync_menu.addAction(self.sync_action)
        self.inbox_action = QAction(self.tr("Needs &attention…"), self)
        self.inbox_action.triggered.connect(self.open_inbox)
        sync_menu.addAction(self.inbox_action)

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
        self._refresh_after_change()

    def _sync_failed(self, message: str, offline: bool, _unauthorised: bool) -> None:
        self._refresh_after_change()
        if not offline:
            self.statusBar().showMessage(message, 15000)

    def _refresh_after_change(self) -> None:
        """Status, badges and the open inbox again; while a sync runs its progress shows and this waits."""
        if self.sync.busy:
            return
        self.show_sync_status()
        self.households.refresh_badges()
        if self.inbox is not None and self.inbox.isVisible():
            self.inbox.reload()

    def load_tree(self) -> None:
        with self.ledger.read() as session:
            roots = repositories.grid_tree(session)
        self.tree_model.clear()
        self.tree_model.setHorizontalHeaderLabels([self.tr("Grid"), self.tr("Households"), self.tr("People")])

        def add(parent: QStandardItem, node: GridRow) -> None:
            name = QStandardItem(node.name)
            name.setData(node.leaf_ids(), ID_ROLE)
            name.setToolTip(node.code)
            cells = [name, QStandardItem(str(node.households)), QStandardItem(str(node.people))]
            for cell in cells:
                cell.setEditable(False)
            parent.appendRow(cells)
            for child in node.children:
                add(name, child)

        for root in roots:
            add(self.tree_model.invisibleRootItem(), root)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

    def _node_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        ids = current.siblingAtColumn(0).data(ID_ROLE) or []
        self.households.show_grids(list(ids))

    def closeEvent(self, event: Any) -> None:
        self.watch.stop()
        self.refresh_timer.stop()
        self.sync.shutdown()
        self.ledger.close()
        super().closeEvent(event)


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
    window.show()
    code = app.exec()
    del translators
    return int(code)
