"""One base class for every long list: rows fetched a page at a time by keyset, as the view scrolls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Row = TypeVar("Row")
Key = Any
Index = QModelIndex | QPersistentModelIndex


class PagedTableModel(QAbstractTableModel, Generic[Row]):
    """Rows come from ``fetch(after_key, limit)``; ``key(row)`` is the keyset position of a row.

    Subclasses name their ``headers`` and say how a row shows in ``display(row, column)`` (and, if they like,
    its colours and tooltips in ``decorate(row, column, role)``).
    """

    page_size = 200
    headers: Sequence[str] = ()

    def __init__(self, fetch: Callable[[Key | None, int], list[Row]], key: Callable[[Row], Key]) -> None:
        super().__init__()
        self._fetch = fetch
        self._key = key
        self._rows: list[Row] = []
        self._more = True

    def reset(self, fetch: Callable[[Key | None, int], list[Row]] | None = None) -> None:
        """Start again from the first page (another grid selected, or data changed)."""
        self.beginResetModel()
        if fetch is not None:
            self._fetch = fetch
        self._rows = []
        self._more = True
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or not self._more:
            return
        after = self._key(self._rows[-1]) if self._rows else None
        page = self._fetch(after, self.page_size)
        self._more = len(page) == self.page_size
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def rows(self) -> list[Row]:
        """The rows fetched so far."""
        return list(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, index.column())
        return self.decorate(row, index.column(), role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def display(self, row: Row, column: int) -> Any:
        raise NotImplementedError

    def decorate(self, row: Row, column: int, role: int) -> Any:
        """Other roles (colour, tooltip) of a cell; none by default."""
        return None
