"""Errands (代办): registered at the villager's door, carried to the township, returned by the 2nd working day
after completion. The catalogue of items is township reference data."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.errors import ValidationError
from app.models import Errand, ErrandItem, ErrandStep, Person
from app.rules import errands as rules
from app.services.common import grid_leaf, live, require_text
from app.services.reference import load_calendar
from app.writer import WriteTx


def add_errand_item(
    tx: WriteTx, *, category: str, name: str, materials: list[str], **values: Any
) -> ErrandItem:
    record = f"代办事项“{name}”"
    return tx.create(
        ErrandItem(
            category=category,
            name=require_text(ErrandItem, "name", name, record),
            materials=materials,
            **values,
        )
    )


def register_errand(
    tx: WriteTx, *, grid_id: str, item_id: str, applicant_name: str = "", person_id: str | None = None,
    registered_on: date, **values: Any,
) -> Errand:  # fmt: skip
    """Register a villager's errand (登记). The applicant is a ledger person or, for a visitor, a name."""
    item = live(tx, ErrandItem, item_id, "item_id", "代办件")
    if person_id:
        applicant_name = applicant_name or live(tx, Person, person_id, "person_id", "代办件").name
    record = f"“{applicant_name or '?'}”的代办件（{item.name}）"
    applicant_name = require_text(Errand, "applicant_name", applicant_name, record)
    received = values.get("materials_received") or []
    unknown = [m for m in received if m not in item.materials]
    if unknown:
        raise ValidationError(
            "materials_received", "已收材料", f"“{'、'.join(unknown)}”不是该事项所需材料。", record
        )
    return tx.create(
        Errand(grid_id=grid_leaf(tx, grid_id, record).id, item_id=item.id, person_id=person_id,
               applicant_name=applicant_name, registered_on=registered_on, **values)
    )  # fmt: skip


def missing_materials(tx: WriteTx, errand: Errand) -> list[str]:
    item = live(tx, ErrandItem, errand.item_id, "item_id")
    return [m for m in item.materials if m not in errand.materials_received]


def act_on_errand(
    tx: WriteTx,
    errand: Errand,
    action: rules.ErrandAction | str,
    *,
    on: date,
    note: str = "",
    guidance: str = "",
    reason: str = "",
    evaluation: str = "",
    materials: list[str] | None = None,
) -> Errand:
    """Move an errand through its workflow; completion sets the return due date (2nd working day after)."""
    act = rules.ERRAND_LIFECYCLE.parse_action(action)
    new = rules.next_state(errand.state, act)
    record = f"“{errand.applicant_name}”的代办件"
    rules.check_guidance(act, guidance)
    rules.check_reason(act, reason)
    changes: dict[str, Any] = {"state": new.value}
    if materials is not None:
        changes["materials_received"] = materials
    if act in (rules.ErrandAction.RECEIVE, rules.ErrandAction.SEND):
        received = materials if materials is not None else errand.materials_received
        item = live(tx, ErrandItem, errand.item_id, "item_id", record)
        missing = [m for m in item.materials if m not in received]
        if missing:
            raise ValidationError(
                "materials_received",
                "已收材料",
                f"还缺“{'、'.join(missing)}”，请收齐或选择“通知补件”。",
                record,
            )
    if act is rules.ErrandAction.COMPLETE:
        due = rules.return_due(on, load_calendar(tx.session))
        changes |= {"completed_on": on, "return_due": due.day, "return_due_estimated": due.estimated}
    elif act is rules.ErrandAction.RETURN:
        changes["returned_on"] = on
    elif act is rules.ErrandAction.EVALUATE:
        if not evaluation:
            raise ValidationError(
                "evaluation", "评价", "请记录群众的评价（满意、基本满意或不满意）。", record
            )
        changes["evaluation"] = evaluation
    if guidance:
        changes["guidance"] = guidance
    if reason:
        changes["reason"] = reason
    old = errand.state
    tx.update(errand, **changes)
    tx.create(
        ErrandStep(errand_id=errand.id, action=act.value, from_state=old, to_state=new.value, acted_on=on, note=note,
                   grid_id=errand.grid_id)
    )  # fmt: skip
    return errand
