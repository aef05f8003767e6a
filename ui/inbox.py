"""The conflict inbox window (需要处理): changes the township server did not take, side by side, with a choice.

Thin: what is listed and what a choice writes live in sync.inbox.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import LedgerError
from app.ledger import Ledger
from app.writer import WriteTx
from sync import inbox
from sync.inbox import InboxItem, local_time
from sync.status import sync_status

OP_ROLE = Qt.ItemDataRole.UserRole + 1
WARNING_STYLE = "color: #9a5b00;"
Choice = Callable[[WriteTx, str], None]
Write = Callable[[WriteTx], None]


class InboxDialog(QDialog):
    """Lists every change waiting for a person; keep mine / keep the server's / merge / acknowledge."""

    changed = Signal()
    """A choice was written: the window refreshes its status and badges."""

    def __init__(self, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.items: dict[str, InboxItem] = {}
        self.setWindowTitle(self.tr("Needs attention"))
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.clock_warning = QLabel()
        self.clock_warning.setWordWrap(True)
        self.clock_warning.setStyleSheet(WARNING_STYLE)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Record"), self.tr("Field"), self.tr("This laptop"), self.tr("Township server"),
             self.tr("Why")]
        )  # fmt: skip
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column, width in enumerate((150, 90, 210, 210)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        # Wrapped text takes the height it needs at the width the columns finally have (once the view has
        # taken in the new width, hence the zero timer).
        header.sectionResized.connect(lambda *_: QTimer.singleShot(0, self.table.resizeRowsToContents))
        self.keep_mine_button = QPushButton(self.tr("Keep this laptop's value"))
        self.keep_theirs_button = QPushButton(self.tr("Keep the server's value"))
        self.merge_button = QPushButton(self.tr("Merge…"))
        self.dismiss_button = QPushButton(self.tr("Acknowledge"))
        self.keep_mine_button.clicked.connect(lambda: self._decide(inbox.keep_mine))
        self.keep_theirs_button.clicked.connect(lambda: self._decide(inbox.keep_theirs))
        self.merge_button.clicked.connect(self._merge)
        self.dismiss_button.clicked.connect(lambda: self._decide(inbox.dismiss))
        actions = QHBoxLayout()
        for button in (
            self.keep_mine_button,
            self.keep_theirs_button,
            self.merge_button,
            self.dismiss_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        actions.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.clock_warning)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.table.itemSelectionChanged.connect(self._enable_actions)
        self.resize(1000, 480)
        self.reload()

    def reload(self) -> None:
        """Read the inbox again (after a sync, a choice, or a change made elsewhere)."""
        with self.ledger.read() as session:
            items = inbox.inbox_items(session)
            warning = sync_status(session).warning
        self.items = {item.op_id: item for item in items}
        self.clock_warning.setText(warning)
        self.clock_warning.setVisible(bool(warning))
        if items:
            self.heading.setText(
                self.tr(
                    "%1 changes were not taken by the township server. Compare the values and choose which to "
                    "keep; what this laptop saved is never lost."
                ).replace("%1", str(len(items)))
            )
        else:
            self.heading.setText(
                self.tr("Nothing needs attention: every change was taken or is waiting to go.")
            )
        self.table.setRowCount(0)
        for item in items:
            self._add(item)
        self.table.resizeRowsToContents()
        if items:
            self.table.selectRow(0)
        self._enable_actions()

    def _add(self, item: InboxItem) -> None:
        mine_by = f"{item.mine_by} · {local_time(item.mine_at)}"
        theirs_by = f"{item.theirs_by} · {local_time(item.theirs_at)}" if item.theirs_by else ""
        rows: list[tuple[str, str, str, str]] = []
        if item.fields:
            for field in item.fields:
                rows.append(
                    (
                        field.label,
                        f"{field.mine_text}\n{mine_by}",
                        f"{field.theirs_text}\n{theirs_by}".strip(),
                        item.reason,
                    )
                )
        else:
            not_taken = self.tr("Not taken") if item.state == "rejected" else ""
            rows.append((item.kind, f"{item.summary}\n{mine_by}", not_taken, item.reason))
        for number, (field_text, mine, theirs, why) in enumerate(rows):
            row = self.table.rowCount()
            self.table.insertRow(row)
            cells = (item.record if number == 0 else "", field_text, mine, theirs, why)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(OP_ROLE, item.op_id)
                cell.setToolTip(text)
                if column == 2:
                    cell.setBackground(QColor("#eaf3ff"))
                elif column == 3 and item.fields:
                    cell.setBackground(QColor("#fff4e0"))
                self.table.setItem(row, column, cell)

    def selected(self) -> InboxItem | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        op_id = rows[0].data(OP_ROLE)
        return self.items.get(str(op_id)) if op_id else None

    def select(self, op_id: str) -> None:
        for row in range(self.table.rowCount()):
            cell = self.table.item(row, 0)
            if cell is not None and cell.data(OP_ROLE) == op_id:
                self.table.selectRow(row)
                return

    def _enable_actions(self) -> None:
        item = self.selected()
        self.keep_mine_button.setEnabled(bool(item and item.resolvable))
        self.keep_theirs_button.setEnabled(bool(item and item.resolvable))
        self.merge_button.setEnabled(bool(item and item.mergeable))
        self.dismiss_button.setEnabled(bool(item and item.state == "rejected"))

    def _decide(self, choice: Choice) -> None:
        item = self.selected()
        if item is None:
            return
        self.apply(lambda tx: choice(tx, item.op_id))

    def _merge(self) -> None:
        item = self.selected()
        if item is None or not item.mergeable:
            return
        typed: dict[str, str] = {}
        for field in item.fields:
            prompt = self.tr("%1 of %2\nThis laptop: %3\nTownship server: %4\nValue to keep:")
            for marker, text in (("%1", field.label), ("%2", item.record), ("%3", field.mine_text),
                                 ("%4", field.theirs_text)):  # fmt: skip
                prompt = prompt.replace(marker, text)
            text, ok = QInputDialog.getText(self, self.tr("Merge"), prompt, text=str(field.mine or ""))
            if not ok:
                return
            typed[field.field] = text.strip()
        self.apply(lambda tx: inbox.merge(tx, item.op_id, typed))

    def apply(self, write: Write) -> None:
        """Write a choice through the one write path; a choice that can no longer be made just reloads."""
        try:
            with self.ledger.write() as tx:
                write(tx)
        except LedgerError as exc:
            QMessageBox.information(self, self.tr("Needs attention"), exc.message)
        self.reload()
        self.changed.emit()
