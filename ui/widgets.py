"""Input widgets the record editors share: code pickers, typed dates, ID numbers, regions and tags.

Every widget here is keyboard-first: codes are picked by typing part of the code, the name or its pinyin
initials (``hz`` → 户主); dates are typed as text (``1980-03-05``, ``19800305``, ``1980.3.5``); an ID number is
checked as it is typed. Input the widget cannot make sense of is marked red and handed to the services as typed,
so the save is refused with the services' Chinese message.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QComboBox, QCompleter, QLabel, QLineEdit, QPlainTextEdit, QWidget

from app import codes
from app.errors import ValidationError
from app.idcard import IdNumberInfo, normalise_id_number, parse_id_number, region_name, region_names
from app.ledger import Ledger
from app.models import GridNode
from app.pinyin import first_letters

__all__ = [
    "CodePicker",
    "DateEdit",
    "IdNumberEdit",
    "NoteEdit",
    "RegionPicker",
    "TagEdit",
    "parse_date",
]

SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1
"""Item role holding what a code is found by: "code name initials" in lower case."""

INVALID_STYLE = "background-color: #fde7e9; border: 1px solid #b3261e;"


def text_field(column: Any, placeholder: str = "") -> QLineEdit:
    """A line edit for a text column of a model (``Place.name``): it takes no more than the column holds."""
    line = QLineEdit()
    length = getattr(column.type, "length", None)
    if length:
        line.setMaxLength(int(length))
    if placeholder:
        line.setPlaceholderText(placeholder)
    return line


def note_field(column: Any, placeholder: str = "") -> NoteEdit:
    """A multi-line field for a notes column of a model (``Person.note``): it takes no more than the column holds."""
    note = NoteEdit(max_length=getattr(column.type, "length", None))
    if placeholder:
        note.setPlaceholderText(placeholder)
    return note


class NoteEdit(QPlainTextEdit):
    """Notes (备注) of several lines: Enter starts a new line, Ctrl+Enter saves the form (the editor's
    ``RecordDialog`` takes it), Tab moves on to the next field. ``text()`` / ``setText()`` as a line edit has."""

    LINES = 3
    """Lines shown without scrolling: a short paragraph."""

    def __init__(self, parent: QWidget | None = None, *, max_length: int | None = None) -> None:
        super().__init__(parent)
        self.max_length = int(max_length) if max_length else None
        """The most characters the field takes (the model column's length; None for a Text column)."""
        self.setTabChangesFocus(True)
        self.setPlaceholderText(self.tr("Enter starts a new line; Ctrl+Enter saves"))
        margins = self.contentsMargins()
        document_margin = 2 * self.document().documentMargin()
        self.setFixedHeight(
            round(self.fontMetrics().lineSpacing() * self.LINES + document_margin)
            + margins.top()
            + margins.bottom()
            + 2 * self.frameWidth()
        )
        self.textChanged.connect(self._limit)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        self.setPlainText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                event.ignore()  # on to the dialog, which saves
            else:
                self.insertPlainText(
                    "\n"
                )  # also for Shift+Enter: a plain line break, not a paragraph separator
                event.accept()
            return
        super().keyPressEvent(event)

    def _limit(self) -> None:
        """Refuse what goes past ``max_length``: the characters just typed or pasted before the cursor (the end of
        a text set whole), as a line edit refuses them."""
        if self.max_length is None:
            return
        excess = len(self.toPlainText()) - self.max_length
        if excess <= 0:
            return
        cursor = self.textCursor()
        start = cursor.position() - excess if cursor.position() >= excess else self.max_length
        cursor.setPosition(start)
        cursor.setPosition(start + excess, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        self.setTextCursor(cursor)


def show_grid(label: QLabel, ledger: Ledger, grid_id: str | None, missing: str) -> None:
    """Name the grid a record is in on ``label`` ("李家村第一网格（620502101201001）"), or say ``missing`` in red."""
    node = None
    if grid_id:
        with ledger.read() as session:
            node = session.get(GridNode, grid_id)
    if node is None:
        label.setText(missing)
        label.setStyleSheet("color: #b3261e;")
    else:
        label.setText(f"{node.name}（{node.code}）")
        label.setStyleSheet("")


def _mark(widget: QWidget, invalid: bool) -> None:
    """Red when invalid; the style sheet is set only when that changes (each setting re-styles the widget)."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setStyleSheet(INVALID_STYLE if invalid else "")
    widget.setProperty("invalid", invalid)


@lru_cache(maxsize=4096)
def _initials(name: str) -> str:
    return first_letters(name)


class _DisplayCompleter(QCompleter):
    """Matches on the search role, but puts the item's shown text ("01 户主") into the field."""

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "")


class _CodeCombo(QComboBox):
    """An editable combo box of (code, name) pairs: ``.code()`` / ``.set_code()``, typed text resolved."""

    codeChanged = Signal(str)
    """The code now picked ("" when blank; the raw text when it matches no code)."""

    def __init__(
        self,
        entries: Iterable[tuple[str, str]],
        parent: QWidget | None = None,
        *,
        blank: bool = True,
        pinyin: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self.blank = blank
        self._rows: list[tuple[int, str]] = []
        """(row, search text) of every code, and below each exact spelling (code, shown text, name) → row:
        what typed text means is worked out here, not by asking the combo box row by row."""
        self._exact: dict[str, int] = {}
        if blank:
            self.addItem("", "")
            self.setItemData(0, "", SEARCH_ROLE)
        for code, name in entries:
            self.add_code(code, name, pinyin)
        completer = _DisplayCompleter(self.model(), self)
        completer.setCompletionRole(SEARCH_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self.setCurrentIndex(0)
        line = self.lineEdit()
        assert line is not None
        line.editingFinished.connect(self._tidy)
        self.currentIndexChanged.connect(self._index_changed)
        self.editTextChanged.connect(self._text_changed)
        self._last = self.code()

    def add_code(self, code: str, name: str, pinyin: bool = True) -> None:
        shown = f"{code} {name}"
        self.addItem(shown, code)
        row = self.count() - 1
        search = f"{code} {name} {_initials(name) if pinyin else ''}".lower()
        self.setItemData(row, search, SEARCH_ROLE)
        if code:
            self._rows.append((row, search))
            for spelling in (code, shown, name):
                self._exact.setdefault(spelling, row)

    # -- the value ---------------------------------------------------------------------------------
    def code(self) -> str:
        """The picked code; "" when blank; the typed text itself when it names no code (the save refuses it)."""
        text = self.currentText().strip()
        index = self.currentIndex()
        if index >= 0 and self.itemText(index) == self.currentText():
            return str(self.itemData(index) or "")
        if not text:
            return ""
        found = self._resolve(text)
        return str(self.itemData(found)) if found >= 0 else text

    def set_code(self, code: str | None) -> None:
        code = code or ""
        index = self.findData(code)
        if index >= 0:
            self.setCurrentIndex(index)
            self.setEditText(self.itemText(index))
        else:
            self.setCurrentIndex(-1)
            self.setEditText(code)
        self._text_changed(self.currentText())

    def name(self) -> str:
        """The picked code's name ("" if none)."""
        code = self.code()
        index = self.findData(code) if code else -1
        return self.itemText(index).partition(" ")[2] if index >= 0 else ""

    def is_valid(self) -> bool:
        return not self.currentText().strip() or self._resolve(self.currentText().strip()) >= 0

    # -- typed text → code -------------------------------------------------------------------------
    def _resolve(self, text: str) -> int:
        """The row the typed text means: an exact code, shown text or name, else the only row containing it."""
        wanted = text.strip()
        if wanted in self._exact:
            return self._exact[wanted]
        lowered = wanted.lower()
        if not lowered:
            return -1
        contains = [row for row, search in self._rows if lowered in search]
        return contains[0] if len(contains) == 1 else -1

    def _tidy(self) -> None:
        """Leaving the field: show what the typed text resolved to ("hz" → "02 户主")."""
        text = self.currentText().strip()
        if not text:
            if self.blank:
                self.setCurrentIndex(0)
            return
        row = self._resolve(text)
        if row >= 0 and self.itemText(row) != self.currentText():
            self.setCurrentIndex(row)
            self.setEditText(self.itemText(row))

    def _index_changed(self, _index: int) -> None:
        self._text_changed(self.currentText())

    def _text_changed(self, _text: str) -> None:
        _mark(self, not self.is_valid())
        code = self.code()
        if code != self._last:
            self._last = code
            self.codeChanged.emit(code)


class CodePicker(_CodeCombo):
    """Pick a code of a code table (``CodePicker("Relation")``): type the code, the name or pinyin initials."""

    def __init__(
        self,
        table: str,
        parent: QWidget | None = None,
        *,
        blank: bool = True,
        only: Sequence[str] | None = None,
    ) -> None:
        self.table = table
        entries = [(c.code, c.name) for c in codes.table(table).codes if only is None or c.code in only]
        super().__init__(entries, parent, blank=blank)


def preload() -> None:
    """Read what the first editor would otherwise wait for (pypinyin's dictionaries, the region table), while the
    window stands idle after it opens."""
    _initials("户主")
    _regions()


@lru_cache(maxsize=1)
def _regions() -> tuple[tuple[str, str], ...]:
    """(code, full name) of every GB/T 2260 region the ID-number table knows, by code."""
    return tuple(sorted(region_names().items()))


class RegionPicker(_CodeCombo):
    """Pick a GB/T 2260 region (county level): type the 6-digit code or part of the name (秦州, 天水市…)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_regions(), parent, blank=True, pinyin=False)
        self.setMinimumContentsLength(18)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

    def set_code(self, code: str | None) -> None:
        """A county code, or a finer 12-digit division code (shown with its county's name)."""
        if code and self.findData(code) < 0:
            name = region_name(code) or (
                region_name(code[:6]) if len(code) == 12 and code.isdigit() else None
            )
            if name:
                self.add_code(code, name, pinyin=False)
        super().set_code(code)


_DATE_SPLIT = re.compile(r"^(\d{4})\s*[-./年\s]\s*(\d{1,2})\s*[-./月\s]\s*(\d{1,2})\s*日?$")


def parse_date(text: str) -> date | None:
    """A date as people type it: 2026-03-05, 20260305, 2026.3.5, 2026/3/5, 2026年3月5日 (None if not a date)."""
    text = text.strip().translate({0xFF10 + i: str(i) for i in range(10)})
    if re.fullmatch(r"\d{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    else:
        match = _DATE_SPLIT.fullmatch(text)
        if match is None:
            return None
        parts = match.groups()  # type: ignore[assignment]
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


class DateEdit(QLineEdit):
    """A date typed as text; ``.date()`` is None when blank or not a date (then the field is red)."""

    dateChanged = Signal(object)
    """The date now typed (a ``datetime.date``) or None."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A format, not a date: a grey example date was taken for a value.
        self.setPlaceholderText(self.tr("yyyy-mm-dd"))
        self.setMaxLength(16)
        self.textChanged.connect(self._changed)
        self.editingFinished.connect(self._tidy)
        self._last: datetime.date | None = None

    def date(self) -> datetime.date | None:
        return parse_date(self.text())

    def set_date(self, value: datetime.date | None) -> None:
        self.setText(value.isoformat() if value is not None else "")

    def is_valid(self) -> bool:
        return not self.text().strip() or self.date() is not None

    def _changed(self, _text: str) -> None:
        _mark(self, not self.is_valid())
        value = self.date()
        if value != self._last:
            self._last = value
            self.dateChanged.emit(value)

    def _tidy(self) -> None:
        value = self.date()
        if value is not None and self.text() != value.isoformat():
            self.setText(value.isoformat())


class IdNumberEdit(QLineEdit):
    """An ID number checked while it is typed: ``checked(info)`` with what it says once it is complete and
    valid, the problem shown in ``message`` (a label the editor places below) as soon as it is certain."""

    checked = Signal(object)
    """An ``IdNumberInfo`` when the number is complete and valid, else None."""

    def __init__(self, parent: QWidget | None = None, *, record: str = "") -> None:
        super().__init__(parent)
        self.record = record
        self.setMaxLength(24)
        self.setPlaceholderText(self.tr("18-digit ID number"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setVisible(False)
        self.info: IdNumberInfo | None = None
        self.problem = ""
        self.textChanged.connect(self._typed)
        self.editingFinished.connect(self._finished)

    def number(self) -> str:
        """The number as it will be stored (normalised; 15 digits converted when valid)."""
        return self.info.number if self.info is not None else normalise_id_number(self.text())

    def _check(self, *, final: bool) -> None:
        number = normalise_id_number(self.text())
        info: IdNumberInfo | None = None
        problem = ""
        if number:
            try:
                info = parse_id_number(number, record=self.record)
            except ValidationError as exc:
                complete = len(number) >= 18 or not set(number) <= set("0123456789X")
                if final or complete:
                    problem = exc.problem
        self.problem = problem
        self.message.setText(problem)
        self.message.setVisible(bool(problem))
        _mark(self, bool(problem))
        if info != self.info:
            self.info = info
            self.checked.emit(info)

    def _typed(self, _text: str) -> None:
        self._check(final=False)

    def _finished(self) -> None:
        self._check(final=True)


_TAG_SPLIT = re.compile(r"[,，、;；\s]+")


class TagEdit(QLineEdit):
    """Tags typed in one line, separated by commas, 、 or spaces: ``.tags()`` / ``.set_tags()``."""

    def __init__(self, parent: QWidget | None = None, *, suggestions: Iterable[str] = ()) -> None:
        super().__init__(parent)
        self.setPlaceholderText(self.tr("tag 1, tag 2"))
        words = sorted(set(suggestions))
        if words:
            completer = QCompleter(words, self)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.setCompleter(completer)

    def tags(self) -> list[str]:
        seen: list[str] = []
        for tag in _TAG_SPLIT.split(self.text()):
            if tag and tag not in seen:
                seen.append(tag)
        return seen

    def set_tags(self, tags: Iterable[str]) -> None:
        self.setText("，".join(tags))
