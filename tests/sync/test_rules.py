"""The server's merge rules as laptops live them: separate encrypted ledgers, the real server on loopback, every
change made through the services. A stale workflow move and a village laptop's township move wait in the inbox
with their reasons; identity fields and edit-vs-delete go to a person; a household moved to another grid leaves
the old grid's laptops and reaches the new grid's."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from app.ids import uuid7
from app.ledger import Ledger
from app.models import Errand, ErrandStep, Event, EventStep, Household, OutboxOp, Person
from app.services import errands, households, persons, work
from server.store import REASON_DELETED, records
from sync.engine import enrol, pending_operations, run_sync
from sync.inbox import inbox_items
from sync.protocol import OpStatus, PushRequest
from tests.conftest import PASSPHRASE
from tests.sync.conftest import Laptops, Server
from tests.sync.invariants import assert_whole, settle
from tests.sync.steps import client_of, everyone
from tests.sync.test_engine import register_family

TODAY = date.today()


def outbox(ledger: Ledger, state: str) -> list[OutboxOp]:
    with ledger.read() as session:
        return list(session.scalars(select(OutboxOp).where(OutboxOp.state == state).order_by(OutboxOp.seq)))


def outbox_size(ledger: Ledger) -> int:
    with ledger.read() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxOp)) or 0)


def sync_all(*ledgers: Ledger) -> None:
    for ledger in ledgers:
        report = run_sync(ledger)
        assert report.needs_person == 0 and report.waiting == 0


def new_event(laptops: Laptops) -> str:
    """An event of grid A that laptop a reported; everyone has it."""
    with laptops.a.write() as tx:
        event = work.report_event(
            tx, grid_id=laptops.township.grid_a.id, title="村口路灯不亮", occurred_on=TODAY
        )
        work.act_on_event(tx, event, "report", on=TODAY)
    sync_all(laptops.a, laptops.office, laptops.b)
    return event.id


def act(ledger: Ledger, event_id: str, *actions: str) -> None:
    with ledger.write() as tx:
        event = tx.session.get(Event, event_id)
        assert event is not None
        for action in actions:
            work.act_on_event(tx, event, action, on=TODAY, note="已核实" if action == "return" else "")


def state_on(ledger: Ledger, event_id: str) -> str:
    with ledger.read() as session:
        event = session.get(Event, event_id)
        assert event is not None
        return event.state


def family(laptops: Laptops) -> str:
    """A household of grid A that laptop a registered; everyone has it."""
    house = register_family(laptops.a, laptops)
    sync_all(laptops.a, laptops.office, laptops.b)
    return house


def deleted_on_a_and_edited_on_b(laptops: Laptops) -> str:
    """A person laptop a deletes and laptop b edits, neither having synced since; the person's id."""
    family(laptops)
    pid = person_named(laptops.a, "单桂兰").id
    with laptops.a.write() as tx:
        persons.delete_person(tx, tx.session.get(Person, pid))  # type: ignore[arg-type]
    with laptops.b.write() as tx:
        persons.update_person(tx, tx.session.get(Person, pid), occupation="果农")  # type: ignore[arg-type]
    return pid


def person_named(ledger: Ledger, name: str) -> Person:
    with ledger.read() as session:
        found = session.scalar(select(Person).where(Person.name == name))
    assert found is not None
    return found


# -- workflow moves ---------------------------------------------------------------------------------------------
def test_a_stale_move_is_rejected_while_the_office_closed_the_event(laptops: Laptops) -> None:
    event = new_event(laptops)
    act(laptops.office, event, "accept", "start")
    sync_all(laptops.office, laptops.a)
    assert state_on(laptops.a, event) == "in_progress"
    # the office finishes, has it checked and closes it; laptop a, offline, marks it handled
    act(laptops.office, event, "finish", "verify", "close")
    sync_all(laptops.office)
    act(laptops.a, event, "finish")

    report = run_sync(laptops.a)
    assert report.rejected == 2 and report.needs_person == 2  # the move, and the step record saved with it
    rejected, step = outbox(laptops.a, "rejected")
    assert rejected.entity == "event" and rejected.record_id == event
    assert step.entity == "event_step" and step.changes["action"] == [None, "finish"]
    assert rejected.reason is not None
    assert rejected.reason.startswith("事件“村口路灯不亮”已由 office 于 ")
    assert "改为“结案”，您的“处置完毕”未生效；请刷新后查看" in rejected.reason
    # the laptop shows what the township decided
    assert state_on(laptops.a, event) == "closed"
    run_sync(laptops.office)
    assert state_on(laptops.office, event) == "closed"


def test_a_village_laptop_cannot_make_the_townships_move_and_the_office_can(laptops: Laptops) -> None:
    event = new_event(laptops)
    act(laptops.a, event, "accept")
    report = run_sync(laptops.a)
    assert report.rejected == 2
    rejected, step = outbox(laptops.a, "rejected")
    assert rejected.reason is not None and "“受理”只能由乡镇操作" in rejected.reason
    assert step.reason is not None and step.reason.startswith("事件处置记录“受理”未保存")
    assert "“受理”只能由乡镇操作" in step.reason
    assert rejected.conflicts == {"state": "reported"}
    sync_all(laptops.b)
    assert state_on(laptops.b, event) == "reported"

    act(laptops.office, event, "return")
    sync_all(laptops.office, laptops.b)
    run_sync(laptops.a)
    assert state_on(laptops.a, event) == state_on(laptops.b, event) == "returned"


def test_a_move_still_valid_after_the_office_returned_the_event_is_applied(laptops: Laptops) -> None:
    event = new_event(laptops)
    act(laptops.office, event, "return")
    sync_all(laptops.office)
    act(laptops.a, event, "withdraw")  # a still sees it reported; withdrawing is allowed from 退回 too
    sync_all(laptops.a, laptops.office)
    assert state_on(laptops.office, event) == state_on(laptops.a, event) == "withdrawn"


# -- the step record of a rejected move ---------------------------------------------------------------------------
def local_steps(ledger: Ledger, event_id: str) -> dict[str, tuple[str, bool]]:
    """Step id → (action, deleted) of an event's handling records on ``ledger``."""
    with ledger.read() as session:
        rows = session.execute(
            select(EventStep.id, EventStep.action, EventStep.deleted).where(EventStep.event_id == event_id)
        ).all()
    return {step_id: (action, bool(deleted)) for step_id, action, deleted in rows}


def server_steps(server: Server, entity: str, parent_field: str, parent_id: str) -> dict[str, str]:
    """Step id → action of the step records the server holds for one event or errand."""
    engine = create_engine(server.db)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(records).where(records.c.entity == entity)).all()
    finally:
        engine.dispose()
    return {r.record_id: r.values["action"] for r in rows if r.values.get(parent_field) == parent_id}


def stale_finish(laptops: Laptops) -> str:
    """An event the office closed while laptop a, offline, marked it handled (one save: the move and its step)."""
    event = new_event(laptops)
    act(laptops.office, event, "accept", "start")
    sync_all(laptops.office, laptops.a)
    act(laptops.office, event, "finish", "verify", "close")
    sync_all(laptops.office)
    act(laptops.a, event, "finish")
    return event


def test_the_step_record_of_a_rejected_move_is_rejected_and_reaches_nobody(
    laptops: Laptops, server: Server
) -> None:
    event = stale_finish(laptops)
    (finish_step,) = [i for i, (action, _) in local_steps(laptops.a, event).items() if action == "finish"]

    report = run_sync(laptops.a)
    assert (report.rejected, report.applied) == (2, 0)
    move, step = outbox(laptops.a, "rejected")
    assert (move.entity, step.entity, step.record_id) == ("event", "event_step", finish_step)
    assert step.reason is not None and move.reason is not None
    assert step.reason.startswith("事件处置记录“处置完毕”未保存：事件“村口路灯不亮”的这一步未生效。")
    assert step.reason.endswith(move.reason)  # and why: the township closed it meanwhile
    # the server holds the office's steps only; laptop a keeps its step as a tombstone, as the server has it
    on_server = server_steps(server, "event_step", "event_id", event)
    assert finish_step not in on_server
    assert sorted(on_server.values()) == ["accept", "close", "finish", "report", "start", "verify"]
    assert local_steps(laptops.a, event)[finish_step] == ("finish", True)
    assert state_on(laptops.a, event) == "closed"
    # the inbox shows both, in words
    with laptops.a.read() as session:
        items = inbox_items(session)
    assert [(i.state, i.kind, i.reason) for i in items] == [
        ("rejected", "修改", move.reason),
        ("rejected", "新建", step.reason),
    ]
    assert "操作：处置完毕" in items[1].summary and "新状态：处置完毕" in items[1].summary

    settle(everyone(laptops))
    for ledger in (laptops.office, laptops.b):
        assert finish_step not in local_steps(ledger, event)
    assert_whole(server.db, everyone(laptops))


def test_a_step_record_before_its_move_in_the_batch_is_rejected_with_it(
    laptops: Laptops, server: Server
) -> None:
    event = stale_finish(laptops)
    with laptops.a.read() as session:
        move, step = pending_operations(session, 10)
    assert (move.entity, step.entity) == ("event", "event_step")
    client = client_of(laptops.a, server.url)
    try:
        answer = client.push(PushRequest(batch_id=uuid7(), operations=[step, move]))
    finally:
        client.close()
    assert [r.op_id for r in answer.results] == [step.op_id, move.op_id]  # answered in the request's order
    assert [r.status for r in answer.results] == [OpStatus.REJECTED, OpStatus.REJECTED]
    assert "事件处置记录“处置完毕”未保存" in answer.results[0].reason
    assert step.record_id not in server_steps(server, "event_step", "event_id", event)
    # the laptop, sending them again in its own order, gets the same answers
    report = run_sync(laptops.a)
    assert report.rejected == 2 and report.applied == 0
    assert local_steps(laptops.a, event)[step.record_id] == ("finish", True)


def test_a_step_record_sent_in_a_later_batch_than_its_rejected_move_is_rejected_too(
    laptops: Laptops, server: Server
) -> None:
    event = stale_finish(laptops)
    report = run_sync(laptops.a, batch_size=1)  # the move alone in one batch, its step in the next
    assert report.rejected == 2 and report.applied == 0
    move, step = outbox(laptops.a, "rejected")
    assert step.reason is not None and move.reason is not None and step.reason.endswith(move.reason)
    assert step.record_id not in server_steps(server, "event_step", "event_id", event)
    settle(everyone(laptops))
    assert_whole(server.db, everyone(laptops))


def test_the_step_of_a_township_errand_move_from_a_village_laptop_is_rejected_with_it(
    laptops: Laptops, server: Server
) -> None:
    with laptops.office.write() as tx:
        item = errands.add_errand_item(tx, category="civil", name="临时救助申请", materials=["申请书"])
    sync_all(laptops.office, laptops.a)
    with laptops.a.write() as tx:
        errand = errands.register_errand(
            tx,
            grid_id=laptops.township.grid_a.id,
            item_id=item.id,
            applicant_name="李大爷",
            registered_on=TODAY,
        )
        errands.act_on_errand(tx, errand, "receive", on=TODAY, materials=["申请书"])
        errands.act_on_errand(tx, errand, "send", on=TODAY)
        errand_id = errand.id
    sync_all(laptops.a)
    with laptops.a.write() as tx:  # the township's own move, made on a village laptop
        errands.act_on_errand(tx, tx.session.get(Errand, errand_id), "process", on=TODAY)  # type: ignore[arg-type]

    assert run_sync(laptops.a).rejected == 2
    move, step = outbox(laptops.a, "rejected")
    assert (move.entity, step.entity) == ("errand", "errand_step")
    assert step.reason is not None and step.reason.startswith("代办记录“开始办理”未保存：")
    assert sorted(server_steps(server, "errand_step", "errand_id", errand_id).values()) == ["receive", "send"]
    with laptops.a.read() as session:
        kept = session.get(ErrandStep, step.record_id)
        errand_now = session.get(Errand, errand_id)
    assert kept is not None and kept.deleted
    assert errand_now is not None and errand_now.state == "sent_to_township"


def test_a_step_that_keeps_no_move_is_taken_with_its_change(laptops: Laptops, server: Server) -> None:
    """A 催办 step (from a state to itself) is no move: it stands even next to a rejected move's step."""
    event = new_event(laptops)
    act(laptops.office, event, "accept")
    sync_all(laptops.office, laptops.a)
    with laptops.a.write() as tx:
        work.press_event(tx, tx.session.get(Event, event), supervise=False, on=TODAY, note="请尽快处理")  # type: ignore[arg-type]
    sync_all(laptops.a)
    assert "urge" in server_steps(server, "event_step", "event_id", event).values()


# -- identity fields and edit vs delete ---------------------------------------------------------------------------
def test_a_name_changed_on_a_person_someone_else_changed_goes_to_a_person(laptops: Laptops) -> None:
    family(laptops)
    pid = person_named(laptops.a, "曾广才").id
    with laptops.a.write() as tx:
        persons.update_person(tx, tx.session.get(Person, pid), phone="13909381111")  # type: ignore[arg-type]
    with laptops.b.write() as tx:
        persons.update_person(tx, tx.session.get(Person, pid), name="曾广材")  # type: ignore[arg-type]
    sync_all(laptops.a)

    report = run_sync(laptops.b)
    assert report.conflicts == 1
    (conflict,) = outbox(laptops.b, "conflict")
    assert conflict.conflicts == {"name": "曾广才"}
    assert conflict.reason is not None
    assert "“姓名”是身份信息" in conflict.reason and "须由人核对确认" in conflict.reason
    run_sync(laptops.a)
    assert person_named(laptops.a, "曾广才").phone == "13909381111"


def test_an_edit_of_a_person_deleted_elsewhere_names_who_deleted_it(laptops: Laptops) -> None:
    deleted_on_a_and_edited_on_b(laptops)
    sync_all(laptops.a)

    assert run_sync(laptops.b).conflicts == 1
    (conflict,) = outbox(laptops.b, "conflict")
    assert conflict.reason is not None
    assert conflict.reason.startswith(REASON_DELETED) and "已由 a 于" in conflict.reason


def test_a_delete_of_a_person_edited_elsewhere_does_not_delete_the_edit(laptops: Laptops) -> None:
    deleted_on_a_and_edited_on_b(laptops)
    sync_all(laptops.b)

    assert run_sync(laptops.a).conflicts == 1
    (conflict,) = outbox(laptops.a, "conflict")
    assert conflict.reason is not None and "在本机删除之前已被 b 于" in conflict.reason
    # the person stays, with b's edit, everywhere
    sync_all(laptops.b)
    for ledger in (laptops.a, laptops.b):
        kept = person_named(ledger, "单桂兰")
        assert (kept.deleted, kept.occupation) == (False, "果农")


# -- grid moves ---------------------------------------------------------------------------------------------------
@dataclass
class Neighbours:
    """Laptops beyond the fixture's grid A: one of grid B, one of both grids."""

    of_b: Ledger
    of_both: Ledger


@pytest.fixture
def neighbours(
    tmp_path: Path, empty_ledger_file: Path, laptops: Laptops, server: Server
) -> Iterator[Neighbours]:
    grid_a, grid_b = laptops.township.grid_a.id, laptops.township.grid_b.id
    opened: list[Ledger] = []
    for name, grids in (("c", [grid_b]), ("d", [grid_a, grid_b])):
        path = tmp_path / name / "ledger.db"
        path.parent.mkdir()
        shutil.copyfile(empty_ledger_file, path)
        ledger = Ledger.open(path, PASSPHRASE, actor=name)
        opened.append(ledger)
        enrol(ledger, server.url, server.admin("enrol-code", "--grids", *grids), name)
        run_sync(ledger)
    yield Neighbours(*opened)
    for ledger in opened:
        ledger.close()


def live_people(ledger: Ledger, household_id: str) -> set[str]:
    with ledger.read() as session:
        return set(
            session.scalars(select(Person.name).where(Person.household_id == household_id, Person.live()))
        )


def test_a_household_moved_to_grid_b_leaves_grid_a_laptops_and_reaches_grid_b(
    laptops: Laptops, neighbours: Neighbours
) -> None:
    in_both, in_b = neighbours.of_both, neighbours.of_b
    house = family(laptops)
    sync_all(in_both, in_b)
    assert live_people(in_both, house) == {"曾广才", "单桂兰"} and live_people(in_b, house) == set()
    with laptops.office.write() as tx:
        households.move_household(tx, tx.session.get(Household, house), laptops.township.grid_b.id)  # type: ignore[arg-type]
    sync_all(laptops.office)

    sent_before = outbox_size(laptops.a)
    sync_all(laptops.a, laptops.b, in_both, in_b)
    # grid A's laptops: the household and its members are gone from their scope, and nothing went back
    for ledger in (laptops.a, laptops.b):
        with ledger.read() as session:
            moved = session.get(Household, house)
            assert moved is not None and moved.deleted and moved.grid_id == laptops.township.grid_a.id
        assert live_people(ledger, house) == set()
    assert outbox_size(laptops.a) == sent_before and outbox(laptops.a, "pending") == []
    # grid B's laptop and a laptop of both grids have the household, live, in grid B
    for ledger in (in_b, in_both, laptops.office):
        with ledger.read() as session:
            moved = session.get(Household, house)
            assert moved is not None and not moved.deleted and moved.grid_id == laptops.township.grid_b.id
        assert live_people(ledger, house) == {"曾广才", "单桂兰"}
