"""Undo of the last save (app/undo.py): a create is tombstoned, an update set back, a delete restored — each as
new outbox operations — and refused when the record changed since the save."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app import undo
from app.errors import LedgerError
from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import Household, OutboxOp, Person
from app.search import search_people
from app.services import households, persons
from tests.conftest import Township

ID_A = make_id_number("620502", date(1972, 4, 9), 17)
ID_B = make_id_number("620502", date(1975, 8, 21), 26)


def _outbox_count(ledger: Ledger) -> int:
    with ledger.read() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxOp)) or 0)


def test_undo_of_a_household_registration_tombstones_household_and_members(
    ledger: Ledger, township: Township
) -> None:
    with ledger.write() as tx:
        household = households.register_household(
            tx,
            grid_id=township.grid_a.id,
            address="李家村3组12号",
            members=[
                {"name": "张三丰", "relation": "02", "id_number": ID_A},
                {"name": "李秀英", "relation": "10", "id_number": ID_B},
            ],
        ).record
        saved_ops = list(tx.op_ids)
    with ledger.read() as session:
        assert search_people(session, "zsf")
        assert undo.can_undo(session, saved_ops) is None
    before = _outbox_count(ledger)
    with ledger.write() as tx:
        undo.undo(tx, saved_ops)
        undo_ops = list(tx.op_ids)
    with ledger.read() as session:
        assert session.get_one(Household, household.id).deleted
        people = session.scalars(select(Person).where(Person.household_id == household.id)).all()
        assert len(people) == 2 and all(p.deleted for p in people)
        assert search_people(session, "zsf") == []
        kinds = session.scalars(select(OutboxOp.kind).where(OutboxOp.op_id.in_(undo_ops))).all()
        # The original operations stay (sync sends the undo, never removes history).
        assert session.scalar(select(func.count()).where(OutboxOp.op_id.in_(saved_ops))) == len(saved_ops)
        assert undo.can_undo(session, saved_ops) is not None  # undone once, not twice
    assert sorted(kinds) == ["delete"] * 3
    assert _outbox_count(ledger) == before + 3


def test_undo_of_an_update_sets_the_fields_back(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        person = persons.register_person(
            tx, grid_id=township.grid_a.id, name="王建国", id_number=ID_A, phone="13800000001"
        ).record
    with ledger.write() as tx:
        current = tx.session.get_one(Person, person.id)
        persons.update_person(tx, current, phone="13900000002", occupation="农民", tags=["低保"])
        saved_ops = list(tx.op_ids)
    with ledger.write() as tx:
        undo.undo(tx, saved_ops)
    with ledger.read() as session:
        back = session.get_one(Person, person.id)
        assert (back.phone, back.occupation, back.tags, back.deleted) == ("13800000001", "", [], False)
        assert back.version == 3


def test_undo_of_a_delete_restores_the_record(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        person = persons.register_person(tx, grid_id=township.grid_a.id, name="赵敏", id_number=ID_B).record
    with ledger.write() as tx:
        persons.delete_person(tx, tx.session.get_one(Person, person.id))
        saved_ops = list(tx.op_ids)
    with ledger.write() as tx:
        undo.undo(tx, saved_ops)
    with ledger.read() as session:
        assert not session.get_one(Person, person.id).deleted
        assert [h.id for h in search_people(session, "赵敏")] == [person.id]


def test_undo_is_refused_when_the_record_changed_since(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        person = persons.register_person(tx, grid_id=township.grid_a.id, name="王建国", id_number=ID_A).record
    with ledger.write() as tx:
        persons.update_person(tx, tx.session.get_one(Person, person.id), occupation="教师")
        saved_ops = list(tx.op_ids)
    with ledger.write() as tx:
        persons.update_person(tx, tx.session.get_one(Person, person.id), phone="13800000001")
    with ledger.read() as session:
        reason = undo.can_undo(session, saved_ops)
    assert reason is not None and "王建国" in reason and "修改" in reason
    with pytest.raises(LedgerError) as refused, ledger.write() as tx:
        undo.undo(tx, saved_ops)
    assert refused.value.message == reason
    with ledger.read() as session:
        kept = session.get_one(Person, person.id)
        assert (kept.occupation, kept.phone) == ("教师", "13800000001")


def test_undo_is_refused_when_someone_elses_change_arrived(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        person = persons.register_person(tx, grid_id=township.grid_a.id, name="王建国", id_number=ID_A).record
        saved_ops = list(tx.op_ids)
    with ledger.write() as tx:
        tx.apply_remote(Person, person.id, {"phone": "13700000003"}, version=5, changed_by="manager2")
    with ledger.read() as session:
        reason = undo.can_undo(session, saved_ops)
    assert reason is not None and "manager2" in reason


def test_nothing_to_undo(ledger: Ledger) -> None:
    with ledger.read() as session:
        assert undo.can_undo(session, []) is not None
        assert undo.can_undo(session, ["no-such-op"]) is not None
