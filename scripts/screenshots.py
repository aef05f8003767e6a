"""Screenshots of the main views for the README: ``python scripts/screenshots.py PROFILE_DIR [OUT_DIR]``.

Runs the real window on the offscreen platform (or under Xvfb when DISPLAY is set) with the zh_CN UI and grabs it
to PNG files (default docs/screenshots). The profile's passphrase comes from GRIDDESK_PASSPHRASE.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.ledger import Ledger
from app.profile import Profile, passphrase_from_environment
from ui.i18n import install_translators
from ui.main import MainWindow

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    profile = Profile(Path(sys.argv[1]))
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    translators = install_translators(app, "zh_CN")
    ledger = Ledger.open(profile.ledger_path, passphrase_from_environment(), actor=profile.user())
    window = MainWindow(ledger, profile)
    window.resize(1280, 800)
    window.show()
    window.tree.expandAll()
    model = window.tree_model
    grids = model.match(model.index(0, 0), Qt.ItemDataRole.DisplayRole, "网格", 1,
                        Qt.MatchFlag.MatchContains | Qt.MatchFlag.MatchRecursive)  # fmt: skip
    if grids:
        window.tree.setCurrentIndex(grids[0])
    for _ in range(20):
        app.processEvents()
    path = out / "main-window.png"
    window.grab().save(str(path))
    print(path)
    window.close()
    del translators
    return 0


if __name__ == "__main__":
    sys.exit(main())
