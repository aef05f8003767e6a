"""The grid coverage dialog on a real encrypted ledger: rows, colours of out-of-band counts, the Excel export, and
how it holds up at the largest font on a 2× screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.ledger import Ledger
from tests.conftest import PASSPHRASE
from tests.unit.test_coverage import (  # noqa: F401 - fixtures
    CoverageTownship,
    coverage_file,
    coverage_ledger,
)
from ui.coverage import COUNT_COLUMN, STATUS_COLUMN, CoverageDialog
from ui.settings import set_font_scale

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dialog(qtbot: QtBot, coverage_ledger: Ledger) -> CoverageDialog:  # noqa: F811
    shown = CoverageDialog(coverage_ledger)
    qtbot.addWidget(shown)
    shown.show()
    return shown


def _row_of(dialog: CoverageDialog, code: str) -> int:
    for row in range(dialog.grids.rowCount()):
        if dialog.grids.index(row, 0).data() == code:
            return row
    raise AssertionError(f"grid {code} not shown")


def test_the_dialog_shows_every_grid_with_its_band_and_the_gaps(dialog: CoverageDialog) -> None:
    assert dialog.grids.rowCount() == 5
    row = _row_of(dialog, CoverageTownship.rural_over)
    cells = [dialog.grids.index(row, c).data() for c in range(dialog.grids.columnCount())]
    assert cells[:7] == [CoverageTownship.rural_over, "王家村第一网格", "王家村", "Rural", 301, 0, "100–300"]
    assert cells[8] == "网格协管员、信息采集员"
    urban = _row_of(dialog, CoverageTownship.urban_within)
    assert dialog.grids.index(urban, 6).data() == "300–500"

    assert dialog.ungridded.rowCount() == 3
    assert [dialog.ungridded.index(r, 0).data() for r in range(3)] == ["DR0001", "DR0002", "DR0003"]
    assert dialog.ungridded.index(2, 1).data() == "赵铁柱"
    assert "李家村" in dialog.ungridded.index(1, 3).data()
    assert dialog.missing_posts.rowCount() == 3

    assert dialog.tabs.count() == 3
    assert "(5)" in dialog.tabs.tabText(0) and "(3)" in dialog.tabs.tabText(1)
    summary = dialog.summary.text()
    for figure in ("5 grids", "2 below", "1 above", "707 households", "3 of them", "3 grids lack"):
        assert figure in summary


def test_counts_outside_the_band_are_coloured_and_explained(dialog: CoverageDialog) -> None:
    fg = Qt.ItemDataRole.ForegroundRole
    over = _row_of(dialog, CoverageTownship.rural_over)
    under = _row_of(dialog, CoverageTownship.urban_under)
    within = _row_of(dialog, CoverageTownship.urban_within)
    red, amber = QColor("#b3261e"), QColor("#9a5b00")
    assert dialog.grids.index(over, COUNT_COLUMN).data(fg) == red
    assert dialog.grids.index(over, STATUS_COLUMN).data(fg) == red
    assert dialog.grids.index(under, COUNT_COLUMN).data(fg) == amber
    assert dialog.grids.index(within, COUNT_COLUMN).data(fg) is None
    assert dialog.grids.index(over, 1).data(fg) is None, "only the count and its status are coloured"
    tip = dialog.grids.index(under, COUNT_COLUMN).data(Qt.ItemDataRole.ToolTipRole)
    assert "2 households" in tip and "300–500" in tip


def test_export_writes_the_workbook_where_the_person_chose(
    dialog: CoverageDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def choose(_parent: QWidget, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(tmp_path / "report"), "Excel workbook (*.xlsx)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    dialog.export_button.click()
    written = tmp_path / "report.xlsx"
    assert written.exists(), "the .xlsx suffix is added when the name lacks it"
    assert asked and asked[0].endswith(".xlsx")
    book = load_workbook(written, read_only=True)
    assert book.sheetnames == ["汇总", "网格户数", "未划入网格的户", "缺岗网格"]
    assert book["网格户数"].max_row == 6
    book.close()
    assert str(written) in dialog.saved.text()


def test_cancelling_the_save_dialog_writes_nothing(
    dialog: CoverageDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_: ("", ""))
    dialog.export_button.click()
    assert list(tmp_path.glob("*.xlsx")) == []
    assert dialog.saved.text() == ""


def test_a_failed_export_shows_the_chinese_reason(
    dialog: CoverageDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_: (str(blocker / "r.xlsx"), ""))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *_: shown.append(text))
    dialog.export_button.click()
    assert len(shown) == 1 and shown[0].startswith("无法保存到")
    assert dialog.saved.text() == ""


def test_rows_grow_when_the_font_is_made_larger(qapp: QApplication, dialog: CoverageDialog) -> None:
    before = dialog.grid_view.verticalHeader().defaultSectionSize()
    try:
        set_font_scale(qapp, 150)
        QApplication.processEvents()
        after = dialog.grid_view.verticalHeader().defaultSectionSize()
        assert after > before
        assert after >= dialog.grid_view.fontMetrics().height()
    finally:
        set_font_scale(qapp, 100)


FIT_CHECK = r"""
import json, os, sys
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTableView, QTabBar
from app.ledger import Ledger
from ui.coverage import CoverageDialog
from ui.settings import FONT_SCALE_KEY, SettingsDialog, apply_font_scale, scaled_font

app = QApplication([])
app.setOrganizationName("GridDeskTest")
app.setApplicationName("fit")
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
QSettings().setValue(FONT_SCALE_KEY, 150)
apply_font_scale(app)
ledger = Ledger.open(Path(sys.argv[1]), os.environ["LEDGER_PASSPHRASE"], actor="collector1")
problems = []
ratios = []
for dialog in (SettingsDialog(), CoverageDialog(ledger)):
    dialog.show()
    app.processEvents()
    ratios.append(dialog.devicePixelRatio())
    if dialog.width() < dialog.minimumSizeHint().width() or dialog.height() < dialog.minimumSizeHint().height():
        problems.append(f"{type(dialog).__name__} smaller than its contents")
    for widget in dialog.findChildren(QAbstractButton) + dialog.findChildren(QLabel) + dialog.findChildren(QTabBar):
        if not widget.isVisible():
            continue
        need = widget.minimumSizeHint()
        if widget.width() < need.width() or widget.height() < need.height():
            problems.append(f"{type(widget).__name__} {widget.objectName() or getattr(widget, 'text', lambda: '')()!r}"
                            f" is {widget.width()}x{widget.height()}, needs {need.width()}x{need.height()}")
    for view in dialog.findChildren(QTableView):
        if view.verticalHeader().defaultSectionSize() < view.fontMetrics().height():
            problems.append("table rows lower than a line of text")
        header = view.horizontalHeader()
        for column in range(header.count() - 1):
            if header.sectionSize(column) < header.sectionSizeHint(column):
                problems.append(f"column {column} narrower than its header")
ledger.close()
print(json.dumps({"problems": problems, "ratios": ratios,
                  "font": app.font().pointSizeF(), "base": scaled_font(100).pointSizeF()}))
"""


def test_both_dialogs_fit_their_text_at_the_largest_font_on_a_2x_screen(
    coverage_ledger: Ledger,  # noqa: F811
    tmp_path: Path,
) -> None:
    # A 3840×2160 screen at 2×: 1920×1080 logical, as a 4K monitor at 200% (the default offscreen screen is
    # 800×600, too small to lay a dialog out at 2×).
    screens = tmp_path / "screens.json"
    screens.write_text(
        json.dumps({"screens": [{"name": "uhd", "x": 0, "y": 0, "width": 3840, "height": 2160, "dpr": 1}]}),
        encoding="utf-8",
    )
    env = os.environ | {
        "QT_QPA_PLATFORM": f"offscreen:configfile={screens}",
        "QT_SCALE_FACTOR": "2",
        "LEDGER_PASSPHRASE": PASSPHRASE,
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", FIT_CHECK, str(coverage_ledger.path), str(tmp_path / "settings")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["ratios"] == [2.0, 2.0]
    assert outcome["font"] == pytest.approx(outcome["base"] * 1.5)
    assert outcome["problems"] == []
