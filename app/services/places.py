"""Places and things (地、物) — rental housing and tenants, complex places, service points — and organisations."""

from __future__ import annotations

from datetime import date
from typing import Any

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


def register_organisation(tx: WriteTx, *, grid_id: str, kind: str, name: str, **values: Any) -> Organisation:
    """Register an organisation (7+1 village organisation, 两新组织 or social organisation)."""
    record = f"组织“{name}”"
    values["name"] = require_text(Organisation, "name", name, record)
    _clean_phone(values, record)
    code = str(values.get("credit_code") or "").strip().upper()
    if code and len(code) != 18:
        raise ValidationError(
            "credit_code", "统一社会信用代码", f"应为 18 位，现在是 {len(code)} 位。", record
        )
    values["credit_code"] = code
    # 7+1 organisations belong to a village, 两新组织 to a grid: any node of the tree will do.
    node = live(tx, GridNode, grid_id, "grid_id", record)
    return tx.create(Organisation(grid_id=node.id, kind=kind, **values))


def update_organisation(tx: WriteTx, organisation: Organisation, **values: Any) -> Organisation:
    _clean_phone(values, f"组织“{organisation.name}”")
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
