"""One base class for every long list: rows fetched a page at a time by keyset as the view scrolls, sorted and
filtered in SQL, and changed rows read back one by one after a save instead of the whole list again.

The page after the last one shown is read ahead on a worker thread while the user looks at this one, so a scroll
step that reaches the end of the rows fetched finds the next page waiting instead of querying for it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

Row = TypeVar("Row", bound=tuple[Any, ...])
Key = Any
Index = QModelIndex | QPersistentModelIndex
DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
FOREGROUND_ROLE = int(Qt.ItemDataRole.ForegroundRole)


class PagedTableModel(QAbstractTableModel, Generic[Row]):
    """Rows come from ``fetch_page(after_key, limit)`` in the list's order; ``row_key(row)`` is a row's keyset
    position (comparable, ascending in the list's order unless ``descending``) and ``row_id(row)`` its record id.

    A row is a tuple (a NamedTuple, for its names). The model keeps each as the plain tuple of its fields, which
    the garbage collector stops tracking: 100,000 rows held as objects made each of its full passes walk them all
    (30–60 ms, landing in some scroll step), as plain tuples they cost it nothing. ``row_at`` names them again.

    Subclasses name their ``headers``, the columns a click on the header sorts by (``sort_columns``: column → sort
    name understood by their query), say how a row shows in ``display(row, column)`` (and, if they like, its
    colours and tooltips in ``decorate(row, column, role)``), and read rows back by id in ``fetch_rows(ids)`` for
    ``refresh_ids``. The sort and the filter text are kept here; the subclass's query reads them.

    ``fetch_page`` and ``load_extras`` run on the read-ahead thread too, so they only read (from the database and
    the model's query); what they return is applied on the UI thread by ``rows_changed``.
    """

    page_size = 200
    read_ahead = True
    """Whether, once the user has scrolled past the first page, the next page is read on a worker thread."""
    headers: Sequence[str] = ()
    sort_columns: ClassVar[Mapping[int, str]] = {}
    decorated_roles: ClassVar[frozenset[int] | None] = None
    """The roles ``decorate`` answers (None: it is asked for every role but the display). A view asks for about
    ten roles of each cell it paints; the others are answered None at once, which keeps a scroll step cheap."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[Any, ...]] = []
        self._row_type: type[Row] | None = None
        self._more = True
        self._positions: dict[str, int] | None = None
        self.sort_name = ""
        """The sort name of the current order ("" for the list's default)."""
        self.sort_column = 0
        self.descending = False
        self.filter_text = ""
        self._generation = 0
        """Counts resets: a page read ahead for an earlier list is dropped."""
        self._ahead: tuple[int, Key, Future[tuple[list[Row], Any]]] | None = None
        self._reader: ThreadPoolExecutor | None = None

    # -- what a subclass provides ---------------------------------------------------------------------------------
    def fetch_page(self, after: Key | None, limit: int) -> list[Row]:
        raise NotImplementedError

    def fetch_rows(self, ids: Sequence[str]) -> list[Row]:
        """Those of ``ids`` that belong in the list now, read again; the others have left it."""
        raise NotImplementedError

    def row_key(self, row: Row) -> Key:
        return row.key  # type: ignore[attr-defined]

    def row_id(self, row: Row) -> str:
        return str(row.id)  # type: ignore[attr-defined]

    def display(self, row: Row, column: int) -> Any:
        raise NotImplementedError

    def decorate(self, row: Row, column: int, role: int) -> Any:
        """Other roles (colour, tooltip) of a cell; none by default."""
        return None

    def load_extras(self, rows: Sequence[Row]) -> Any:
        """What ``rows`` show beside their own fields (e.g. sync badges), read for ``rows_changed``; None by
        default. May run on the read-ahead thread."""
        return None

    def rows_changed(self, rows: Sequence[Row], extras: Any) -> None:
        """Called on the UI thread with rows just fetched or read again and their ``load_extras``."""

    def _with_extras(self, after: Key | None) -> tuple[list[Row], Any]:
        page = self.fetch_page(after, self.page_size)
        return page, self.load_extras(page)

    # -- paging ---------------------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Start again from the first page (another grid selected, another order or filter, or data changed)."""
        self.beginResetModel()
        self._rows = []
        self._positions = None
        self._more = True
        self._generation += 1
        self._ahead = None
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or not self._more:
            return
        after = self._last_key()
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[:2] == (self._generation, after):
            page, extras = ahead[2].result()
        else:
            page, extras = self._with_extras(after)
        self._more = len(page) == self.page_size
        if page:
            self.rows_changed(page, extras)
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(self._kept(page))
            self._positions = None
            self.endInsertRows()
        if self._more and self.read_ahead and len(self._rows) > self.page_size:
            # Once the user scrolls past the first page: a list only glanced at (a click in the tree, the window
            # opening) reads nothing more, and start-up needs no second connection.
            self._read_ahead(self._last_key())

    def _read_ahead(self, after: Key) -> None:
        if self._reader is None:
            self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
        self._ahead = (self._generation, after, self._reader.submit(self._with_extras, after))

    def page_ahead(self) -> Future[tuple[list[Row], Any]] | None:
        """The page being read ahead (with its extras), if any."""
        return self._ahead[2] if self._ahead is not None else None

    def drop_read_ahead(self) -> None:
        """Forget the page read ahead (data changed since it was read): the next one is read when needed."""
        self._ahead = None

    def stop_reading_ahead(self) -> None:
        """Drop the page read ahead and end the thread (before the ledger closes)."""
        self.drop_read_ahead()
        if self._reader is not None:
            self._reader.shutdown(wait=True, cancel_futures=True)
            self._reader = None

    def fetch_all(self) -> None:
        """Every page (for tests and exports: a view fetches as it scrolls)."""
        while self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    @property
    def complete(self) -> bool:
        """Whether every row of the list is fetched."""
        return not self._more

    # -- sorting and filtering in SQL -----------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A click on a sortable header: the list again from its first page in that order (others are ignored)."""
        name = self.sort_columns.get(column)
        if name is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (name, descending) == (self.sort_name, self.descending) and self._rows:
            return
        self.sort_name, self.sort_column, self.descending = name, column, descending
        self.reset()

    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder

    def set_filter(self, text: str) -> None:
        text = text.strip()
        if text != self.filter_text:
            self.filter_text = text
            self.reset()

    # -- rows changed by a save -----------------------------------------------------------------------------------
    def refresh_ids(self, ids: Iterable[str]) -> None:
        """Read the rows of ``ids`` again and put them right in place: changed ones updated (moved if their sort
        value changed), ones that left the list removed, new ones inserted where they sort among the rows fetched
        so far (a new row past the last page fetched is found when scrolling there)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return
        self.drop_read_ahead()
        fresh = {self.row_id(r): r for r in self.fetch_rows(wanted)}
        if fresh:
            rows = list(fresh.values())
            self.rows_changed(rows, self.load_extras(rows))
        for record_id in wanted:
            position = self.position_of(record_id)
            row = fresh.get(record_id)
            if (
                position is not None
                and row is not None
                and self.row_key(row) == self.row_key(self.row_at(position))
            ):
                self._rows[position] = self._kept([row])[0]
                self.dataChanged.emit(self.index(position, 0), self.index(position, self.columnCount() - 1))
                continue
            if position is not None:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self._positions = None
                self.endRemoveRows()
            if row is not None:
                self._insert_sorted(row)

    def position_of(self, record_id: str) -> int | None:
        """The row number of a record among the rows fetched so far."""
        if self._positions is None:
            self._positions = {self.row_id(r): i for i, r in enumerate(self.rows())}
        return self._positions.get(record_id)

    def _before(self, a: Key, b: Key) -> bool:
        return bool(a > b) if self.descending else bool(a < b)

    def _insert_sorted(self, row: Row) -> None:
        key = self.row_key(row)
        if self._more and (not self._rows or not self._before(key, self._last_key())):
            return  # past the rows fetched so far: it comes with its page
        low, high = 0, len(self._rows)
        while low < high:
            middle = (low + high) // 2
            if self._before(self.row_key(self.row_at(middle)), key):
                low = middle + 1
            else:
                high = middle
        self.beginInsertRows(QModelIndex(), low, low)
        self._rows.insert(low, self._kept([row])[0])
        self._positions = None
        self.endInsertRows()

    # -- Qt's model interface -------------------------------------------------------------------------------------
    def _kept(self, rows: Sequence[Row]) -> list[tuple[Any, ...]]:
        """``rows`` as the plain tuples the model keeps."""
        if rows and self._row_type is None:
            self._row_type = type(rows[0])
        return [tuple(r) for r in rows]

    def row_at(self, row: int) -> Row:
        return tuple.__new__(self._row_type or tuple, self._rows[row])  # type: ignore[return-value]

    def _last_key(self) -> Key | None:
        return self.row_key(self.row_at(len(self._rows) - 1)) if self._rows else None

    def rows(self) -> list[Row]:
        """The rows fetched so far."""
        return [self.row_at(i) for i in range(len(self._rows))]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == DISPLAY_ROLE:
            return self.display(self.row_at(index.row()), index.column()) if index.isValid() else None
        roles = self.decorated_roles
        if (roles is not None and role not in roles) or not index.isValid():
            return None
        return self.decorate(self.row_at(index.row()), index.column(), role)

    def multiData(self, index: Index, span: Any) -> None:
        """Every role a view asks of a cell, in one call: a delegate painting a cell asks for seven roles, and each
        ``data`` call crosses from C++ into Python (2,100 crossings a repaint of the people list, 300 this way)."""
        if not index.isValid():
            return
        row = self.row_at(index.row())
        column = index.column()
        roles = self.decorated_roles
        for asked in span:
            role = asked.role()
            if role == DISPLAY_ROLE:
                asked.setData(self.display(row, column))
            elif roles is None or role in roles:
                asked.setData(self.decorate(row, column, role))

    # -- for a view that paints rows itself (ui.list_view) -------------------------------------------------------
    def row_texts(self, row: int) -> list[str]:
        """The text of each cell of row ``row``, as Qt's delegate would show its display value."""
        record = self.row_at(row)
        return [shown_text(self.display(record, column)) for column in range(len(self.headers))]

    coloured_columns: ClassVar[Collection[int] | None] = None
    """The columns whose text ``decorate`` may colour (None: any): a view asks ``text_colour`` of these alone."""

    def text_colour(self, row: int, column: int) -> QColor | None:
        """The colour a cell's text is drawn in, if not the palette's (its foreground role)."""
        roles = self.decorated_roles
        if roles is not None and FOREGROUND_ROLE not in roles:
            return None
        value = self.decorate(self.row_at(row), column, FOREGROUND_ROLE)
        if value is None or isinstance(value, QColor):
            return value
        return QBrush(value).color()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None


def shown_text(value: Any) -> str:
    """A display value as ``QStyledItemDelegate.displayText`` gives it: numbers in the locale's way, nothing for
    None. A line break becomes a space, where Qt would show the first line alone (list fields hold one line)."""
    if isinstance(value, str):
        return value.replace("\n", " ") if "\n" in value else value
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return QLocale().toString(value)
    return str(value)
