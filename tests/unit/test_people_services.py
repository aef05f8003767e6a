"""Persons and households through their services: ID numbers fill and guard the record, duplicates point to the
existing person, namesakes warn, household structure changes are kept in history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import DuplicateError, ValidationError
from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import Household, HouseholdChange, Person, SpecialGroupRecord
from app.services import households, persons
from tests.conftest import Township

ID_A = make_id_number("620502", date(1985, 6, 1), 31)  # male
ID_B = make_id_number("620503", date(1985, 6, 1), 42)  # female


def test_id_number_fills_birth_date_and_sex(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        person = persons.register_person(
            tx, grid_id=township.grid_a.id, name="张伟", id_number=" " + ID_A.lower().replace("x", "x") + " "
        ).record
    assert person.id_number == ID_A
    assert person.birth_date == date(1985, 6, 1)
    assert person.sex == "1"


def test_full_width_digits_are_normalised_before_the_duplicate_check(
    ledger: Ledger, township: Township
) -> None:
    full_width = ID_A.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    with ledger.write() as tx:
        first = persons.register_person(tx, grid_id=township.grid_a.id, name="张伟", id_number=ID_A).record
    with pytest.raises(DuplicateError) as info, ledger.write() as tx:
        persons.register_person(tx, grid_id=township.grid_a.id, name="张卫", id_number=full_width)
    assert info.value.existing_id == first.id
    assert info.value.field == "id_number"
    assert "张伟" in info.value.message and "已登记" in info.value.message


def test_a_deleted_persons_id_number_can_be_registered_again(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        first = persons.register_person(tx, grid_id=township.grid_a.id, name="张伟", id_number=ID_A).record
    with ledger.write() as tx:
        persons.delete_person(tx, tx.session.get(Person, first.id))  # type: ignore[arg-type]
    with ledger.write() as tx:
        again = persons.register_person(tx, grid_id=township.grid_a.id, name="张伟", id_number=ID_A).record
    assert again.id != first.id


def test_same_name_and_birth_date_warns_but_saves(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        persons.register_person(tx, grid_id=township.grid_a.id, name="王芳", id_number=ID_A)
        saved = persons.register_person(tx, grid_id=township.grid_a.id, name="王芳", id_number=ID_B)
    assert saved.record.id
    assert len(saved.warnings) == 1 and "同名同出生日期" in saved.warnings[0]


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"name": "  "}, "name", "不能为空"),
        ({"name": "张伟", "id_number": ID_A[:17] + ("1" if ID_A[17] != "1" else "2")}, "id_number", "校验码"),
        ({"name": "张伟", "id_number": ID_A, "sex": "2"}, "sex", "与身份证号不一致"),
        ({"name": "张伟", "id_number": ID_A, "birth_date": date(1985, 6, 2)}, "birth_date", "1985-06-01"),
        ({"name": "张伟", "phone": "1380938123"}, "phone", "10"),
        ({"name": "张伟", "household_id": "no-such-household"}, "household_id", "找不到"),
    ],
)
def test_bad_input_names_the_record_and_field(
    ledger: Ledger, township: Township, values: dict[str, object], field: str, fragment: str
) -> None:
    with pytest.raises(ValidationError) as info, ledger.write() as tx:
        persons.register_person(tx, grid_id=township.grid_a.id, **values)
    assert info.value.field == field
    assert fragment in info.value.message
    assert info.value.message.startswith("人员")


def test_people_go_into_a_grid_not_a_village(ledger: Ledger, township: Township) -> None:
    with pytest.raises(ValidationError, match="不是最末一级网格"), ledger.write() as tx:
        persons.register_person(tx, grid_id=township.village.id, name="张伟")


def _family(ledger: Ledger, township: Township) -> Household:
    with ledger.write() as tx:
        return households.register_household(
            tx,
            grid_id=township.grid_a.id,
            address="李家村二组8号",
            members=[
                {
                    "name": "李父",
                    "id_number": make_id_number("620502", date(1955, 2, 3), 11),
                    "relation": "02",
                },
                {
                    "name": "李母",
                    "id_number": make_id_number("620502", date(1957, 4, 5), 22),
                    "relation": "10",
                },
                {
                    "name": "李子",
                    "id_number": make_id_number("620502", date(1982, 6, 7), 33),
                    "relation": "20",
                },
                {
                    "name": "李媳",
                    "id_number": make_id_number("620502", date(1984, 8, 9), 44),
                    "relation": "97",
                },
                {
                    "name": "李孙",
                    "id_number": make_id_number("620502", date(2010, 1, 2), 55),
                    "relation": "40",
                },
            ],
        ).record


def test_a_household_has_exactly_one_head(ledger: Ledger, township: Township) -> None:
    with pytest.raises(ValidationError, match="有且只有一位户主"), ledger.write() as tx:
        households.register_household(
            tx,
            grid_id=township.grid_a.id,
            members=[{"name": "甲", "relation": "10"}, {"name": "乙", "relation": "20"}],
        )
    house = _family(ledger, township)
    with ledger.read() as session:
        head = session.get(Person, house.head_id)
        assert head is not None and head.name == "李父" and head.relation == "02"
        assert head.residence_address == "李家村二组8号"


def test_split_merge_and_move_are_kept_in_history(ledger: Ledger, township: Township) -> None:
    house = _family(ledger, township)
    with ledger.read() as session:
        ids = {p.name: p.id for p in session.scalars(select(Person))}
    with ledger.write() as tx:
        new = households.split_household(
            tx,
            tx.session.get(Household, house.id),
            [ids["李子"], ids["李媳"], ids["李孙"]],
            ids["李子"],  # type: ignore[arg-type]
        )
    with ledger.write() as tx:
        households.move_household(tx, tx.session.get(Household, new.id), township.grid_b.id)  # type: ignore[arg-type]
    with ledger.read() as session:
        son = session.get(Person, ids["李子"])
        assert son is not None and son.household_id == new.id and son.relation == "02"
        assert son.grid_id == township.grid_b.id
        kinds = sorted(session.scalars(select(HouseholdChange.kind)))
    assert kinds == ["move_grid", "split", "split_from"]
    with ledger.write() as tx:
        households.merge_households(
            tx, tx.session.get(Household, house.id), tx.session.get(Household, new.id)
        )  # type: ignore[arg-type]
    with ledger.read() as session:
        gone = session.get(Household, new.id)
        assert gone is not None and gone.deleted
        members = session.scalars(select(Person.name).where(Person.household_id == house.id)).all()
    assert sorted(members) == sorted(ids)


def test_the_head_cannot_leave_or_be_split_off(ledger: Ledger, township: Township) -> None:
    house = _family(ledger, township)
    with ledger.write() as tx:
        other = households.register_household(tx, grid_id=township.grid_a.id).record
    with pytest.raises(ValidationError, match="户主"), ledger.write() as tx:
        head = tx.session.get(Person, house.head_id)
        households.move_member(tx, head, tx.session.get(Household, other.id), "02")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="原户主不能分出"), ledger.write() as tx:
        households.split_household(tx, tx.session.get(Household, house.id), [house.head_id], house.head_id)  # type: ignore[arg-type, list-item]
    with pytest.raises(ValidationError, match="请先更换户主"), ledger.write() as tx:
        persons.delete_person(tx, tx.session.get(Person, house.head_id))  # type: ignore[arg-type]


def test_the_same_id_number_twice_in_one_household_is_refused(ledger: Ledger, township: Township) -> None:
    with pytest.raises(ValidationError, match="与本次登记的“李父”重复"), ledger.write() as tx:
        households.register_household(
            tx,
            grid_id=township.grid_a.id,
            members=[
                {"name": "李父", "id_number": ID_A, "relation": "02"},
                {"name": "李子", "id_number": ID_A, "relation": "20"},
            ],
        )


def test_a_moved_household_takes_its_history_and_members_records_along(
    ledger: Ledger, township: Township
) -> None:
    house = _family(ledger, township)
    with ledger.write() as tx:
        member = tx.session.scalar(select(Person).where(Person.household_id == house.id))
        assert member is not None
        persons.add_special_group(tx, member, "released")
    with ledger.write() as tx:
        households.move_household(tx, tx.session.get(Household, house.id), township.grid_b.id)  # type: ignore[arg-type]
    with ledger.read() as session:
        left_behind = [
            (model.__name__, row.id)
            for model in (Person, HouseholdChange, SpecialGroupRecord)
            for row in session.scalars(select(model))
            if row.grid_id != township.grid_b.id
        ]
    assert left_behind == [], "grid A's laptops would keep seeing the household's records"


def test_a_special_group_s_concern_level_and_help_must_be_codes_of_their_tables(
    ledger: Ledger, township: Township
) -> None:
    """Typed into their pickers, a text that names no code is refused with the table to choose from, and the
    record as saved before stays as it was."""
    with ledger.write() as tx:
        person = persons.register_person(tx, grid_id=township.grid_a.id, name="张伟", id_number=ID_A).record
        record = persons.add_special_group(tx, person, "released", concern_level="02", help_situation="01")
    for field, typed, table in (("concern_level", "高", "关注程度"), ("help_situation", "x", "帮扶情况")):
        with pytest.raises(ValidationError) as info, ledger.write() as tx:
            persons.update_special_group(tx, tx.session.get(SpecialGroupRecord, record.id), **{field: typed})  # type: ignore[arg-type]
        assert info.value.field == field
        assert (
            info.value.message
            == f"特殊人群信息的{table}：代码“{typed}”不在《{table}》中，请从下拉列表中选择。"
        )
    with ledger.read() as session:
        kept = session.get(SpecialGroupRecord, record.id)
        assert kept is not None and (kept.concern_level, kept.help_situation) == ("02", "01")
