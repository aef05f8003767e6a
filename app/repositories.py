"""Read paths for views: the grid tree with counts, and pages of households, people, places and organisations.

Views never load ORM objects by the thousand: they ask for one page of plain rows at a time, sorted and filtered
in SQL, continuing after the last row they have (``WHERE (sort value, id) > (?, ?)``), so a page costs the same at
row 100,000 as at row 1; after a save they read back just the rows that changed (``list_rows``).
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, NamedTuple, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from app import codes
from app.models import (
    GridNode,
    Household,
    Membership,
    Organisation,
    OutboxOp,
    Person,
    Place,
    SearchKey,
    Tenancy,
)


@dataclass
class GridRow:
    """A node of the grid tree with the households and people in it (its whole subtree for inner nodes)."""

    id: str
    parent_id: str | None
    code: str
    name: str
    kind: str
    level: int
    urban: bool
    households: int = 0
    people: int = 0
    children: list[GridRow] = field(default_factory=list)

    def leaf_ids(self) -> list[str]:
        """The ids of this node and every node below it."""
        out = [self.id]
        for child in self.children:
            out.extend(child.leaf_ids())
        return out


def grid_tree(session: Session) -> list[GridRow]:
    """The grid tree's roots (townships and street offices), children sorted by code, with counts summed up."""
    rows = session.execute(
        select(
            GridNode.id,
            GridNode.parent_id,
            GridNode.code,
            GridNode.name,
            GridNode.kind,
            GridNode.level,
            GridNode.urban,
        )
        .where(GridNode.deleted.is_(False))
        .order_by(GridNode.code)
    ).all()
    nodes = {r.id: GridRow(*r) for r in rows}
    households = _count_by_grid(session, Household)
    people = _count_by_grid(session, Person)
    roots: list[GridRow] = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id else None
        (parent.children if parent else roots).append(node)

    def total(node: GridRow) -> None:
        node.households = households.get(node.id, 0)
        node.people = people.get(node.id, 0)
        for child in node.children:
            total(child)
            node.households += child.households
            node.people += child.people

    for root in roots:
        total(root)
    return roots


# -- paged lists ---------------------------------------------------------------------------------------------

SortKey = tuple[Any, str]
"""Keyset position of a list row: (its sort value, its id), exactly as SQL orders them."""

SMALL_SET = 4000
"""Up to this many live records in the chosen grids (or matching the filter), a page is read through the grid
(or filter) index and sorted, which is cheap; beyond it, by walking the sort order's index and skipping the rest
(a page then reads a few hundred rows, not all of them). The break-even is about sqrt(page size × all rows)."""


@dataclass(frozen=True)
class ListQuery:
    """What a list shows: the records of some grids (None: every grid), matching a filter text, in one order."""

    grid_ids: tuple[str, ...] | None = None
    text: str = ""
    sort: str = ""
    """One of the list's sort names; empty for its default order."""
    descending: bool = False


class HouseholdRow(NamedTuple):
    """A row of a list (this and the three below). Named tuples: a list keeps them as plain tuples, which the
    garbage collector stops walking, so 100,000 rows fetched cost its full passes nothing."""

    id: str
    number: str
    head_name: str
    members: int
    address: str
    phone: str
    tags: tuple[str, ...]
    grid_id: str | None
    key: SortKey = ("", "")


class PersonRow(NamedTuple):
    id: str
    name: str
    sex: str
    birth_date: date | None
    id_number: str | None
    relation: str
    household_id: str | None
    household_number: str
    phone: str
    residence_class: str
    tags: tuple[str, ...]
    grid_id: str | None
    key: SortKey = ("", "")


class PlaceRow(NamedTuple):
    id: str
    name: str
    kind: str
    address: str
    owner: str
    tenants: int
    grid_id: str | None
    key: SortKey = ("", "")


class OrganisationRow(NamedTuple):
    id: str
    name: str
    kind: str
    leader: str
    members: int
    grid_id: str | None
    key: SortKey = ("", "")


AnyRow = TypeVar("AnyRow", HouseholdRow, PersonRow, PlaceRow, OrganisationRow)


@dataclass(frozen=True)
class RecordList(Generic[AnyRow]):
    """One kind of paged list: its model, its columns, the orders it can be sorted in and how text filters it.

    ``sorts`` maps a sort name to the SQL expression sorted on; each has an index on (expression, id) (migration
    0004), so a page in any order, either direction, is an index range read. The first is the default.
    """

    kind: str
    model: type[Household] | type[Person] | type[Place] | type[Organisation]
    columns: Callable[[], Select[Any]]
    sorts: Mapping[str, Callable[[], SQLColumnExpression[Any]]]
    matches: Callable[[str], ColumnElement[bool] | None]
    make: Callable[[Sequence[Any], SortKey], AnyRow]
    few_matches: Callable[[Session, str], bool] = lambda _session, _text: False
    """Whether a filter text matches so few records (at most ``SMALL_SET``) that reading them all through the
    filter's own index and sorting them beats walking the sort order's index."""


def _contains(column: SQLColumnExpression[str], text: str) -> ColumnElement[bool]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


def _tag_codes(text: str) -> list[str]:
    """Household tag codes whose name contains ``text`` (低保 → dibao), and ``text`` itself."""
    found = [c.code for c in codes.table("HouseholdTag").codes if text in c.name]
    return [*found, text]


def _has_tag(column: SQLColumnExpression[Any], text: str) -> ColumnElement[bool]:
    """A JSON list of tags holding a tag (code or name) equal to one matching ``text``; stored either way."""
    stored = type_coerce(column, String)
    options = []
    for tag in _tag_codes(text):
        for form in {json.dumps(tag), json.dumps(tag, ensure_ascii=False)}:
            options.append(_contains(stored, form))
    return or_(*options)


def _key_ranges(text: str) -> list[ColumnElement[bool]]:
    """The search-key ranges a text is looked up by (name part, pinyin, initials, ID-number tail)."""
    from app.search import TOP, plan  # the search module registers the person indexer on import

    return [and_(SearchKey.key >= p, SearchKey.key < p + TOP) for p, _how in plan(text)]


def _name_keys(text: str) -> ColumnElement[bool] | None:
    """People whose name, pinyin or ID-number tail matches ``text`` (the search keys: an index range each)."""
    ranges = [Person.id.in_(select(SearchKey.person_id).where(r)) for r in _key_ranges(text)]
    return or_(*ranges) if ranges else None


def _known_tag(text: str) -> bool:
    return any(text in c.name for c in codes.table("HouseholdTag").codes)


def _household_columns() -> Select[Any]:
    head = aliased(Person)
    members = (
        select(func.count())
        .where(Person.household_id == Household.id, Person.deleted.is_(False))
        .correlate(Household)
        .scalar_subquery()
    )
    return select(
        Household.id,
        Household.number,
        func.coalesce(head.name, ""),
        members,
        Household.address,
        Household.phone,
        Household.tags,
        Household.grid_id,
    ).outerjoin(head, head.id == Household.head_id)


def _household_matches(text: str) -> ColumnElement[bool] | None:
    heads = _name_keys(text)
    found = [
        _contains(Household.number, text),
        _contains(Household.address, text),
        _has_tag(Household.tags, text),
    ]
    if heads is not None:
        found.append(Household.head_id.in_(select(Person.id).where(heads)))
    return or_(*found)


def _person_columns() -> Select[Any]:
    return select(
        Person.id,
        Person.name,
        Person.sex,
        Person.birth_date,
        Person.id_number,
        Person.relation,
        Person.household_id,
        func.coalesce(Household.number, ""),
        Person.phone,
        Person.residence_class,
        Person.tags,
        Person.grid_id,
    ).outerjoin(Household, Household.id == Person.household_id)


def _person_matches(text: str) -> ColumnElement[bool] | None:
    """Name, pinyin, initials or ID tail through the search keys; tags only for a text naming a known tag (a tag
    is checked row by row, so an ordinary name filter must not pay for it)."""
    names = _name_keys(text)
    if not _known_tag(text):
        return names
    tags = _has_tag(Person.tags, text)
    return tags if names is None else or_(names, tags)


def _few_people(session: Session, text: str) -> bool:
    if _known_tag(text):
        return False
    found = 0
    for key_range in _key_ranges(text):
        probe = select(literal(1)).where(key_range).limit(SMALL_SET)
        found += session.scalar(select(func.count()).select_from(probe.subquery())) or 0
    return found < SMALL_SET


def _place_columns() -> Select[Any]:
    owner = aliased(Person)
    tenants = (
        select(func.count())
        .where(
            Tenancy.place_id == Place.id,
            Tenancy.deleted.is_(False),
            or_(Tenancy.end_on.is_(None), Tenancy.end_on >= func.date("now", "localtime")),
        )
        .correlate(Place)
        .scalar_subquery()
    )
    owner_name = case((Place.owner_name != "", Place.owner_name), else_=func.coalesce(owner.name, ""))
    return select(
        Place.id, Place.name, Place.kind, Place.address, owner_name, tenants, Place.grid_id
    ).outerjoin(owner, owner.id == Place.owner_id)


def _place_matches(text: str) -> ColumnElement[bool] | None:
    kinds = [c.code for c in codes.table("PlaceKind").codes if text in c.name]
    return or_(
        _contains(Place.name, text),
        _contains(Place.address, text),
        _contains(Place.owner_name, text),
        Place.kind.in_(kinds),
    )


def _organisation_columns() -> Select[Any]:
    members = (
        select(func.count())
        .where(Membership.organisation_id == Organisation.id, Membership.deleted.is_(False))
        .correlate(Organisation)
        .scalar_subquery()
    )
    return select(
        Organisation.id,
        Organisation.name,
        Organisation.kind,
        Organisation.leader_name,
        members,
        Organisation.grid_id,
    )


def _organisation_matches(text: str) -> ColumnElement[bool] | None:
    kinds = [c.code for c in codes.table("OrgKind").codes if text in c.name]
    return or_(
        _contains(Organisation.name, text),
        _contains(Organisation.leader_name, text),
        Organisation.kind.in_(kinds),
    )


def _birth_sort() -> SQLColumnExpression[Any]:
    # The very expression of index ix_person_birth_sort: people without a birth date sort first, and keyset
    # comparisons never meet NULL.
    return type_coerce(func.ifnull(Person.birth_date, literal_column("''")), String)


HOUSEHOLDS: RecordList[HouseholdRow] = RecordList(
    "household",
    Household,
    _household_columns,
    {"number": lambda: Household.number, "address": lambda: Household.address},
    _household_matches,
    lambda r, key: HouseholdRow(r[0], r[1], r[2], r[3], r[4], r[5], tuple(r[6] or ()), r[7], key),
)
PEOPLE: RecordList[PersonRow] = RecordList(
    "person",
    Person,
    _person_columns,
    {
        "name": lambda: Person.name,
        "sex": lambda: Person.sex,
        "birth_date": _birth_sort,
        "residence_class": lambda: Person.residence_class,
    },
    _person_matches,
    lambda r, key: PersonRow(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], tuple(r[10] or ()), r[11], key
    ),
    _few_people,
)
PLACES: RecordList[PlaceRow] = RecordList(
    "place",
    Place,
    _place_columns,
    {"name": lambda: Place.name, "kind": lambda: Place.kind, "address": lambda: Place.address},
    _place_matches,
    lambda r, key: PlaceRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], key),
)
ORGANISATIONS: RecordList[OrganisationRow] = RecordList(
    "organisation",
    Organisation,
    _organisation_columns,
    {"name": lambda: Organisation.name, "kind": lambda: Organisation.kind},
    _organisation_matches,
    lambda r, key: OrganisationRow(r[0], r[1], r[2], r[3], r[4], r[5], key),
)
LISTS: dict[str, RecordList[Any]] = {r.kind: r for r in (HOUSEHOLDS, PEOPLE, PLACES, ORGANISATIONS)}
"""Every paged list by record kind (household, person, place, organisation)."""


def _sort_of(spec: RecordList[Any], query: ListQuery) -> SQLColumnExpression[Any]:
    make = spec.sorts.get(query.sort) or next(iter(spec.sorts.values()))
    return make()


@dataclass(frozen=True)
class ListPlan:
    """How SQLite is to read a list's pages: whether its grids hold few records (read through the grid index)
    and whether its filter text matches few (read through the filter's index and sorted). Both are probes of up
    to ``SMALL_SET`` rows, decided once for a list and kept for its pages: a stale plan reads the same rows, only
    perhaps slower."""

    few_in_grids: bool
    few_matches: bool


def list_plan(session: Session, spec: RecordList[Any], query: ListQuery) -> ListPlan:
    """The plan for paging through the list of ``query``."""
    text = normalise_text(query.text)
    few_matches = bool(text) and spec.matches(text) is not None and spec.few_matches(session, text)
    grid_ids = query.grid_ids
    few_in_grids = True
    if grid_ids and not few_matches:
        model = spec.model
        probe = (
            select(literal(1))
            .where(one_of(model.grid_id, grid_ids), model.deleted.is_(False))
            .limit(SMALL_SET)
        )
        few_in_grids = (session.scalar(select(func.count()).select_from(probe.subquery())) or 0) < SMALL_SET
    return ListPlan(few_in_grids, few_matches)


def _grid_clause(spec: RecordList[Any], grid_ids: tuple[str, ...] | None, *, by_index: bool) -> Any:
    """Only the records of ``grid_ids``: through the grid index, or else checked row by row."""
    model = spec.model
    if grid_ids is None:
        return None
    if not grid_ids:
        return false()
    # ``grid_id || ''`` keeps SQLite off the grid index, so it walks the sort index and stops after a page.
    return one_of(model.grid_id if by_index else model.grid_id + "", grid_ids)


def one_of(column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    """``column IN values``, the values sent as one JSON array: a township's list has over a hundred grids and a
    page 200 ids, and a statement with a parameter each cost SQLAlchemy 3-5 ms a page to key and bind."""
    return cast(ColumnElement[bool], column.in_(json_values(literal(json.dumps(list(values))))))


def json_values(array: Any) -> Select[Any]:
    """``SELECT value FROM json_each(array)``: the values of a JSON array bound as one parameter, for an ``IN``."""
    return select(func.json_each(array).table_valued("value").c.value)


def _list_select(
    spec: RecordList[Any], query: ListQuery, plan: ListPlan | None
) -> tuple[Select[Any], Any, Any]:
    """The list's select (the sort value as its last column), the sort expression, and what to order by; with no
    plan (reading rows by id), through the grid index."""
    model = spec.model
    sort = _sort_of(spec, query)
    order = sort
    stmt = spec.columns().add_columns(sort).where(model.deleted.is_(False))
    text = normalise_text(query.text)
    matched = spec.matches(text) if text else None
    if matched is not None:
        stmt = stmt.where(matched)
        if plan is not None and plan.few_matches:
            # ``sort || ''`` orders the same but keeps SQLite off the sort index: it reads the few matches
            # through the filter's index and sorts them.
            order = sort + ""
    grids = _grid_clause(spec, query.grid_ids, by_index=plan is None or plan.few_matches or plan.few_in_grids)
    if grids is not None:
        stmt = stmt.where(grids)
    return stmt, sort, order


def _rows(session: Session, spec: RecordList[AnyRow], stmt: Select[Any]) -> list[AnyRow]:
    out = []
    for r in session.execute(stmt).all():
        out.append(spec.make(tuple(r[:-1]), (r[-1], r[0])))
    return out


def list_page(
    session: Session,
    spec: RecordList[AnyRow],
    query: ListQuery,
    after: SortKey | None = None,
    limit: int = 200,
    plan: ListPlan | None = None,
) -> list[AnyRow]:
    """The next ``limit`` rows of a list in the query's order, after the row at ``after`` (keyset paging), read
    as ``plan`` says (``list_plan``'s, made here if not given: a caller paging on keeps the first)."""
    stmt, sort, order = _list_select(spec, query, plan or list_plan(session, spec, query))
    model = spec.model
    if query.descending:
        stmt = stmt.order_by(order.desc(), model.id.desc())
    else:
        stmt = stmt.order_by(order.asc(), model.id.asc())
    if after is not None:
        stmt = stmt.where(_after(sort, model.id, after, query.descending))
    return _rows(session, spec, stmt.limit(limit))


def _after(sort: Any, id_: Any, after: SortKey, descending: bool) -> ColumnElement[bool]:
    """Rows past ``after`` in the list's order, written so SQLite reads them as one range of the sort index.

    A row value ``(sort, id) > (?, ?)`` is a range of an index on plain columns; SQLite does not take it as a range
    of an index on an expression (the birth date's ``ifnull``), so there it is split: a range on the sort value,
    then the tie on the id (few rows share a birth date).
    """
    value, last_id = literal(after[0]), literal(after[1])
    if isinstance(sort, InstrumentedAttribute):
        position = tuple_(sort, id_)
        bound = tuple_(value, last_id)
        return position < bound if descending else position > bound
    if descending:
        return and_(sort <= value, or_(sort < value, id_ < last_id))
    return and_(sort >= value, or_(sort > value, id_ > last_id))


def list_rows(
    session: Session, spec: RecordList[AnyRow], query: ListQuery, ids: Sequence[str]
) -> list[AnyRow]:
    """Those of ``ids`` that belong in the list now (in its grids, matching its filter, not deleted), read again."""
    stmt, _sort, _order = _list_select(spec, query, None)
    out: list[AnyRow] = []
    for start in range(0, len(ids), 500):
        out.extend(_rows(session, spec, stmt.where(spec.model.id.in_(list(ids[start : start + 500])))))
    return out


def normalise_text(text: str) -> str:
    """A filter text as matched: full-width forms folded, spaces removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def household_page(
    session: Session, grid_ids: Sequence[str], after: tuple[str, str] | None = None, limit: int = 200
) -> list[HouseholdRow]:
    """The next ``limit`` households of the given grids by 户号, after the row at ``after`` (number, id)."""
    return list_page(session, HOUSEHOLDS, ListQuery(tuple(grid_ids)), after, limit)


def outbox_states(session: Session, record_ids: Sequence[str]) -> dict[str, set[str]]:
    """Record id → the states of its outbox operations still waiting (to go, or for a person); others left out."""
    found: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(record_ids), 500):
        chunk = json.dumps(list(record_ids[start : start + 500]))
        for record_id, state in session.execute(_WAITING_OPS, {"ids": chunk}).all():
            found[record_id].add(state)
    return dict(found)


_WAITING_OPS = select(OutboxOp.record_id, OutboxOp.state).where(
    OutboxOp.record_id.in_(json_values(bindparam("ids"))),
    # ``state || ''`` keeps SQLite on the record-id index rather than walking every pending operation.
    (OutboxOp.state + "").in_(("pending", "conflict", "rejected")),
)
"""Built once, the ids bound as one JSON array: a list's page asks for its 200 rows' badges on every scroll past
it, and an ``in_`` of a list coerces, keys and binds each id anew (half the cost of the read)."""


def _count_by_grid(session: Session, model: type[Household] | type[Person]) -> dict[str | None, int]:
    """Live records of ``model`` per grid, from the partial index of live records by grid alone (``deleted = 0``
    in those words: SQLite matches a partial index by its condition's text)."""
    counts: dict[str | None, int] = defaultdict(int)
    query = select(model.grid_id, func.count()).where(not_(model.deleted)).group_by(model.grid_id)
    for grid_id, n in session.execute(query).all():
        counts[grid_id] = n
    return counts


def household_member_ids(session: Session, household_id: str) -> list[str]:
    """The live members of a household."""
    query = select(Person.id).where(Person.household_id == household_id, Person.deleted.is_(False))
    return list(session.scalars(query))


def household_of(session: Session, person_id: str) -> str | None:
    """The household a person belongs to (None for none, or no such person)."""
    return session.scalar(select(Person.household_id).where(Person.id == person_id))
