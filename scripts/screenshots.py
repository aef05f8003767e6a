"""Screenshots of the main views for the README: ``python scripts/screenshots.py PROFILE_DIR [OUT_DIR]``.

Runs the real window on the offscreen platform (or under Xvfb when DISPLAY is set) with the zh_CN UI and grabs it
to PNG files (default docs/screenshots): the main window at 1280×800 with a grid's households, the people list,
the search panel with results, then the editors of a household with several members, of a person, of a rental
house with tenants, the coverage report and the settings, each dialog at its natural size. Make a profile with
``GRIDDESK_PASSPHRASE=demo griddesk --profile DIR demo --households 3000``; the passphrase comes from
GRIDDESK_PASSPHRASE. Nothing is written to the ledger.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QModelIndex, QSettings
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import func, select

from app.ledger import Ledger
from app.models import Household, Person, Place, Tenancy
from app.profile import Profile, passphrase_from_environment
from ui import forms
from ui.coverage import CoverageDialog
from ui.i18n import install_translators
from ui.main import ID_ROLE, MainWindow
from ui.settings import SettingsDialog

ROOT = Path(__file__).resolve().parent.parent
WINDOW_SIZE = (1280, 800)


def settle(rounds: int = 20) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


def save(widget: QWidget, out: Path, name: str) -> None:
    settle()
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise RuntimeError(f"could not write {path}")
    print(path)


def busiest_grid(window: MainWindow) -> QModelIndex:
    """The grid (leaf of the tree) with the most households, its branch expanded."""
    model = window.tree_model
    best, most = QModelIndex(), -1

    def walk(parent: QModelIndex) -> None:
        nonlocal best, most
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            if model.rowCount(index):
                walk(index)
            elif int(index.siblingAtColumn(1).data() or 0) > most:
                best, most = index, int(index.siblingAtColumn(1).data() or 0)

    walk(QModelIndex())
    parent = best.parent()
    while parent.isValid():
        window.tree.expand(parent)
        parent = parent.parent()
    return best


def pick_records(ledger: Ledger, grid_ids: list[str]) -> dict[str, str]:
    """Records that show the editors well: a household of the grid with most members, a migrant (流动人口) of it,
    the rental house (出租屋) with the most tenants."""
    with ledger.read() as session:
        members = (
            select(Person.household_id, func.count().label("n"))
            .where(Person.deleted.is_(False), Person.grid_id.in_(grid_ids))
            .group_by(Person.household_id)
            .order_by(func.count().desc(), Person.household_id)
            .limit(1)
        )
        household = session.execute(members).first()
        person = session.scalar(
            select(Person.id)
            .where(Person.deleted.is_(False), Person.residence_class == "2", Person.grid_id.in_(grid_ids))
            .order_by(Person.name)
            .limit(1)
        ) or session.scalar(select(Person.id).where(Person.deleted.is_(False)).order_by(Person.name).limit(1))
        tenants = (
            select(Place.id)
            .join(Tenancy, Tenancy.place_id == Place.id)
            .where(Place.kind == "rental", Place.deleted.is_(False), Tenancy.deleted.is_(False))
            .group_by(Place.id)
            .order_by(func.count().desc(), Place.id)
            .limit(1)
        )
        place = session.scalar(tenants)
        household_id = (
            session.scalar(select(Household.id).where(Household.id == household[0])) if household else None
        )
    if household_id is None or person is None or place is None:
        raise RuntimeError("the profile lacks a household, a person or a rental house: use a demo profile")
    return {"household": household_id, "person": person, "place": place}


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    profile = Profile(Path(sys.argv[1]))
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("GridDesk-screenshots")  # settings of its own: default font and language
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    translators = install_translators(app, "zh_CN")
    ledger = Ledger.open(profile.ledger_path, passphrase_from_environment(), actor=profile.user())
    window = MainWindow(ledger, profile)
    window.resize(*WINDOW_SIZE)
    window.show()
    QTest.qWaitForWindowExposed(window)
    grid = busiest_grid(window)
    window.tree.setCurrentIndex(grid)
    window.tree.scrollTo(grid)
    save(window, out, "main-window")

    window.show_list("person")
    save(window, out, "people")

    window.show_list("household")
    rows = window.people.rows()
    query = rows[len(rows) // 2].name[:1] if rows else "王"
    window.focus_search()
    window.search.setText(query)
    window.search.search_now()
    save(window, out, "search")
    window.search.clear()
    window.search.close_results()

    records = pick_records(ledger, list(grid.data(ID_ROLE)))
    for kind, name in (
        ("household", "household-editor"),
        ("person", "person-editor"),
        ("place", "place-editor"),
    ):
        dialog = forms.open_editor(window, kind, records[kind])
        save(dialog, out, name)
        dialog.close()

    coverage = CoverageDialog(ledger, window)
    coverage.show()
    save(coverage, out, "coverage")
    coverage.close()

    settings = SettingsDialog(window)
    settings.show()
    save(settings, out, "settings")
    settings.close()

    settle()
    window.close()
    del translators
    return 0


if __name__ == "__main__":
    sys.exit(main())
