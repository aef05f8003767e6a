"""Settings: the font size applies at once and is kept in QSettings, the language is kept for the next start.
Every test writes its settings to its own temporary folder, never to the user's real settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from ui import i18n
from ui.settings import (
    DEFAULT_FONT_SCALE,
    FONT_SCALE_KEY,
    LANGUAGE_KEY,
    SettingsDialog,
    apply_font_scale,
    font_scale,
    scaled_font,
    set_font_scale,
)


@pytest.fixture
def settings_file(qapp: QApplication, tmp_path: Path) -> Iterator[Path]:
    """QSettings() for this test lives in tmp_path; the application font is put back afterwards."""
    folder = tmp_path / "settings"
    names = (qapp.organizationName(), qapp.applicationName())
    default_format = QSettings.defaultFormat()
    font = qapp.font()
    qapp.setOrganizationName("GridDeskTest")
    qapp.setApplicationName("settings")
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    yield folder / "GridDeskTest" / "settings.ini"
    user_config = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, user_config)
    QSettings.setDefaultFormat(default_format)
    qapp.setOrganizationName(names[0])
    qapp.setApplicationName(names[1])
    qapp.setFont(font)


def _saved(path: Path, key: str) -> object:
    """What the settings file on disk holds for ``key`` (read afresh, not from a cached QSettings)."""
    return QSettings(str(path), QSettings.Format.IniFormat).value(key)


def _buttons(dialog: SettingsDialog) -> QDialogButtonBox:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    return box


def _base() -> float:
    return scaled_font(100).pointSizeF()


def test_the_font_scale_is_standard_until_chosen_and_unknown_values_are_ignored(settings_file: Path) -> None:
    assert font_scale() == DEFAULT_FONT_SCALE == 100
    for junk in ("200", "abc", "", "-125"):
        QSettings().setValue(FONT_SCALE_KEY, junk)
        assert font_scale() == 100, junk
    QSettings().setValue(FONT_SCALE_KEY, 125)
    assert font_scale() == 125


def test_a_larger_font_applies_at_once_and_ok_keeps_it(
    qapp: QApplication, qtbot: QtBot, settings_file: Path
) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.font_buttons[100].isChecked()
    assert qapp.font().pointSizeF() == pytest.approx(_base())

    dialog.font_buttons[150].click()
    assert qapp.font().pointSizeF() == pytest.approx(_base() * 1.5)
    QApplication.processEvents()  # open windows take the font change as the event loop delivers it
    assert dialog.font().pointSizeF() == pytest.approx(_base() * 1.5), "open windows follow"
    assert not settings_file.exists(), "nothing is saved before OK"

    dialog.font_buttons[125].click()
    assert qapp.font().pointSizeF() == pytest.approx(_base() * 1.25)
    _buttons(dialog).button(QDialogButtonBox.StandardButton.Ok).click()
    assert int(str(_saved(settings_file, FONT_SCALE_KEY))) == 125
    assert qapp.font().pointSizeF() == pytest.approx(_base() * 1.25)


def test_cancel_puts_the_font_back_and_saves_nothing(
    qapp: QApplication, qtbot: QtBot, settings_file: Path
) -> None:
    QSettings().setValue(FONT_SCALE_KEY, 125)
    apply_font_scale(qapp)
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    assert dialog.font_buttons[125].isChecked()
    dialog.font_buttons[150].click()
    assert qapp.font().pointSizeF() == pytest.approx(_base() * 1.5)
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.reject()
    assert qapp.font().pointSizeF() == pytest.approx(_base() * 1.25)
    assert font_scale() == 125
    assert QSettings().value(LANGUAGE_KEY) is None


def test_the_saved_font_scale_is_applied_at_startup(qapp: QApplication, settings_file: Path) -> None:
    QSettings().setValue(FONT_SCALE_KEY, 150)
    QSettings().sync()
    set_font_scale(qapp, 100)
    apply_font_scale(qapp)
    assert qapp.font().pointSizeF() == pytest.approx(_base() * 1.5)
    label = QLabel("户主")
    assert label.font().pointSizeF() == pytest.approx(_base() * 1.5), "new widgets take the larger font"


def test_the_language_is_saved_for_the_next_start(qtbot: QtBot, settings_file: Path) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    assert dialog.chosen_language() == "zh_CN", "Chinese by default"
    assert [dialog.language.itemText(i) for i in range(dialog.language.count())] == [
        "中文（简体）",
        "English",
    ]
    notes = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("next time" in text for text in notes), "the dialog says the language applies on restart"
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.accept()
    assert _saved(settings_file, LANGUAGE_KEY) == "en"
    assert i18n.language() == "en"

    again = SettingsDialog()
    qtbot.addWidget(again)
    assert again.chosen_language() == "en"


def test_standard_buttons_are_chinese_with_qt_s_own_translation(
    qapp: QApplication, qtbot: QtBot, settings_file: Path
) -> None:
    translators = i18n.install_translators(qapp, "zh_CN")
    try:
        dialog = SettingsDialog()
        qtbot.addWidget(dialog)
        box = _buttons(dialog)
        assert "确定" in box.button(QDialogButtonBox.StandardButton.Ok).text()
        assert "取消" in box.button(QDialogButtonBox.StandardButton.Cancel).text()
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
