"""Picking a person already in the ledger by typing: a name, pinyin initials or the last digits of an ID number.

``PersonPicker`` is a line edit. Each change of the typed text looks the people up with ``app.search.search_people``
and lists them under the field; Up/Down move through the list, Enter (or a click) picks one, Esc closes the list.
With no list showing, Enter and Esc reach the dialog as usual (save, ask before closing). The list is a child of
the window laid over the form, so the keyboard never leaves the field.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QFrame, QLineEdit, QListWidget, QListWidgetItem, QWidget

from app import codes
from app.ledger import Ledger
from app.privacy import mask_id_number, mask_phone
from app.search import PersonHit, search_people

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
VISIBLE_ROWS = 8


def shown_person(name: str, id_number: str | None, phone: str | None) -> dict[str, str]:
    """A person as an editor's table of people (tenants, members) shows them: ID number and phone masked."""
    return {"name": name, "id_number": mask_id_number(id_number), "phone": mask_phone(phone)}


def person_label(name: str, id_number: str | None) -> str:
    """How a picked person is shown in the field: the name and the masked ID number (enough to tell namesakes)."""
    return f"{name}（{mask_id_number(id_number)}）" if id_number else name


class PersonPicker(QLineEdit):
    """A field that finds a person as it is typed and holds the one picked (``person_id()``).

    ``picked(hit)`` is emitted with the ``PersonHit`` when a person is picked; ``cleared()`` when the text is edited
    after a pick (the field then holds only typed text, which editors may keep as a name, e.g. an owner who is not
    in the ledger).
    """

    picked = Signal(object)
    cleared = Signal()

    def __init__(self, ledger: Ledger, parent: QWidget | None = None, *, limit: int = 20) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.limit = limit
        self.hit: PersonHit | None = None
        """The person last picked from the list (None after ``set_person`` / ``restore``)."""
        self._person_id: str | None = None
        self._name = ""
        self.setPlaceholderText(self.tr("Name, pinyin initials or last digits of the ID number"))
        self.setClearButtonEnabled(True)
        self.results = QListWidget(self)
        self.results.setWindowFlags(Qt.WindowType.Widget)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.setFrameShape(QFrame.Shape.Box)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.results.itemClicked.connect(self._clicked)
        self.results.hide()
        self.textEdited.connect(self._typed)

    # -- the value ---------------------------------------------------------------------------------
    def person_id(self) -> str | None:
        """The person picked, or None while the field holds only typed text."""
        return self._person_id

    def person_name(self) -> str:
        """The picked person's name, else the text typed (stripped)."""
        return self._name if self._person_id is not None else self.text().strip()

    def set_person(self, person_id: str | None, name: str, id_number: str | None = None) -> None:
        """Hold ``person_id`` and show its name (and masked ID number), or just ``name`` as typed; emits nothing."""
        self._person_id = person_id or None
        self._name = name
        self.hit = None
        self.setText(person_label(name, id_number) if person_id else name)
        self.setCursorPosition(0)
        self.hide_results()

    def clear_person(self) -> None:
        self.set_person(None, "")

    def pick(self, hit: PersonHit) -> None:
        self._person_id = hit.id
        self._name = hit.name
        self.hit = hit
        self.setText(person_label(hit.name, hit.id_number))
        self.hide_results()
        self.picked.emit(hit)

    def state(self) -> dict[str, Any]:
        """What the field holds, for a draft."""
        return {"person_id": self._person_id, "name": self.person_name(), "text": self.text()}

    def restore(self, state: dict[str, Any] | None) -> None:
        state = state or {}
        self._person_id = state.get("person_id") or None
        self._name = str(state.get("name") or "")
        self.hit = None
        self.setText(str(state.get("text") or ""))
        self.setCursorPosition(0)

    # -- the list of people found ------------------------------------------------------------------
    def results_visible(self) -> bool:
        return self.results.isVisible()

    def hits(self) -> list[PersonHit]:
        """The people listed now, in their order."""
        found: list[PersonHit] = []
        for row in range(self.results.count()):
            hit = self.results.item(row).data(HIT_ROLE)
            if isinstance(hit, PersonHit):
                found.append(hit)
        return found

    def search(self) -> None:
        """Look up the typed text and list the people found (or say nobody was)."""
        query = self.text().strip()
        if not query:
            self.hide_results()
            return
        with self.ledger.read() as session:
            hits = search_people(session, query, self.limit)
        self.results.clear()
        sexes = codes.table("Sex")
        for hit in hits:
            parts = [
                hit.name,
                sexes.label(hit.sex) or "",
                hit.birth_date.isoformat() if hit.birth_date else "",
                mask_id_number(hit.id_number),
                mask_phone(hit.phone),
                self.tr("Household %1").replace("%1", hit.household_number) if hit.household_number else "",
                hit.address,
            ]
            item = QListWidgetItem("  ".join(p for p in parts if p))
            item.setData(HIT_ROLE, hit)
            self.results.addItem(item)
        if not hits:
            empty = QListWidgetItem(self.tr("Nobody found: check the spelling, or register the person first"))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(empty)
        else:
            self.results.setCurrentRow(0)
        self._show_results()

    def _show_results(self) -> None:
        window = self.window()
        if self.results.parentWidget() is not window:
            self.results.setParent(window)
        rows = min(max(self.results.count(), 1), VISIBLE_ROWS)
        row_height = max(self.results.sizeHintForRow(0), self.fontMetrics().height() + 4)
        height = rows * row_height + 2 * self.results.frameWidth() + 2
        width = max(self.width(), min(560, window.width() - 8))
        below = self.mapTo(window, QPoint(0, self.height()))
        x = max(0, min(below.x(), window.width() - width))
        y = below.y()
        if y + height > window.height():  # no room below: open above the field
            y = max(0, self.mapTo(window, QPoint(0, 0)).y() - height)
        self.results.setGeometry(x, y, width, height)
        self.results.show()
        self.results.raise_()

    def hide_results(self) -> None:
        self.results.hide()

    def _typed(self, _text: str) -> None:
        if self._person_id is not None:
            self._person_id = None
            self._name = ""
            self.hit = None
            self.cleared.emit()
        self.search()

    def _clicked(self, item: QListWidgetItem) -> None:
        hit = item.data(HIT_ROLE)
        if isinstance(hit, PersonHit):
            self.pick(hit)
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def _move(self, step: int) -> None:
        count = self.results.count()
        if count:
            row = self.results.currentRow()
            self.results.setCurrentRow(max(0, min(count - 1, row + step)))

    # -- the keyboard ------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        showing = self.results_visible()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            if not showing:
                if key == Qt.Key.Key_Down and self.text().strip() and self._person_id is None:
                    self.search()
                    event.accept()
                    return
                super().keyPressEvent(event)
                return
            step = {
                Qt.Key.Key_Down: 1,
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_PageDown: VISIBLE_ROWS,
                Qt.Key.Key_PageUp: -VISIBLE_ROWS,
            }[Qt.Key(key)]
            self._move(step)
            event.accept()
            return
        if showing and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.results.currentItem()
            hit = item.data(HIT_ROLE) if item is not None else None
            if isinstance(hit, PersonHit):
                self.pick(hit)
            else:  # nobody found: close the list; the next Enter goes to the dialog
                self.hide_results()
            event.accept()
            return
        if showing and key == Qt.Key.Key_Escape:
            self.hide_results()
            event.accept()
            return
        super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        # Enter and Esc are the dialog's shortcuts-by-default; while the list shows they belong to the list.
        if event.type() == QEvent.Type.ShortcutOverride and self.results_visible():
            key_event = event if isinstance(event, QKeyEvent) else None
            if key_event is not None and key_event.key() in (
                Qt.Key.Key_Return,
                Qt.Key.Key_Enter,
                Qt.Key.Key_Escape,
            ):
                event.accept()
                return True
        return super().event(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.hide_results()
        super().focusOutEvent(event)
