"""Unlocking a ledger in the window: a wrong passphrase is explained and asked again, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from app.ledger import Ledger
from app.profile import Profile
from tests.conftest import PASSPHRASE
from ui.main import unlock


def answer_dialogs(answers: list[str], seen: list[str]) -> None:
    """Type each answer into the next passphrase dialog as it opens (the real dialog, driven by a timer)."""

    def step() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            seen.append(dialog.labelText())
            dialog.setTextValue(answers.pop(0))
            dialog.accept()
        if answers:
            QTimer.singleShot(20, step)

    QTimer.singleShot(20, step)


def test_a_wrong_passphrase_is_explained_and_asked_again(
    qtbot: QtBot, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ledger.path
    ledger.close()
    monkeypatch.delenv("GRIDDESK_PASSPHRASE", raising=False)
    seen: list[str] = []
    answer_dialogs(["wrong passphrase", PASSPHRASE], seen)
    opened = unlock(Profile(Path(path).parent))
    assert opened is not None
    opened.close()
    assert len(seen) == 2
    assert "口令不正确" not in seen[0]
    assert "口令不正确" in seen[1]


def test_cancelling_the_dialog_opens_nothing(
    qtbot: QtBot, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ledger.path
    ledger.close()
    monkeypatch.delenv("GRIDDESK_PASSPHRASE", raising=False)

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            dialog.reject()
        else:
            QTimer.singleShot(20, cancel)

    QTimer.singleShot(20, cancel)
    assert unlock(Profile(Path(path).parent)) is None
