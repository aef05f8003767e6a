"""Nothing typed is lost: the app killed mid-entry (SIGKILL, as a crash or power cut) leaves the draft of the
household being typed in the encrypted ledger, and the next start reopens it in its editor, ready to save."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.drafts import drafts
from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import Household, Person
from tests.conftest import PASSPHRASE, Township
from ui import forms
from ui.household_editor import HouseholdEditor

ROOT = Path(__file__).resolve().parents[2]
HEAD_ID = make_id_number("620502", date(1971, 1, 23), 35)

TYPIST = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    from app.ledger import Ledger
    from ui import forms

    path, passphrase, grid_id, head_id = sys.argv[1:5]
    app = QApplication([])
    ledger = Ledger.open(Path(path), passphrase, actor="collector1")
    window = QWidget()
    window.ledger = ledger
    editor = forms.open_editor(window, "household", grid_id=grid_id)
    QTest.keyClicks(editor.door_number, "8-2")
    QTest.keyClicks(editor.phone, "13909387766")
    editor.address.setFocus()
    editor.address.insert("李家村五组8号")
    editor.address.textEdited.emit(editor.address.text())
    row = editor.rows[0]
    row.name.insert("马国强")
    row.name.textEdited.emit(row.name.text())
    QTest.keyClicks(row.id_number, head_id)
    QTest.qWait(forms.DRAFT_DELAY_MS + 700)
    print("READY", flush=True)
    while True:
        QTest.qWait(1000)
    """
)


def test_a_killed_app_leaves_the_draft_and_the_next_start_restores_it(
    qtbot: QtBot, ledger: Ledger, township: Township, tmp_path: Path
) -> None:
    script = tmp_path / "typist.py"
    script.write_text(TYPIST, encoding="utf-8")
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, str(script), str(ledger.path), PASSPHRASE, township.grid_a.id, HEAD_ID],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == "READY", process.stderr.read() if process.stderr else ""
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    with ledger.read() as session:
        waiting = drafts(session, ledger.actor)
        assert session.scalars(select(Household)).all() == []
    assert [d.kind for d in waiting] == ["household"]
    state = waiting[0].state
    assert (state["door_number"], state["phone"], state["address"]) == ("8-2", "13909387766", "李家村五组8号")
    assert [(m["name"], m["id_number"]) for m in state["members"]] == [("马国强", HEAD_ID)]
    assert waiting[0].context == {"grid_id": township.grid_a.id}

    window = QWidget()
    window.ledger = ledger  # type: ignore[attr-defined]
    qtbot.addWidget(window)
    reopened = forms.restore_drafts(window, ask=False)
    assert len(reopened) == 1
    editor = reopened[0]
    assert isinstance(editor, HouseholdEditor)
    assert (editor.door_number.text(), editor.address.text()) == ("8-2", "李家村五组8号")
    head = editor.rows[0]
    assert (head.name.text(), head.id_number.text(), head.relation.code()) == ("马国强", HEAD_ID, "02")
    assert (head.sex.code(), head.birth_date.text()) == ("1", "1971-01-23")
    qtbot.keyClick(editor.phone, Qt.Key.Key_Return)
    assert not editor.isVisible(), editor.error.text()
    with ledger.read() as session:
        household = session.scalars(select(Household)).one()
        assert (household.address, household.phone) == ("李家村五组8号", "13909387766")
        assert session.get_one(Person, household.head_id).name == "马国强"
        assert drafts(session) == []
