"""The main window on a real encrypted ledger: grid tree with counts, paged household list, Chinese by default."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ledger import Ledger
from app.models import Household
from app.profile import Profile
from tests.conftest import Township
from ui.i18n import install_translators
from ui.main import MainWindow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    translators = install_translators(qapp, "zh_CN")
    assert len(translators) == 2, "qtbase_zh_CN and griddesk_zh_CN both load"
    yield
    for t in translators:
        qapp.removeTranslator(t)


def _households(ledger: Ledger, township: Township, n: int) -> None:
    with ledger.write() as tx:
        tx.create_many(
            Household,
            [
                {"number": f"H{i:05d}", "grid_id": township.grid_a.id, "address": f"李家村{i}号"}
                for i in range(n)
            ],
        )


def test_tree_shows_counts_and_the_list_pages_in_as_it_scrolls(
    qtbot: QtBot, ledger: Ledger, township: Township, tmp_path: Path, chinese: None
) -> None:
    _households(ledger, township, 450)
    window = MainWindow(ledger, Profile(ledger.path.parent))
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "网格台账"
    root = window.tree_model.index(0, 0)
    assert root.data() == "玉泉镇"
    assert window.tree_model.index(0, 1).data() == "450"
    assert window.households.headerData(0, Qt.Orientation.Horizontal) == "户号"
    # The township node is selected: the first page is loaded, not all 450 rows.
    assert window.households.rowCount() == 200
    window.table.scrollToBottom()
    qtbot.waitUntil(lambda: window.households.rowCount() > 200)
    while window.households.canFetchMore(QModelIndex()):
        window.households.fetchMore(QModelIndex())
    assert window.households.rowCount() == 450
    numbers = [window.households.row_at(i).number for i in range(450)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 450
    # Selecting the empty second grid empties the list.
    grid_b = window.tree_model.match(
        root,
        Qt.ItemDataRole.DisplayRole,
        "李家村第二网格",
        1,
        Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
    )
    assert grid_b
    window.tree.setCurrentIndex(grid_b[0])
    assert window.households.rowCount() == 0


def test_every_zh_cn_string_is_translated() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "translations.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (ROOT / "resources" / "translations" / "griddesk_zh_CN.qm").exists()
