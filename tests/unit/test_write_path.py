"""The one write path: every service records, in the same transaction, one outbox operation and one audit entry
per changed record, with old/new values and the base version; nothing else can change a synced record."""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

import app.services.attachments as attachments
import app.services.errands as errands
import app.services.grid as grid
import app.services.households as households
import app.services.persons as persons
import app.services.places as places
import app.services.reference as reference
import app.services.work as work
from app.errors import ValidationError
from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import ENTITY_BY_NAME, AuditEntry, Household, OutboxOp, Person, SpecialGroupRecord
from app.workdays import SpecialDay
from app.writer import WriteTx, to_json
from tests.conftest import Township

SERVICE_MODULES = (attachments, errands, grid, households, persons, places, reference, work)
READ_ONLY = {
    "members", "next_household_number", "similar_people", "clean_person", "load_calendar", "deadline_rules",
    "half_month", "missing_materials", "seed_reference_data", "reference_id",
}  # fmt: skip
"""Helpers in service modules that only read (seed_reference_data is walked by every new ledger)."""


def pid(n: int, year: int = 1980, region: str = "620502") -> str:
    return make_id_number(region, date(year, 1 + n % 12, 1 + n % 27), 100 + n)


def check_operations(tx_ledger: Ledger, after_seq: int, after_audit: int) -> list[OutboxOp]:
    """The operations since ``after_seq`` agree with the records and with the audit entries since ``after_audit``."""
    with tx_ledger.read() as session:
        ops = list(session.scalars(select(OutboxOp).where(OutboxOp.seq > after_seq).order_by(OutboxOp.seq)))
        audited = session.execute(
            select(AuditEntry.record_id, AuditEntry.action)
            .where(AuditEntry.seq > after_audit, AuditEntry.action.in_(["create", "update", "delete"]))
            .order_by(AuditEntry.seq)
        ).all()
        assert [(a.record_id, a.action) for a in audited] == [(o.record_id, o.kind) for o in ops], (
            "one audit entry per operation, in the same order"
        )
        by_record: dict[tuple[str, str], list[OutboxOp]] = defaultdict(list)
        for op in ops:
            by_record[(op.entity, op.record_id)].append(op)
        for (entity, record_id), record_ops in by_record.items():
            record = session.get(ENTITY_BY_NAME[entity], record_id)
            assert record is not None, f"{entity} {record_id} has operations but no row"
            versions = [op.base_version for op in record_ops]
            assert versions == list(range(versions[0], versions[0] + len(versions))), "base versions chain"
            assert record.version == versions[-1] + 1
            if record_ops[0].kind == "create":
                assert versions[0] == 0
            latest: dict[str, Any] = {}
            for op in record_ops:
                assert op.kind in ("create", "update", "delete")
                assert op.state == "pending" and op.actor
                for field, (_old, new) in op.changes.items():
                    latest[field] = new
            for field, new in latest.items():
                assert to_json(getattr(record, field)) == new, f"{entity}.{field}"
    return ops


def bad_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


class Walk:
    """Calls services one at a time in their own transaction and checks the operations each one leaves."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.called: set[Callable[..., Any]] = set()

    def __call__(self, service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self.ledger.read() as session:
            before = session.scalar(select(func.coalesce(func.max(OutboxOp.seq), 0))) or 0
            audit_before = session.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0))) or 0
        with self.ledger.write() as tx:
            resolved = [a(tx) if callable(a) and getattr(a, "lazy", False) else a for a in args]
            result = service(tx, *resolved, **kwargs)
        ops = check_operations(self.ledger, before, audit_before)
        assert ops, f"{service.__name__} wrote no operation"
        self.called.add(service)
        return getattr(result, "record", result)


def fresh(model: type, record_id: str) -> Callable[[WriteTx], Any]:
    """Load a record inside the walk's transaction (objects do not cross transactions)."""

    def load(tx: WriteTx) -> Any:
        return tx.session.get(model, record_id)

    load.lazy = True  # type: ignore[attr-defined]
    return load


def test_every_service_records_its_operations(ledger: Ledger, township: Township) -> None:
    from app.models import (
        Errand,
        ErrandItem,
        Event,
        GridPost,
        InspectionRound,
        InspectionVisit,
        Membership,
        Organisation,
        Place,
        SentimentLog,
        Staff,
        Tenancy,
    )

    walk = Walk(ledger)
    g = township.grid_a.id
    day = date(2026, 9, 30)
    node = walk(
        grid.create_grid_node,
        code="620502101201003",
        name="第三网格",
        kind="grid",
        parent_id=township.village.id,
    )
    staff = walk(grid.create_staff, name="赵代办", login="agent1")
    post = walk(grid.assign_post, fresh(Staff, staff.id), node.id, "collector")
    walk(grid.remove_post, fresh(GridPost, post.id))

    house = walk(
        households.register_household, grid_id=g, address="李家村一组3号",
        members=[{"name": "李建国", "id_number": pid(1, 1960), "relation": "02"},
                 {"name": "王秀英", "id_number": pid(2, 1962), "relation": "10"}],
    )  # fmt: skip
    walk(households.update_household, fresh(Household, house.id), phone="0938-8212345")
    son = walk(households.add_member, fresh(Household, house.id), "20", name="李强", id_number=pid(3, 1988))
    walk(households.set_relation, fresh(Person, son.id), "30")
    other = walk(households.register_household, grid_id=g, address="李家村一组5号")
    walk(households.move_member, fresh(Person, son.id), fresh(Household, other.id), "02")
    with ledger.read() as session:
        wife = session.scalar(select(Person).where(Person.name == "王秀英"))
    assert wife is not None
    walk(households.set_head, fresh(Household, house.id), fresh(Person, wife.id), "10")
    grandson = walk(
        households.add_member, fresh(Household, house.id), "40", name="李小明", id_number=pid(4, 2012)
    )
    split = walk(households.split_household, fresh(Household, house.id), [grandson.id], grandson.id)
    walk(households.merge_households, fresh(Household, house.id), fresh(Household, split.id))
    walk(households.move_household, fresh(Household, other.id), township.grid_b.id)
    empty = walk(households.register_household, grid_id=g)
    walk(households.delete_household, fresh(Household, empty.id))

    walk(
        persons.register_people,
        [{"name": "张甲", "grid_id": g, "id_number": pid(20)}, {"name": "张乙", "grid_id": g}],
    )
    loner = walk(
        persons.register_person, grid_id=g, name="单田芳", id_number=pid(5, 1975), residence_class="2"
    )
    walk(persons.update_person, fresh(Person, loner.id), phone="138 0938 1234")
    walk(persons.set_residence_detail, fresh(Person, loner.id), {"inflow_cause": "01", "domicile_type": "02"})
    group = walk(persons.add_special_group, fresh(Person, loner.id), "released")
    walk(persons.update_special_group, fresh(SpecialGroupRecord, group.id), concern_level="02")
    walk(persons.delete_person, fresh(Person, loner.id))

    tenant = walk(persons.register_person, grid_id=g, name="解小东", id_number=pid(6, 1990))
    rental = walk(places.register_place, grid_id=g, kind="rental", name="李家村出租屋1", category="02")
    walk(places.update_place, fresh(Place, rental.id), hidden_danger="01")
    tenancy = walk(places.add_tenant, fresh(Place, rental.id), fresh(Person, tenant.id), day)
    walk(places.end_tenancy, fresh(Tenancy, tenancy.id), date(2026, 10, 31))
    org = walk(
        places.register_organisation,
        grid_id=township.village.id,
        kind="mediation",
        name="李家村邻里纠纷调委会",
    )
    walk(places.update_organisation, fresh(Organisation, org.id), leader_name="李建国")
    member = walk(places.add_member, fresh(Organisation, org.id), fresh(Person, tenant.id), "调解员")
    walk(places.remove_member, fresh(Membership, member.id))

    log = walk(work.write_log, grid_id=g, logged_on=day, content="村民反映一组排水沟堵塞", category="dispute")
    event = walk(work.log_to_event, fresh(SentimentLog, log.id), title="一组排水沟纠纷", category="dispute")
    walk(work.act_on_event, fresh(Event, event.id), "report", on=day)
    walk(work.act_on_event, fresh(Event, event.id), "accept", on=day)
    walk(work.press_event, fresh(Event, event.id), supervise=False, on=date(2026, 10, 9))
    event2 = walk(
        work.report_event, grid_id=g, title="路灯损坏", occurred_on=day, parties=[{"name": "李建国"}]
    )
    rnd = walk(work.open_round, grid_id=g, day=day, focus="出租屋消防")
    visit = walk(work.record_visit, fresh(InspectionRound, rnd.id), target_kind="rental", target_id=rental.id,
                 visited_on=day, findings="电线私拉乱接")  # fmt: skip
    walk(work.visit_to_event, fresh(InspectionVisit, visit.id), title="出租屋电线隐患", category="hazard")
    walk(
        work.record_meeting,
        grid_id=g,
        kind="analysis",
        held_on=day,
        title="九月民情研判",
        event_ids=[event2.id],
    )

    item = walk(errands.add_errand_item, category="social_security", name="城乡居民养老保险参保登记",
                materials=["身份证复印件", "户口簿复印件"])  # fmt: skip
    errand = walk(errands.register_errand, grid_id=g, item_id=item.id, person_id=tenant.id, registered_on=day)
    walk(
        errands.act_on_errand,
        fresh(Errand, errand.id),
        "receive",
        on=day,
        materials=["身份证复印件", "户口簿复印件"],
    )
    assert fresh(ErrandItem, item.id)

    walk(reference.set_calendar_day, date(2027, 2, 8), False, "春节")
    walk(reference.clear_calendar_day, date(2027, 2, 8))
    walk(reference.publish_calendar_year, 2027, [SpecialDay(date(2027, 10, 1), False, "国庆节")])
    walk(reference.set_deadline_rule, "hazard", 5)
    walk(attachments.attach, fresh(Event, event.id), "photo.jpg", b"\xff\xd8 not really a jpeg", "image/jpeg")
    with ledger.read() as session:
        from app.models import Attachment

        attachment_id = session.scalar(select(Attachment.id))
    walk(attachments.remove_attachment, fresh(Attachment, attachment_id))

    public = {
        fn
        for module in SERVICE_MODULES
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if fn.__module__ == module.__name__ and not name.startswith("_") and name not in READ_ONLY
    }
    assert public - walk.called == set(), "every writing service is walked"


def test_a_failed_service_writes_nothing(ledger: Ledger, township: Township) -> None:
    with ledger.read() as session:
        before = session.scalar(select(func.count()).select_from(OutboxOp))
    with pytest.raises(ValidationError), ledger.write() as tx:
        households.register_household(
            tx,
            grid_id=township.grid_a.id,
            members=[
                {"name": "张三", "id_number": pid(7), "relation": "02"},
                {"name": "张四", "id_number": bad_check_digit(pid(12)), "relation": "20"},
            ],
        )
    with ledger.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboxOp)) == before
        assert session.scalar(select(func.count()).select_from(Person)) == 0
        assert session.scalar(select(func.count()).select_from(Household)) == 0


def test_changing_a_record_outside_the_write_path_is_refused(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        person = persons.register_person(tx, grid_id=township.grid_a.id, name="张三", id_number=pid(8)).record
    with ledger.read() as session:
        loaded = session.get(Person, person.id)
        assert loaded is not None
        loaded.name = "李四"
        with pytest.raises(RuntimeError, match="outside the write path"):
            session.commit()
    with pytest.raises(RuntimeError, match="outside the write path"), ledger.write() as tx:
        again = tx.session.get(Person, person.id)
        assert again is not None
        again.phone = "13800000000"  # bypasses tx.update
    with pytest.raises(RuntimeError, match="tombstoned"), ledger.write() as tx:
        victim = tx.session.get(Person, person.id)
        tx.session.delete(victim)
    with ledger.read() as session:
        stored = session.get(Person, person.id)
        assert stored is not None and stored.name == "张三" and stored.phone == ""


def test_delete_leaves_a_tombstone_that_syncs(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        person = persons.register_person(tx, grid_id=township.grid_a.id, name="张三", id_number=pid(9)).record
    with ledger.write() as tx:
        persons.delete_person(tx, tx.session.get(Person, person.id))  # type: ignore[arg-type]
    with ledger.read() as session:
        stored = session.get(Person, person.id)
        assert stored is not None and stored.deleted and stored.version == 2
        ops = session.scalars(
            select(OutboxOp).where(OutboxOp.record_id == person.id).order_by(OutboxOp.seq)
        ).all()
        assert [(o.kind, o.base_version) for o in ops] == [("create", 0), ("delete", 1)]
        assert ops[1].changes == {"deleted": [False, True]}


def test_an_unchanged_update_sends_nothing(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        person = persons.register_person(
            tx, grid_id=township.grid_a.id, name="张三", id_number=pid(10)
        ).record
    with ledger.read() as session:
        before = session.scalar(select(func.count()).select_from(OutboxOp))
    with ledger.write() as tx:
        persons.update_person(tx, tx.session.get(Person, person.id), name="张三")  # type: ignore[arg-type]
    with ledger.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboxOp)) == before


def test_sensitive_values_never_reach_the_audit_log(ledger: Ledger, township: Township) -> None:
    number = pid(11)
    with ledger.write() as tx:
        person = persons.register_person(tx, grid_id=township.grid_a.id, name="张三", id_number=number).record
        tx.log_view(person, ["id_number"], "查看完整身份证号")
    with ledger.read() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.record_id == person.id)).all()
    assert {e.action for e in entries} == {"create", "view"}
    assert all(number not in repr((e.fields, e.summary)) for e in entries)
    assert "id_number" in next(e for e in entries if e.action == "view").fields


def test_code_fields_accept_only_codes_of_their_table(ledger: Ledger, township: Township) -> None:
    with pytest.raises(ValidationError) as info, ledger.write() as tx:
        persons.register_person(tx, grid_id=township.grid_a.id, name="张三", ethnicity="99x")
    assert info.value.field == "ethnicity" and "民族" in info.value.message and "99x" in info.value.message
