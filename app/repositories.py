"""Read paths for views: the grid tree with counts, and pages of households by keyset.

Views never load ORM objects by the thousand: they ask for one page of plain rows at a time, sorted in SQL,
continuing after the last row they have (``WHERE (number, id) > (?, ?)``), so a page costs the same at row
100,000 as at row 1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.orm import Session, aliased

from app.models import GridNode, Household, Person


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


@dataclass(frozen=True)
class HouseholdRow:
    id: str
    number: str
    head_name: str
    members: int
    address: str
    phone: str
    tags: tuple[str, ...]
    grid_id: str | None


HouseholdKey = tuple[str, str]
"""Keyset position of a household row: (number, id)."""


def household_page(
    session: Session, grid_ids: Sequence[str], after: HouseholdKey | None = None, limit: int = 200
) -> list[HouseholdRow]:
    """The next ``limit`` households of the given grids by 户号, after the row at ``after``."""
    head = aliased(Person)
    members = (
        select(func.count())
        .where(Person.household_id == Household.id, Person.deleted.is_(False))
        .correlate(Household)
        .scalar_subquery()
    )
    query = (
        select(
            Household.id,
            Household.number,
            func.coalesce(head.name, ""),
            members,
            Household.address,
            Household.phone,
            Household.tags,
            Household.grid_id,
        )
        .outerjoin(head, head.id == Household.head_id)
        .where(Household.deleted.is_(False), Household.grid_id.in_(grid_ids))
        .order_by(Household.number, Household.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(
            tuple_(Household.number, Household.id) > tuple_(literal(after[0]), literal(after[1]))
        )
    return [
        HouseholdRow(r[0], r[1], r[2], r[3], r[4], r[5], tuple(r[6] or ()), r[7])
        for r in session.execute(query).all()
    ]


def _count_by_grid(session: Session, model: type[Household] | type[Person]) -> dict[str | None, int]:
    """Live records of ``model`` per grid."""
    counts: dict[str | None, int] = defaultdict(int)
    query = select(model.grid_id, func.count()).where(model.deleted.is_(False)).group_by(model.grid_id)
    for grid_id, n in session.execute(query).all():
        counts[grid_id] = n
    return counts
