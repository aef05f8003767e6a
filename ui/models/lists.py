"""The window's four record lists (户, 人员, 场所, 组织) for the selected grid node: paged, sorted and filtered in
SQL through app.repositories, with the sync badge of each household and person."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor

from app import codes, repositories
from app.ledger import Ledger
from app.privacy import mask_id_number, mask_phone
from app.repositories import (
    HouseholdRow,
    ListQuery,
    OrganisationRow,
    PersonRow,
    PlaceRow,
    RecordList,
    SortKey,
)
from sync.inbox import NEEDS_PERSON, NEEDS_PERSON_BADGE, PENDING_BADGE, household_badges
from ui.models.paged import PagedTableModel

R = TypeVar("R", HouseholdRow, PersonRow, PlaceRow, OrganisationRow)
BADGE_COLOURS = {NEEDS_PERSON_BADGE: QColor("#b3261e"), PENDING_BADGE: QColor("#9a5b00")}


@cache
def code_label(table: str, code: str) -> str:
    """The name of a code (男, 户主, 流动人口 …); the code itself when the table does not know it."""
    if not code:
        return ""
    try:
        return codes.table(table).label(code) or code
    except KeyError:
        return code


def tag_labels(tags: Sequence[str]) -> str:
    return "、".join(code_label("HouseholdTag", t) for t in tags)


class RecordTableModel(PagedTableModel[R], Generic[R]):
    """A paged list of one kind of record in the grids chosen in the tree."""

    spec: RecordList[R]
    decorated_roles: ClassVar[frozenset[int] | None] = frozenset()
    column_chars: ClassVar[Mapping[int, int]] = {}
    """Starting widths of columns in digits (a Chinese character is about two): what they usually hold fits."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__()
        self.ledger = ledger
        self.grid_ids: list[str] = []
        self._plan: tuple[ListQuery, repositories.ListPlan] | None = None
        """How the pages of the current query are read: decided at its first page, again after a reset (a first
        sync can turn a grid of a few records into one of thousands)."""
        self.sort_name = next(iter(self.spec.sorts))
        self.sort_column = next((c for c, n in self.sort_columns.items() if n == self.sort_name), 0)

    @property
    def kind(self) -> str:
        return self.spec.kind

    def query(self) -> ListQuery:
        return ListQuery(tuple(self.grid_ids), self.filter_text, self.sort_name, self.descending)

    def show_grids(self, grid_ids: list[str]) -> None:
        self.grid_ids = list(grid_ids)
        self.reset()

    def reset(self) -> None:
        self._plan = None
        super().reset()

    def fetch_page(self, after: SortKey | None, limit: int) -> list[R]:
        if not self.grid_ids:
            return []
        query = self.query()
        with self.ledger.read() as session:
            kept = self._plan  # read once: the read-ahead thread shares it
            if kept is None or kept[0] != query:
                kept = self._plan = (query, repositories.list_plan(session, self.spec, query))
            return repositories.list_page(session, self.spec, query, after, limit, kept[1])

    def fetch_rows(self, ids: Sequence[str]) -> list[R]:
        if not self.grid_ids:
            return []
        with self.ledger.read() as session:
            return repositories.list_rows(session, self.spec, self.query(), ids)


class BadgedTableModel(RecordTableModel[R], Generic[R]):
    """A list with a sync column: 待上传 while a change waits to go, 需处理 while one waits for a person."""

    badge_column = 0

    @property
    def coloured_columns(self) -> Collection[int]:  # type: ignore[override]
        return (self.badge_column,)

    decorated_roles: ClassVar[frozenset[int] | None] = frozenset(
        {int(Qt.ItemDataRole.ForegroundRole), int(Qt.ItemDataRole.ToolTipRole)}
    )

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.badges: dict[str, str] = {}
        """Record id → needs_person | pending, for the rows fetched so far."""
        # Shared by subclasses: tr() would look these up under the subclass's name, lupdate files them here.
        self.badge_text = {
            NEEDS_PERSON_BADGE: QCoreApplication.translate("BadgedTableModel", "Needs you"),
            PENDING_BADGE: QCoreApplication.translate("BadgedTableModel", "Waiting"),
        }
        self.badge_tip = {
            NEEDS_PERSON_BADGE: QCoreApplication.translate(
                "BadgedTableModel",
                "A change to this record was not taken by the township server: see Needs attention",
            ),
            PENDING_BADGE: QCoreApplication.translate(
                "BadgedTableModel", "Changes to this record wait to be sent"
            ),
        }

    def load_badges(self, ids: list[str]) -> dict[str, str]:
        with self.ledger.read() as session:
            states = repositories.outbox_states(session, ids)
        return {
            record_id: NEEDS_PERSON_BADGE if found & set(NEEDS_PERSON) else PENDING_BADGE
            for record_id, found in states.items()
        }

    def load_extras(self, rows: Sequence[R]) -> dict[str, str]:
        return self.load_badges([r.id for r in rows])

    def rows_changed(self, rows: Sequence[R], extras: dict[str, str]) -> None:
        for row in rows:
            self.badges.pop(row.id, None)
        self.badges.update(extras)

    def reset(self) -> None:
        self.badges = {}
        super().reset()

    def refresh_badges(self) -> None:
        """Badges again for every row fetched so far (after a sync or a save), one query per 500 rows."""
        self.drop_read_ahead()
        rows = self.rows()
        if not rows:
            return
        self.badges = self.load_badges([r.id for r in rows])
        self.dataChanged.emit(self.index(0, self.badge_column), self.index(len(rows) - 1, self.badge_column))

    def badge(self, row: R) -> str:
        return self.badge_text.get(self.badges.get(row.id, ""), "")

    def decorate(self, row: R, column: int, role: int) -> Any:
        badge = self.badges.get(row.id) if column == self.badge_column else None
        if badge is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return BADGE_COLOURS[badge]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.badge_tip[badge]
        return None


class HouseholdTableModel(BadgedTableModel[HouseholdRow]):
    spec = repositories.HOUSEHOLDS
    sort_columns: ClassVar[Mapping[int, str]] = {0: "number", 3: "address"}
    column_chars: ClassVar[Mapping[int, int]] = {0: 21, 1: 8, 2: 6, 4: 14, 5: 8}
    badge_column = 5

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.headers = (
            self.tr("Household no."), self.tr("Head"), self.tr("Members"), self.tr("Address"), self.tr("Tags"),
            self.tr("Sync"),
        )  # fmt: skip
        self.badge_tip = {
            NEEDS_PERSON_BADGE: self.tr(
                "A change to this household or a member was not taken by the township server: see Needs attention"
            ),
            PENDING_BADGE: self.tr("Changes to this household or its members wait to be sent"),
        }

    def load_badges(self, ids: list[str]) -> dict[str, str]:
        with self.ledger.read() as session:
            return household_badges(session, ids)

    def display(self, row: HouseholdRow, column: int) -> Any:
        if column == self.badge_column:
            return self.badge(row)
        if column == 4:
            return tag_labels(row.tags)
        return (row.number, row.head_name, row.members, row.address)[column]


class PersonTableModel(BadgedTableModel[PersonRow]):
    spec = repositories.PEOPLE
    sort_columns: ClassVar[Mapping[int, str]] = {0: "name", 1: "sex", 2: "birth_date", 7: "residence_class"}
    column_chars: ClassVar[Mapping[int, int]] = {0: 8, 1: 6, 2: 12, 3: 20, 4: 9, 5: 21, 6: 13, 7: 9, 9: 8}
    badge_column = 9

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.headers = (
            self.tr("Name"), self.tr("Sex"), self.tr("Birth date"), self.tr("ID number"),
            self.tr("Relation to head"), self.tr("Household no."), self.tr("Phone"), self.tr("Residence class"),
            self.tr("Tags"), self.tr("Sync"),
        )  # fmt: skip

    def display(self, row: PersonRow, column: int) -> Any:
        if column == 0:
            return row.name
        if column == 1:
            return code_label("Sex", row.sex)
        if column == 2:
            return row.birth_date.isoformat() if row.birth_date else ""
        if column == 3:
            return mask_id_number(row.id_number)
        if column == 4:
            return code_label("Relation", row.relation)
        if column == 5:
            return row.household_number
        if column == 6:
            return mask_phone(row.phone)
        if column == 7:
            return code_label("ResidenceClass", row.residence_class)
        if column == 8:
            return tag_labels(row.tags)
        return self.badge(row)


class PlaceTableModel(RecordTableModel[PlaceRow]):
    spec = repositories.PLACES
    sort_columns: ClassVar[Mapping[int, str]] = {0: "name", 1: "kind", 2: "address"}
    column_chars: ClassVar[Mapping[int, int]] = {0: 30, 1: 12, 3: 12, 4: 6}

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.headers = (
            self.tr("Name"), self.tr("Kind"), self.tr("Address"), self.tr("Owner / person in charge"),
            self.tr("Tenants"),
        )  # fmt: skip

    def display(self, row: PlaceRow, column: int) -> Any:
        if column == 1:
            return code_label("PlaceKind", row.kind)
        return (row.name, row.kind, row.address, row.owner, row.tenants)[column]


class OrganisationTableModel(RecordTableModel[OrganisationRow]):
    spec = repositories.ORGANISATIONS
    sort_columns: ClassVar[Mapping[int, str]] = {0: "name", 1: "kind"}
    column_chars: ClassVar[Mapping[int, int]] = {1: 16, 2: 8, 3: 6}

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.headers = (self.tr("Name"), self.tr("Kind"), self.tr("Person in charge"), self.tr("Members"))

    def display(self, row: OrganisationRow, column: int) -> Any:
        if column == 1:
            return code_label("OrgKind", row.kind)
        return (row.name, row.kind, row.leader, row.members)[column]
