"""Languages: zh_CN by default (our translations plus Qt's own qtbase_zh_CN for standard dialogs), English on request."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

TRANSLATIONS = Path(__file__).resolve().parent.parent / "resources" / "translations"
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = {"zh_CN": "中文（简体）", "en": "English"}


def language() -> str:
    value = QSettings().value("ui/language", DEFAULT_LANGUAGE)
    return str(value) if str(value) in LANGUAGES else DEFAULT_LANGUAGE


def install_translators(app: QCoreApplication, lang: str | None = None) -> list[QTranslator]:
    """Load the translators for ``lang``; the returned list must be kept alive as long as the app."""
    lang = lang or language()
    installed: list[QTranslator] = []
    if lang == "en":
        return installed
    QLocale.setDefault(QLocale(lang))
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name, folder in ((f"qtbase_{lang}", qt_dir), (f"griddesk_{lang}", str(TRANSLATIONS))):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            installed.append(translator)
    return installed
