"""Households (户): registering with members, head and relations, moving members, splitting, merging, moving
between grids. Each structural change is kept in the household's history (HouseholdChange)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.ids import uuid7
from app.models import Household, HouseholdChange, Person, ResidenceDetail, SpecialGroupRecord
from app.services import Saved
from app.services.common import grid_leaf, live, require_text
from app.services.persons import register_people, register_person, update_person
from app.writer import WriteTx

HEAD = "02"
"""与户主关系 code of the head of household (户主, GB/T 4761)."""
OTHER = "80"
"""与户主关系 code used when a member's relation to a new head is not known yet (其他)."""


def _name(h: Household) -> str:
    return f"户“{h.number}”"


def members(tx: WriteTx, household: Household) -> list[Person]:
    query = select(Person).where(Person.household_id == household.id, Person.deleted.is_(False))
    return list(tx.session.scalars(query.order_by(Person.relation, Person.birth_date)))


def _history(tx: WriteTx, household: Household, kind: str, **detail: Any) -> None:
    tx.create(
        HouseholdChange(
            household_id=household.id,
            kind=kind,
            detail=detail,
            changed_on=tx.now.date(),
            grid_id=household.grid_id,
        )
    )


def next_household_number(session: Session, grid_code: str) -> str:
    """The next free 户号 of a grid: the grid code and a four-digit serial not used on this laptop.

    Only reads, so a form can suggest it from a read session; what makes a number unique is the save:
    ``register_household`` takes the number in its own write transaction (numbering the household itself when
    none is given) and refuses one another household already has."""
    count = session.scalar(
        select(func.count())
        .select_from(Household)
        .where(Household.number > grid_code, Household.number < grid_code + ":")
    )
    serial = (count or 0) + 1
    while session.scalar(select(Household.id).where(Household.number == f"{grid_code}{serial:04d}")):
        serial += 1
    return f"{grid_code}{serial:04d}"


def register_household(
    tx: WriteTx, *, grid_id: str, members: Sequence[dict[str, Any]] = (), **values: Any
) -> Saved[Household]:
    """Register a household and its members (the first member with relation 02 is the head).

    Members are Person field dicts; each joins the household's grid and takes its address unless given.
    """
    grid = grid_leaf(tx, grid_id, "新登记的户")
    number = str(values.pop("number", "") or "").strip() or next_household_number(tx.session, grid.code)
    if tx.session.scalar(
        select(Household.id).where(Household.number == number, Household.deleted.is_(False))
    ):
        raise ValidationError(
            "number", "户号", f"{number} 已被其他户使用，请换一个户号或留空自动编号。", f"户“{number}”"
        )
    heads = [m for m in members if m.get("relation") == HEAD]
    if members and len(heads) != 1:
        raise ValidationError(
            "relation",
            "与户主关系",
            f"一户应有且只有一位户主，现在有 {len(heads)} 位，请指定一位成员为户主。",
            f"户“{number}”",
        )
    rows = [
        {"id": uuid7(), "residence_address": values.get("address", "")}
        | dict(m)
        | {"grid_id": grid.id, "household_id": None}
        for m in sorted(members, key=lambda m: m.get("relation") != HEAD)
    ]
    head_id = rows[0]["id"] if rows else None
    household = tx.create(Household(number=number, grid_id=grid.id, head_id=head_id, **values))
    for row in rows:
        row["household_id"] = household.id
    saved = Saved(household)
    if rows:
        saved.warnings.extend(register_people(tx, rows).warnings)
    return saved


def update_household(tx: WriteTx, household: Household, **values: Any) -> Household:
    if "number" in values:
        values["number"] = require_text(Household, "number", values["number"], _name(household))
    if "grid_id" in values:
        raise ValidationError(
            "grid_id", "所属网格", "请用“迁移到其他网格”操作更换网格，以便记入户变动历史。", _name(household)
        )
    tx.update(household, **values)
    return household


def add_member(tx: WriteTx, household: Household, relation: str, **values: Any) -> Saved[Person]:
    """Register a new person as a member of ``household``."""
    if relation == HEAD:
        raise ValidationError(
            "relation", "与户主关系", "新成员不能直接设为户主，请先加入后再“设为户主”。", _name(household)
        )
    values = {"residence_address": household.address} | values
    saved = register_person(
        tx, grid_id=household.grid_id, household_id=household.id, relation=relation, **values
    )
    _history(tx, household, "member_in", person_id=saved.record.id, name=saved.record.name)
    return saved


def set_relation(tx: WriteTx, person: Person, relation: str) -> None:
    if relation == HEAD:
        raise ValidationError("relation", "与户主关系", "请用“设为户主”更换户主。", f"人员“{person.name}”")
    update_person(tx, person, relation=relation)


def set_head(tx: WriteTx, household: Household, person: Person, former_head_relation: str = OTHER) -> None:
    """Make ``person`` the head; the former head keeps ``former_head_relation`` to the new head."""
    if person.household_id != household.id:
        raise ValidationError(
            "head_id", "户主", f"“{person.name}”不是该户成员，请先迁入本户。", _name(household)
        )
    if household.head_id == person.id:
        return
    if household.head_id:
        former = live(tx, Person, household.head_id, "head_id", _name(household))
        tx.update(former, relation=former_head_relation)
    tx.update(person, relation=HEAD)
    old_head = household.head_id
    tx.update(household, head_id=person.id)
    _history(tx, household, "head_change", old_head=old_head, new_head=person.id)


def move_member(tx: WriteTx, person: Person, target: Household, relation: str) -> None:
    """Move ``person`` into ``target`` (another household) with their relation to its head."""
    if person.household_id == target.id:
        return
    source = live(tx, Household, person.household_id, "household_id") if person.household_id else None
    if source is not None and source.head_id == person.id and len(members(tx, source)) > 1:
        raise ValidationError(
            "head_id",
            "户主",
            f"“{person.name}”是户“{source.number}”的户主，请先为原户指定新户主再迁出。",
            f"人员“{person.name}”",
        )
    if relation == HEAD and target.head_id:
        raise ValidationError(
            "relation", "与户主关系", f"户“{target.number}”已有户主，请选择其他关系。", f"人员“{person.name}”"
        )
    update_person(tx, person, household_id=target.id, relation=relation, grid_id=target.grid_id)
    if relation == HEAD:
        tx.update(target, head_id=person.id)
    if source is not None:
        if source.head_id == person.id:
            tx.update(source, head_id=None)
        _history(tx, source, "member_out", person_id=person.id, name=person.name, to=target.id)
    _history(
        tx, target, "member_in", person_id=person.id, name=person.name, source=source.id if source else None
    )


def split_household(
    tx: WriteTx, household: Household, person_ids: Sequence[str], head_id: str, **values: Any
) -> Household:
    """Split ``person_ids`` off into a new household (分户) headed by ``head_id``."""
    group = {p.id: p for p in members(tx, household) if p.id in set(person_ids)}
    if len(group) != len(set(person_ids)) or head_id not in group:
        raise ValidationError(
            "members", "分户成员", "分出的成员须都是本户成员，且新户主在其中。", _name(household)
        )
    if len(group) == len(members(tx, household)):
        raise ValidationError(
            "members", "分户成员", "不能把全部成员分出，原户至少保留一人。", _name(household)
        )
    if household.head_id in group:
        raise ValidationError("members", "分户成员", "原户主不能分出，请先更换原户户主。", _name(household))
    fields = {"address": household.address, "group_name": household.group_name} | values
    new = register_household(tx, grid_id=household.grid_id or "", **fields).record
    for pid, person in group.items():
        update_person(tx, person, household_id=new.id, relation=HEAD if pid == head_id else OTHER)
    tx.update(new, head_id=head_id)
    _history(tx, household, "split", new_household=new.id, members=sorted(group))
    _history(tx, new, "split_from", source=household.id, members=sorted(group))
    return new


def merge_households(tx: WriteTx, keep: Household, absorb: Household) -> None:
    """Merge ``absorb`` into ``keep`` (合户): its members join ``keep`` and ``absorb`` is tombstoned."""
    if keep.id == absorb.id:
        raise ValidationError("household_id", "合并户", "不能与本户合并，请选择另一户。", _name(keep))
    moved = members(tx, absorb)
    for person in moved:
        update_person(tx, person, household_id=keep.id, relation=OTHER, grid_id=keep.grid_id)
    tx.update(absorb, head_id=None)
    _history(tx, keep, "merge", absorbed=absorb.id, members=[p.id for p in moved])
    _history(tx, absorb, "merged_into", into=keep.id, members=[p.id for p in moved])
    tx.delete(absorb)


def move_household(tx: WriteTx, household: Household, grid_id: str) -> None:
    """Move a household and its members to another grid (迁移网格), kept in history."""
    grid = grid_leaf(tx, grid_id, _name(household))
    if grid.id == household.grid_id:
        return
    old = household.grid_id
    tx.update(household, grid_id=grid.id)
    people = members(tx, household)
    # Everything that belongs to the household goes with it: its history, and its members' residence details
    # and special-group records (the new grid's laptops see them; the old grid's no longer do).
    belongings: list[Any] = list(
        tx.session.scalars(select(HouseholdChange).where(HouseholdChange.household_id == household.id))
    )
    ids = [p.id for p in people]
    for model in (ResidenceDetail, SpecialGroupRecord):
        belongings += tx.session.scalars(
            select(model).where(model.person_id.in_(ids), model.deleted.is_(False))
        )
    for record in [*people, *belongings]:
        tx.update(record, grid_id=grid.id)
    _history(tx, household, "move_grid", from_grid=old, to_grid=grid.id)


def delete_household(tx: WriteTx, household: Household) -> None:
    if members(tx, household):
        raise ValidationError("members", "户成员", "户内还有成员，请先迁出或删除成员。", _name(household))
    tx.delete(household)
