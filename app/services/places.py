"""Places and things (地、物) — rental housing and tenants, complex places, service points — and organisations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contact import validate_phone
from app.errors import ValidationError
from app.models import GridNode, Membership, Organisation, Person, Place, Tenancy
from app.services.common import grid_leaf, live, require_text
from app.writer import WriteTx


def _clean_phone(values: dict[str, Any], record: str) -> None:
    if values.get("phone"):
        values["phone"] = validate_phone(str(values["phone"]), record=record).number


def register_place(tx: WriteTx, *, grid_id: str, kind: str, name: str, **values: Any) -> Place:
    record = f"场所“{name}”"
    values["name"] = require_text(Place, "name", name, record)
    _clean_phone(values, record)
    if values.get("owner_id"):
        owner = live(tx, Person, values["owner_id"], "owner_id", record)
        values.setdefault("owner_name", owner.name)
    return tx.create(Place(grid_id=grid_leaf(tx, grid_id, record).id, kind=kind, **values))


def update_place(tx: WriteTx, place: Place, **values: Any) -> Place:
    record = f"场所“{place.name}”"
    if "name" in values:
        values["name"] = require_text(Place, "name", values["name"], record)
    _clean_phone(values, record)
    tx.update(place, **values)
    return place


def add_tenant(tx: WriteTx, place: Place, person: Person, start_on: date | None = None) -> Tenancy:
    """Record a tenant (承租人) of rental housing."""
    if place.kind != "rental":
        raise ValidationError(
            "place_id", "出租屋", f"“{place.name}”不是出租屋，不能登记承租人。", f"人员“{person.name}”"
        )
    return tx.create(
        Tenancy(place_id=place.id, person_id=person.id, start_on=start_on, grid_id=place.grid_id)
    )


def end_tenancy(tx: WriteTx, tenancy: Tenancy, end_on: date) -> None:
    if tenancy.start_on and end_on < tenancy.start_on:
        raise ValidationError("end_on", "退租日期", "不能早于起租日期。", "承租记录")
    tx.update(tenancy, end_on=end_on)


def _clean_credit_code(value: Any, record: str) -> str:
    code = str(value or "").strip().upper()
    if code and len(code) != 18:
        raise ValidationError(
            "credit_code", "统一社会信用代码", f"应为 18 位，现在是 {len(code)} 位。", record
        )
    return code


def register_organisation(tx: WriteTx, *, grid_id: str, kind: str, name: str, **values: Any) -> Organisation:
    """Register an organisation (7+1 village organisation, 两新组织 or social organisation)."""
    record = f"组织“{name}”"
    values["name"] = require_text(Organisation, "name", name, record)
    _clean_phone(values, record)
    values["credit_code"] = _clean_credit_code(values.get("credit_code"), record)
    # 7+1 organisations belong to a village, 两新组织 to a grid: any node of the tree will do.
    node = live(tx, GridNode, grid_id, "grid_id", record)
    return tx.create(Organisation(grid_id=node.id, kind=kind, **values))


def update_organisation(tx: WriteTx, organisation: Organisation, **values: Any) -> Organisation:
    record = f"组织“{organisation.name}”"
    if "name" in values:
        values["name"] = require_text(Organisation, "name", values["name"], record)
    if "credit_code" in values:
        values["credit_code"] = _clean_credit_code(values["credit_code"], record)
    _clean_phone(values, record)
    tx.update(organisation, **values)
    return organisation


def add_member(tx: WriteTx, organisation: Organisation, person: Person, role: str = "成员") -> Membership:
    return tx.create(
        Membership(
            organisation_id=organisation.id, person_id=person.id, role=role, grid_id=organisation.grid_id
        )
    )


def remove_member(tx: WriteTx, membership: Membership) -> None:
    tx.delete(membership)


# -- what the place and organisation editors offer and list -------------------------------------------------
# (Reads only: the constants and the rows' ``of_…`` constructors; a role change is ``tx.update(membership, role=…)``.)
COMPLEX_PLACE_CATEGORIES: tuple[str, ...] = (
    "网吧",
    "KTV",
    "歌舞厅",
    "宾馆",
    "洗浴中心",
    "棋牌室",
    "农家乐",
    "集贸市场",
    "建筑工地",
    "废品收购站",
    "加油站",
)
"""Usual kinds of complex places (复杂场所) offered when one is registered; any other text is allowed too."""

ORGANISATION_ROLES: dict[str, tuple[str, ...]] = {
    "village_rules": ("负责人", "监督员", "成员"),
    "red_white": ("会长", "副会长", "理事", "成员"),
    "council": ("召集人", "副召集人", "议事员", "成员"),
    "supervisory": ("主任", "副主任", "监事", "成员"),
    "mediation": ("主任", "副主任", "调解员", "成员"),
    "patrol": ("队长", "副队长", "队员", "成员"),
    "informants": ("组长", "副组长", "信息员", "成员"),
    "non_public_enterprise": ("负责人", "党组织书记", "联络员", "成员"),
    "social_org": ("会长", "队长", "负责人", "志愿者", "成员"),
}
"""The member roles (职务) of each kind of organisation (OrgKind code), the leader's first; "成员" is the default."""

OTHER_ORGANISATION_ROLES: tuple[str, ...] = ("负责人", "成员")
"""The roles offered for a kind of organisation not in ``ORGANISATION_ROLES``."""


@dataclass(frozen=True)
class TenantRow:
    """A tenancy of rental housing with what the tenants table shows of the tenant."""

    tenancy_id: str
    person_id: str
    name: str
    id_number: str | None
    phone: str
    start_on: date | None
    end_on: date | None

    @classmethod
    def of_place(cls, session: Session, place_id: str) -> list[TenantRow]:
        """The tenancies of ``place_id``: current ones first, then by start date."""
        rows = session.execute(
            select(
                Tenancy.id,
                Person.id,
                Person.name,
                Person.id_number,
                Person.phone,
                Tenancy.start_on,
                Tenancy.end_on,
            )
            .join(Person, Person.id == Tenancy.person_id)
            .where(Tenancy.place_id == place_id, Tenancy.live())
        ).all()
        found = [cls(*row) for row in rows]
        found.sort(key=lambda t: (t.end_on is not None, t.start_on or date.min, t.name))
        return found


@dataclass(frozen=True)
class MemberRow:
    """A membership of an organisation with what the members table shows of the member."""

    membership_id: str
    person_id: str
    name: str
    id_number: str | None
    phone: str
    role: str

    @classmethod
    def of_organisation(cls, session: Session, organisation: Organisation) -> list[MemberRow]:
        """The members of ``organisation``: by the order of its kind's roles (leader first), then by name."""
        rows = session.execute(
            select(Membership.id, Person.id, Person.name, Person.id_number, Person.phone, Membership.role)
            .join(Person, Person.id == Membership.person_id)
            .where(Membership.organisation_id == organisation.id, Membership.live())
        ).all()
        roles = ORGANISATION_ROLES.get(organisation.kind, OTHER_ORGANISATION_ROLES)
        order = {role: i for i, role in enumerate(roles)}
        found = [cls(*row) for row in rows]
        found.sort(key=lambda m: (order.get(m.role, len(order)), m.name))
        return found
