"""What bench/gui.py relies on in the window: ``griddesk`` with GRIDDESK_EXIT_WHEN_READY says when its first list
page is painted and quits; the lists answer the roles a view asks for (display, sync badge colour and tooltip)
and nothing else; the objects of start-up can be set aside from the garbage collector's full passes."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ledger import Ledger
from app.services import households
from sync.inbox import PENDING_BADGE
from tests.conftest import PASSPHRASE, Township
from ui.main import freeze_startup_objects
from ui.models.lists import BADGE_COLOURS, PersonTableModel, PlaceTableModel

ROOT = Path(__file__).resolve().parent.parent.parent


def test_griddesk_exits_when_ready_and_says_when(ledger: Ledger, township: Township, tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        GRIDDESK_PROFILE=str(ledger.path.parent),
        GRIDDESK_PASSPHRASE=PASSPHRASE,
        GRIDDESK_EXIT_WHEN_READY="1",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "ui.entry"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    ended = time.time()
    assert done.returncode == 0, done.stderr
    ready = [line.split() for line in done.stdout.splitlines() if line.startswith("GRIDDESK_READY ")]
    assert len(ready) == 1
    assert started < float(ready[0][1]) < ended


def test_lists_answer_display_and_badges_only(qtbot: QtBot, ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        households.register_household(
            tx,
            grid_id=township.grid_a.id,
            address="李家村一组3号",
            members=[{"name": "李明", "sex": "1", "relation": "02", "id_number": None}],
        )
    model = PersonTableModel(ledger)
    model.show_grids([township.grid_a.id])
    assert model.rowCount() == 1
    name = model.index(0, 0)
    badge = model.index(0, model.badge_column)
    assert name.data() == "李明"
    assert badge.data() == model.badge_text[PENDING_BADGE]  # a new record waits to be sent
    assert badge.data(Qt.ItemDataRole.ForegroundRole) == BADGE_COLOURS[PENDING_BADGE]
    assert badge.data(Qt.ItemDataRole.ToolTipRole)
    for role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.DecorationRole):
        assert name.data(role) is None and badge.data(role) is None
    assert name.data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(model.index(5, 0)) is None  # no such row
    places = PlaceTableModel(ledger)
    assert places.decorated_roles == frozenset()


def test_freeze_startup_objects_sets_them_aside() -> None:
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
