"""Registering and changing persons (人员): ID numbers checked and unique, phone numbers canonical."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.contact import validate_phone
from app.errors import DuplicateError, ValidationError
from app.idcard import parse_id_number
from app.ids import uuid7
from app.models import Household, Person, ResidenceDetail, SpecialGroupRecord
from app.services import Saved
from app.services.common import grid_leaf, live, require_text
from app.writer import WriteTx, field_label

RESIDENT_ID = "111"
"""居民身份证: the only ID type checked against GB 11643 and used to fill birth date and sex."""


def _record_name(values: dict[str, Any], current: Person | None) -> str:
    name = values.get("name") or (current.name if current else "")
    return f"人员“{name}”" if name else "人员"


def clean_person(
    tx: WriteTx, values: dict[str, Any], current: Person | None = None, *, check_duplicate: bool = True
) -> dict[str, Any]:
    """Validated, normalised field values for a new person or the changed fields of ``current``."""
    out = dict(values)
    record = _record_name(values, current)
    if "name" in out or current is None:
        out["name"] = require_text(Person, "name", out.get("name"), record)
    id_type = out.get("id_type", current.id_type if current else RESIDENT_ID)
    if "id_number" in out:
        raw = out["id_number"]
        if raw is None or not str(raw).strip():
            out["id_number"] = None
        elif id_type == RESIDENT_ID:
            info = parse_id_number(str(raw), field="id_number", label="身份证号", record=record)
            out["id_number"] = info.number
            for field, derived in (("birth_date", info.birth_date), ("sex", info.sex)):
                given = out.get(field)
                if given not in (None, "", derived):
                    raise ValidationError(
                        field,
                        field_label(Person, field),
                        f"与身份证号不一致（身份证号显示为 {_show(field, derived)}），请核对身份证号或改正此项。",
                        record,
                    )
                out[field] = derived
        else:
            out["id_number"] = require_text(Person, "id_number", raw, record)
        if out["id_number"] and check_duplicate:
            _refuse_duplicate_id(tx, out["id_number"], current, record)
    if out.get("phone"):
        out["phone"] = validate_phone(str(out["phone"]), record=record).number
    if out.get("household_id"):
        live(tx, Household, out["household_id"], "household_id", record)
        if not (out.get("relation") or (current.relation if current else "")):
            raise ValidationError("relation", "与户主关系", "加入户时必须选择与户主关系。", record)
    if "grid_id" in out or current is None:
        out["grid_id"] = grid_leaf(tx, out.get("grid_id"), record).id
    birth = out.get("birth_date")
    if isinstance(birth, date) and birth > tx.now.date():
        raise ValidationError("birth_date", "出生日期", f"{birth.isoformat()} 晚于今天，请核对。", record)
    return out


def _show(field: str, value: Any) -> str:
    if field == "sex":
        return {"1": "男", "2": "女"}.get(str(value), str(value))
    return value.isoformat() if isinstance(value, date) else str(value)


def _refuse_duplicate_id(tx: WriteTx, number: str, current: Person | None, record: str) -> None:
    query = select(Person.id, Person.name).where(Person.id_number == number, Person.live())
    for pid, name in tx.session.execute(query):
        if current is None or pid != current.id:
            raise DuplicateError(
                "id_number",
                "身份证号",
                f"{number} 已登记为“{name}”，同一证件号码不能登记两次。已为您打开该人员，请在原记录上修改。",
                existing_id=pid,
                record=record,
            )


def _namesake_warning(name: str, birth: date | None) -> str:
    return f"已有同名同出生日期的人员“{name}”（{birth}），请确认不是同一人。"


def similar_people(tx: WriteTx, name: str, birth: date | None, exclude: str | None = None) -> list[Person]:
    """Live persons with the same name and birth date (a warning, not an error: namesakes exist)."""
    if birth is None:
        return []
    query = select(Person).where(Person.name == name, Person.birth_date == birth, Person.deleted.is_(False))
    return [p for p in tx.session.scalars(query) if p.id != exclude]


def _similar_warning(tx: WriteTx, person: Person) -> list[str]:
    return [
        _namesake_warning(p.name, p.birth_date)
        for p in similar_people(tx, person.name, person.birth_date, exclude=person.id)
    ]


def register_person(tx: WriteTx, **values: Any) -> Saved[Person]:
    """Register a new person. ``values`` are Person fields; ``grid_id`` and ``name`` are required."""
    clean = clean_person(tx, values)
    person = tx.create(Person(**clean))
    return Saved(person, _similar_warning(tx, person))


def register_people(tx: WriteTx, rows: list[dict[str, Any]]) -> Saved[list[str]]:
    """Register several persons at once (a household's members): each checked as by ``register_person``, the
    same ID number twice in the batch refused, then written in one bulk insert. Returns their ids."""
    cleaned: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for row in rows:
        clean = clean_person(tx, {k: v for k, v in row.items() if k != "id"}, check_duplicate=False)
        number = clean.get("id_number")
        if number:
            if number in seen:
                raise ValidationError(
                    "id_number",
                    "身份证号",
                    f"{number} 与本次登记的“{seen[number]}”重复，请核对。",
                    _record_name(clean, None),
                )
            seen[number] = clean["name"]
        cleaned.append({"id": row.get("id") or uuid7()} | clean)
    if seen:  # one query for the whole batch
        existing = tx.session.execute(
            select(Person.id, Person.name, Person.id_number).where(Person.id_number.in_(seen), Person.live())
        ).first()
        if existing is not None:
            pid, name, number = existing
            raise DuplicateError(
                "id_number",
                "身份证号",
                f"{number} 已登记为“{name}”，同一证件号码不能登记两次。已为您打开该人员，请在原记录上修改。",
                existing_id=pid,
                record=f"人员“{seen[number]}”",
            )
    births = {(row["name"], row.get("birth_date")) for row in cleaned if row.get("birth_date")}
    namesakes = (
        tx.session.execute(
            select(Person.name, Person.birth_date).where(
                Person.name.in_({n for n, _ in births}), Person.live()
            )
        ).all()
        if births
        else []
    )
    ids = tx.create_many(Person, cleaned)
    warnings = [_namesake_warning(name, birth) for name, birth in namesakes if (name, birth) in births]
    return Saved(ids, warnings)


def update_person(tx: WriteTx, person: Person, **values: Any) -> Saved[Person]:
    """Change fields of a person; unchanged fields are not sent."""
    clean = clean_person(tx, values, person)
    tx.update(person, **clean)
    warnings = _similar_warning(tx, person) if {"name", "birth_date"} & clean.keys() else []
    return Saved(person, warnings)


def delete_person(tx: WriteTx, person: Person) -> None:
    """Tombstone a person and their detail records; a household head must be replaced first."""
    head_of = tx.session.scalar(
        select(Household).where(Household.head_id == person.id, Household.deleted.is_(False))
    )
    if head_of is not None:
        raise ValidationError(
            "head_id",
            "户主",
            f"“{person.name}”是户“{head_of.number}”的户主，请先更换户主再删除。",
            f"人员“{person.name}”",
        )
    for detail in tx.session.scalars(select(ResidenceDetail).where(ResidenceDetail.person_id == person.id)):
        tx.delete(detail)
    for group in tx.session.scalars(
        select(SpecialGroupRecord).where(SpecialGroupRecord.person_id == person.id)
    ):
        tx.delete(group)
    tx.delete(person)


RESIDENCE_FIELDS: dict[str, dict[str, str | None]] = {
    # 流动人口
    "2": {"inflow_cause": "InflowCause", "certificate_type": "CertificationType", "certificate_number": None,
          "certificate_expiry": None, "domicile_type": "DomicileType", "registered_on": None},
    # 境外人员
    "3": {"foreign_surname": None, "foreign_given_name": None, "nationality": None,
          "purpose": "ComingToChinaPurpose", "arrived_on": None, "leaving_on": None},
    # 未落户人员
    "4": {"reason": None, "certificate": None},
}  # fmt: skip
"""The own fields of each residence class (人口类别), with their code table where the value is a code."""


def set_residence_detail(tx: WriteTx, person: Person, fields: dict[str, Any]) -> ResidenceDetail:
    """Record the residence class's own fields for ``person`` (流动/境外/未落户)."""
    from app import codes

    record = f"人员“{person.name}”"
    allowed = RESIDENCE_FIELDS.get(person.residence_class)
    if allowed is None:
        raise ValidationError("residence_class", "人口类别", "户籍人口没有附加的类别信息。", record)
    for key, value in fields.items():
        if key not in allowed:
            raise ValidationError(key, key, "不是该人口类别的信息项。", record)
        table = allowed[key]
        if table and value and str(value) not in codes.table(table):
            raise ValidationError(
                key, codes.table(table).title, f"代码“{value}”无效，请从列表中选择。", record
            )
    existing = tx.session.scalar(
        select(ResidenceDetail).where(
            ResidenceDetail.person_id == person.id, ResidenceDetail.deleted.is_(False)
        )
    )
    if existing is None:
        return tx.create(
            ResidenceDetail(
                person_id=person.id,
                residence_class=person.residence_class,
                fields=fields,
                grid_id=person.grid_id,
            )
        )
    tx.update(existing, residence_class=person.residence_class, fields=fields)
    return existing


def add_special_group(tx: WriteTx, person: Person, group_code: str, **values: Any) -> SpecialGroupRecord:
    """Add a special-group detail record (sensitive) for ``person``."""
    return tx.create(
        SpecialGroupRecord(person_id=person.id, group_code=group_code, grid_id=person.grid_id, **values)
    )


def update_special_group(tx: WriteTx, record: SpecialGroupRecord, **values: Any) -> SpecialGroupRecord:
    """Change a special-group detail record (group, concern level, help situation, details)."""
    unknown = set(values) - {"group_code", "concern_level", "help_situation", "fields"}
    if unknown:
        raise TypeError(f"special-group records have no fields {sorted(unknown)}")
    tx.update(record, **values)
    return record
