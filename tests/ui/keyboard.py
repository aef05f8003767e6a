"""Typing as a person does: ASCII through key presses, Chinese as an input method commits it (QTest's key
clicks only know ASCII)."""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type ``text`` into ``widget``: runs of ASCII as key clicks, other runs as one input-method commit each."""
    run = ""
    for char in text + "\0":
        if run and (char == "\0" or char.isascii() != run.isascii()):
            if run.isascii():
                qtbot.keyClicks(widget, run)
            else:
                event = QInputMethodEvent()
                event.setCommitString(run)
                QApplication.sendEvent(widget, event)
            run = ""
        run += char
