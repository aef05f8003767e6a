"""Settings (设置) the person at the laptop chooses: the language (used from the next start) and a larger font for
staff who need it, both kept in QSettings. QSettings is touched on the main thread only (Picard #1275).

High-DPI: Qt 6 scales every window by the screen's device pixel ratio (and by ``QT_SCALE_FACTOR``), so sizes in
device-independent pixels stay right on a 2× screen. They do not follow the font size chosen here, though: size
anything that holds text from the font (``text_size``) or leave it to layouts and ``ResizeToContents``, and never
give a widget that shows text a fixed pixel width or height.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import LANGUAGES, language

LANGUAGE_KEY = "ui/language"
"""Read by ui.i18n.language() when the app starts."""
FONT_SCALE_KEY = "ui/font_scale"
"""Percent of the platform's default font size: one of FONT_SCALES."""
FONT_SCALES = (100, 125, 150)
DEFAULT_FONT_SCALE = 100


def font_scale() -> int:
    """The saved font scale in percent; anything unknown in the settings file counts as the default."""
    raw = QSettings().value(FONT_SCALE_KEY, DEFAULT_FONT_SCALE)
    try:
        value = int(str(raw))
    except ValueError:
        return DEFAULT_FONT_SCALE
    return value if value in FONT_SCALES else DEFAULT_FONT_SCALE


def scaled_font(scale: int) -> QFont:
    """The platform's default UI font at ``scale`` percent of its size (point or pixel sized)."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale / 100)
    elif font.pixelSize() > 0:
        font.setPixelSize(round(font.pixelSize() * scale / 100))
    return font


def set_font_scale(app: QApplication, scale: int) -> None:
    """Give the running application the font at ``scale`` percent; open windows follow at once."""
    app.setFont(scaled_font(scale))


def apply_font_scale(app: QApplication) -> None:
    """Set the application font from the saved setting (call at startup, after the app is named)."""
    set_font_scale(app, font_scale())


def text_size(widget: QWidget, columns: float, lines: float) -> QSize:
    """A size that holds ``columns`` Chinese characters by ``lines`` lines in ``widget``'s current font.

    For initial window sizes and column widths: unlike a pixel count it grows with the font setting, and the
    device pixel ratio (a 2× screen, QT_SCALE_FACTOR) is applied by Qt on top of it.
    """
    metrics = widget.fontMetrics()
    return QSize(round(metrics.horizontalAdvance("网") * columns), round(metrics.lineSpacing() * lines))


class SettingsDialog(QDialog):
    """Language and font size. The font size shows at once; OK keeps both, Cancel puts the font back."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.initial_scale = font_scale()

        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            # Each language is named in itself, so a person who cannot read the current one still finds theirs.
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(language())))
        language_note = QLabel(self.tr("The new language is used the next time GridDesk starts."))
        language_note.setWordWrap(True)
        language_box = QGroupBox(self.tr("Language"))
        language_layout = QVBoxLayout(language_box)
        language_layout.addWidget(self.language)
        language_layout.addWidget(language_note)

        labels = {
            100: self.tr("Standard (100%)"),
            125: self.tr("Large (125%)"),
            150: self.tr("Extra large (150%)"),
        }
        self.font_buttons: dict[int, QRadioButton] = {}
        self.font_group = QButtonGroup(self)
        font_box = QGroupBox(self.tr("Font size"))
        font_layout = QVBoxLayout(font_box)
        for scale in FONT_SCALES:
            button = QRadioButton(labels[scale])
            self.font_buttons[scale] = button
            self.font_group.addButton(button, scale)
            font_layout.addWidget(button)
        self.font_buttons[self.initial_scale].setChecked(True)
        font_note = QLabel(self.tr("The font size changes at once, in every open window."))
        font_note.setWordWrap(True)
        font_layout.addWidget(font_note)
        self.font_group.idToggled.connect(self._font_toggled)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(language_box)
        layout.addWidget(font_box)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def chosen_scale(self) -> int:
        checked = self.font_group.checkedId()
        return checked if checked in FONT_SCALES else DEFAULT_FONT_SCALE

    def chosen_language(self) -> str:
        return str(self.language.currentData())

    def _font_toggled(self, scale: int, checked: bool) -> None:
        app = QApplication.instance()
        if checked and isinstance(app, QApplication):
            set_font_scale(app, scale)

    def accept(self) -> None:
        settings = QSettings()
        settings.setValue(FONT_SCALE_KEY, self.chosen_scale())
        settings.setValue(LANGUAGE_KEY, self.chosen_language())
        settings.sync()
        super().accept()

    def reject(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication) and self.chosen_scale() != self.initial_scale:
            set_font_scale(app, self.initial_scale)
        super().reject()
