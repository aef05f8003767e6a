"""The main window: the grid tree with household and people counts, and the selected node's households."""

from __future__ import annotations

import os
import sys
from typing import Any

from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
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

from app import repositories
from app.errors import PassphraseError, StorageError
from app.ledger import Ledger
from app.profile import Profile
from app.repositories import GridRow, HouseholdKey, HouseholdRow
from sync.status import sync_status
from ui.i18n import install_translators
from ui.models.paged import PagedTableModel

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class HouseholdTableModel(PagedTableModel[HouseholdRow]):
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.grid_ids: list[str] = []
        super().__init__(self._page, lambda r: (r.number, r.id))
        self.headers = (self.tr("Household no."), self.tr("Head"), self.tr("Members"), self.tr("Address"))

    def show_grids(self, grid_ids: list[str]) -> None:
        self.grid_ids = grid_ids
        self.reset()

    def _page(self, after: HouseholdKey | None, limit: int) -> list[HouseholdRow]:
        if not self.grid_ids:
            return []
        with self.ledger.read() as session:
            return repositories.household_page(session, self.grid_ids, after, limit)

    def display(self, row: HouseholdRow, column: int) -> Any:
        return (row.number, row.head_name, row.members, row.address)[column]


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
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([420, 780])
        self.setCentralWidget(splitter)
        self._build_menus()
        self.status_user = QLabel(self.tr("User: %1").replace("%1", ledger.actor))
        self.status_profile = QLabel(self.tr("Profile: %1").replace("%1", str(profile.folder)))
        self.status_sync = QLabel()
        self.statusBar().addWidget(self.status_user)
        self.statusBar().addWidget(self.status_profile)
        self.statusBar().addPermanentWidget(self.status_sync)
        self.show_sync_status()
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

    def show_sync_status(self) -> None:
        with self.ledger.read() as session:
            status = sync_status(session)
        self.status_sync.setText(self.tr("Sync: %1").replace("%1", status.text))
        self.status_sync.setProperty("syncState", status.state)

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
