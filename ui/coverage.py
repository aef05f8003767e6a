"""The grid coverage dialog (网格覆盖情况): grids against their size band, households in no grid, grids missing
staff posts, and an Excel export. Every figure comes from app.reports.coverage; this only shows it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QStandardPaths, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import LedgerError
from app.ledger import Ledger
from app.reports.coverage import (
    BandStatus,
    CoverageReport,
    Gap,
    GridCoverage,
    UngriddedHousehold,
    band_text,
    grid_coverage,
    write_coverage_xlsx,
)
from ui.models.paged import PagedTableModel
from ui.settings import text_size

R = TypeVar("R")

STATUS_COLOURS = {BandStatus.UNDER: QColor("#9a5b00"), BandStatus.OVER: QColor("#b3261e")}
"""Households counts outside the band: amber below it, red above it."""
COUNT_COLUMN = 4
STATUS_COLUMN = 7


class ListModel(PagedTableModel[tuple[int, R]]):
    """Rows of a report already in memory, still built a page at a time as the view scrolls (a broken ledger can
    have thousands of households in no grid). A row's keyset position is its index in the report."""

    read_ahead = False  # the rows are in memory already

    def __init__(self) -> None:
        super().__init__()
        self._items: list[R] = []

    def show_rows(self, rows: Sequence[R]) -> None:
        self._items = list(rows)
        self.reset()

    def fetch_page(self, after: int | None, limit: int) -> list[tuple[int, R]]:
        start = 0 if after is None else after + 1
        return [(i, self._items[i]) for i in range(start, min(len(self._items), start + limit))]

    def fetch_rows(self, ids: Sequence[str]) -> list[tuple[int, R]]:
        return []  # a report is computed again as a whole (reload), never row by row

    def row_key(self, row: tuple[int, R]) -> int:
        return row[0]

    def row_id(self, row: tuple[int, R]) -> str:
        return str(row[0])

    def display(self, row: tuple[int, R], column: int) -> Any:
        return self.cell(row[1], column)

    def decorate(self, row: tuple[int, R], column: int, role: int) -> Any:
        return self.style_cell(row[1], column, role)

    def cell(self, row: R, column: int) -> Any:
        raise NotImplementedError

    def style_cell(self, row: R, column: int, role: int) -> Any:
        return None


class GridCoverageModel(ListModel[GridCoverage]):
    def __init__(self) -> None:
        super().__init__()
        self.headers = (
            self.tr("Grid code"), self.tr("Grid"), self.tr("Village/community"), self.tr("Urban/rural"),
            self.tr("Households"), self.tr("People"), self.tr("Band"), self.tr("Size"), self.tr("Missing posts"),
        )  # fmt: skip
        self.kind_text = {True: self.tr("Urban"), False: self.tr("Rural")}
        self.status_text = {
            BandStatus.UNDER: self.tr("Below the band"),
            BandStatus.WITHIN: self.tr("Within the band"),
            BandStatus.OVER: self.tr("Above the band"),
        }

    def cell(self, row: GridCoverage, column: int) -> Any:
        return (
            row.code, row.name, row.unit, self.kind_text[row.urban], row.households, row.people,
            band_text(row.band), self.status_text[row.status], "、".join(row.missing_post_labels),
        )[column]  # fmt: skip

    def style_cell(self, row: GridCoverage, column: int, role: int) -> Any:
        if column in (COUNT_COLUMN, COUNT_COLUMN + 1) and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column not in (COUNT_COLUMN, STATUS_COLUMN) or row.status is BandStatus.WITHIN:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return STATUS_COLOURS[row.status]
        if role == Qt.ItemDataRole.ToolTipRole:
            text = (
                self.tr("%1 households: fewer than the %2 a grid of this kind should hold")
                if row.status is BandStatus.UNDER
                else self.tr("%1 households: more than the %2 a grid of this kind should hold")
            )
            return text.replace("%1", str(row.households)).replace("%2", band_text(row.band))
        return None


class UngriddedModel(ListModel[UngriddedHousehold]):
    def __init__(self) -> None:
        super().__init__()
        self.headers = (self.tr("Household no."), self.tr("Head"), self.tr("Address"), self.tr("Why"))
        self.gap_text = {
            Gap.NO_GRID: self.tr("No grid given"),
            Gap.GRID_MISSING: self.tr("Its grid was deleted or does not exist"),
            Gap.NOT_A_GRID: self.tr("Placed on “%1”, which is not a grid"),
        }

    def cell(self, row: UngriddedHousehold, column: int) -> Any:
        return (row.number, row.head_name, row.address, self.gap_text[row.gap].replace("%1", row.node_name))[
            column
        ]


class MissingPostsModel(ListModel[GridCoverage]):
    def __init__(self) -> None:
        super().__init__()
        self.headers = (
            self.tr("Grid code"),
            self.tr("Grid"),
            self.tr("Village/community"),
            self.tr("Missing posts"),
        )

    def cell(self, row: GridCoverage, column: int) -> Any:
        return (row.code, row.name, row.unit, "、".join(row.missing_post_labels))[column]


class CoverageDialog(QDialog):
    """Grid coverage: every grid with its households against the band, what is in no grid, which posts are empty."""

    def __init__(self, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.report = CoverageReport([], [])
        self.setWindowTitle(self.tr("Grid coverage"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.grids = GridCoverageModel()
        self.ungridded = UngriddedModel()
        self.missing_posts = MissingPostsModel()
        self.grid_view = self._view(self.grids)
        self.ungridded_view = self._view(self.ungridded)
        self.missing_posts_view = self._view(self.missing_posts)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.grid_view, "")
        self.tabs.addTab(self.ungridded_view, "")
        self.tabs.addTab(self.missing_posts_view, "")
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        self.saved.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton(self.tr("Export to Excel…"))
        self.export_button.clicked.connect(self.export)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        actions = QHBoxLayout()
        actions.addWidget(self.export_button)
        actions.addWidget(self.saved, 1)
        actions.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(actions)
        self.resize(text_size(self, 70, 32))
        self.reload()

    def _view(self, model: ListModel[Any]) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().lineSpacing() + 8)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return view

    def changeEvent(self, event: QEvent) -> None:
        # A new font size (Settings) reaches open windows: rows take the new line height.
        if event.type() == QEvent.Type.FontChange:
            for view in (self.grid_view, self.ungridded_view, self.missing_posts_view):
                view.verticalHeader().setDefaultSectionSize(view.fontMetrics().lineSpacing() + 8)
        super().changeEvent(event)

    def reload(self) -> None:
        """Compute the report again from the ledger."""
        with self.ledger.read() as session:
            self.report = grid_coverage(session)
        report = self.report
        self.grids.show_rows(report.grids)
        self.ungridded.show_rows(report.ungridded)
        self.missing_posts.show_rows(report.grids_missing_posts)
        self.tabs.setTabText(0, self.tr("Grids (%1)").replace("%1", str(len(report.grids))))
        self.tabs.setTabText(
            1, self.tr("Households in no grid (%1)").replace("%1", str(len(report.ungridded)))
        )
        self.tabs.setTabText(
            2, self.tr("Grids missing posts (%1)").replace("%1", str(len(report.grids_missing_posts)))
        )
        totals = report.totals
        figures = (
            totals.grids, totals.under, totals.within, totals.over, totals.households,
            totals.households_without_grid, totals.missing_posts,
        )  # fmt: skip
        text = self.tr(
            "%1 grids: %2 below their household band, %3 within it, %4 above it. %5 households, %6 of them "
            "in no grid. %7 grids lack a staff post."
        )
        for n, value in enumerate(figures, start=1):
            text = text.replace(f"%{n}", str(value))
        self.summary.setText(text)

    def export(self) -> None:
        """Ask where to save the .xlsx and write it there."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        stem = self.tr("grid-coverage")
        suggested = Path(folder) / f"{stem}-{date.today():%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export grid coverage"), str(suggested), self.tr("Excel workbook (*.xlsx)")
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        try:
            write_coverage_xlsx(self.report, target)
        except LedgerError as exc:
            QMessageBox.warning(self, self.tr("Export failed"), exc.message)
            return
        self.saved.setText(self.tr("Saved to %1").replace("%1", str(target)))
