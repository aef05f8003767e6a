"""The conflict inbox's rules (sync.inbox) and the clock-skew warning (sync.clock): what a person sees for a change
the server did not take, and what each choice writes; then the same choices against the real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from app.ledger import Ledger
from app.models import Household, OutboxOp, Person, SyncState, utcnow
from app.services import households, persons
from sync import inbox
from sync.clock import SKEW_LIMIT, check_clock, offset_seconds, skew_warning
from sync.engine import client_for, run_sync
from sync.status import progress_text, sync_status
from tests.conftest import Township
from tests.sync.conftest import Laptops
from tests.sync.test_engine import person_id, register_family


# -- clock ------------------------------------------------------------------------------------------------
def test_clock_offset_takes_the_laptop_time_halfway_through_the_request() -> None:
    sent = datetime(2025, 5, 12, 2, 0, 0)
    server = datetime(2025, 5, 12, 10, 0, 1, tzinfo=UTC)
    assert offset_seconds(server, sent, sent + timedelta(seconds=2)) == pytest.approx(8 * 3600)
    assert offset_seconds(server.replace(tzinfo=None), sent, sent) == pytest.approx(8 * 3600 + 1)


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        (None, ""),
        (0, ""),
        (SKEW_LIMIT.total_seconds(), ""),
        (-SKEW_LIMIT.total_seconds(), ""),
        (6 * 60, "本机时钟与乡镇服务器相差约 6 分钟，请校准电脑时间（不影响数据上传）"),
        (-3 * 3600 - 100, "本机时钟与乡镇服务器相差约 3 小时，请校准电脑时间（不影响数据上传）"),
        (86400 + 60, "本机时钟与乡镇服务器相差约 1 天，请校准电脑时间（不影响数据上传）"),
        (-40 * 86400, "本机时钟与乡镇服务器相差约 40 天，请校准电脑时间（不影响数据上传）"),
    ],
)
def test_a_clock_more_than_five_minutes_off_is_named_in_rounded_words(
    offset: float | None, words: str
) -> None:
    assert skew_warning(offset) == words


def test_the_status_keeps_the_clock_warning_from_the_last_check(ledger: Ledger) -> None:
    with ledger.read() as session:
        assert sync_status(session).warning == ""
    with ledger.write() as tx:
        tx.session.merge(SyncState(key="clock_offset", value=-86400.0))
    with ledger.read() as session:
        assert (
            sync_status(session).warning
            == "本机时钟与乡镇服务器相差约 1 天，请校准电脑时间（不影响数据上传）"
        )


def test_progress_words_group_thousands() -> None:
    assert progress_text("下载", 1200) == "正在下载 1,200 条…"
    assert progress_text("上传", 37) == "正在上传 37 条…"


def test_a_laptop_clock_a_day_behind_the_server_is_measured_and_kept(laptops: Laptops) -> None:
    client = client_for(laptops.a)
    try:
        behind = check_clock(laptops.a, client, now=lambda: utcnow() - timedelta(days=1))
        assert behind == pytest.approx(86400, abs=60)
        with laptops.a.read() as session:
            assert "相差约 1 天" in sync_status(session).warning
        assert abs(check_clock(laptops.a, client)) < 60, "this machine's clock and the server's are the same"
    finally:
        client.close()
    with laptops.a.read() as session:
        assert sync_status(session).warning == ""


# -- the inbox on one ledger: the server's answers written as the engine writes them --------------------------
def _person(ledger: Ledger, township: Township, **values: Any) -> Person:
    with ledger.write() as tx:
        person = persons.register_person(tx, grid_id=township.grid_a.id, name="张三", **values).record
    _answer_all(ledger, "sent")
    return person


def _answer_all(ledger: Ledger, state: str, **values: Any) -> None:
    """The server's answer to every pending operation, stored as the engine stores it."""
    with ledger.write() as tx:
        tx.session.execute(
            update(OutboxOp)
            .where(OutboxOp.state == "pending")
            .values(state=state, answered_at=utcnow(), **values)
        )


def _ops(ledger: Ledger, record_id: str, state: str) -> list[OutboxOp]:
    with ledger.read() as session:
        return list(
            session.scalars(
                select(OutboxOp)
                .where(OutboxOp.record_id == record_id, OutboxOp.state == state)
                .order_by(OutboxOp.seq)
            )
        )


def _edit(ledger: Ledger, person_id: str, **values: Any) -> None:
    with ledger.write() as tx:
        person = tx.session.get(Person, person_id)
        assert person is not None
        persons.update_person(tx, person, **values)


def _conflict(ledger: Ledger, township: Township, **edit: Any) -> tuple[Person, str]:
    """张三 edited here while the server changed 曾用名 to 张叁 (its version 3)."""
    person = _person(ledger, township)
    _edit(ledger, person.id, **edit)
    _answer_all(
        ledger,
        "conflict",
        conflicts={"former_name": "张叁"},
        server_version=3,
        reason="服务器上这条人员记录的“曾用名”已被改成别的值（最近由 b 修改），与本机的修改不一致，请核对后决定保留哪一个",
    )
    (op,) = _ops(ledger, person.id, "conflict")
    return person, op.op_id


def _items(ledger: Ledger) -> list[inbox.InboxItem]:
    with ledger.read() as session:
        return inbox.inbox_items(session)


def test_a_conflict_is_listed_with_both_values_who_and_when(ledger: Ledger, township: Township) -> None:
    _, op_id = _conflict(ledger, township, former_name="张山")
    (item,) = _items(ledger)
    assert (item.op_id, item.state, item.record, item.kind) == (op_id, "conflict", "人员“张三”", "修改")
    assert item.mine_by == "王采集（collector1）", "the staff member's name, from the login"
    assert item.mine_at <= utcnow()
    assert "曾用名" in item.reason and item.resolvable and item.mergeable
    (field,) = item.fields
    assert (field.field, field.label, field.mine, field.theirs) == ("former_name", "曾用名", "张山", "张叁")
    assert (field.mine_text, field.theirs_text) == ("张山", "张叁")
    assert item.theirs_by == "", "this laptop's copy does not hold the server's value: who is unknown here"
    with ledger.read() as session:
        status = sync_status(session)
    assert (status.state, status.needs_person) == ("needs_person", 1)


def test_coded_and_sensitive_values_are_shown_in_words_and_masked(ledger: Ledger, township: Township) -> None:
    person = _person(ledger, township)
    _edit(ledger, person.id, sex="1", phone="13909381111")
    _answer_all(ledger, "conflict", conflicts={"sex": "2", "phone": "13800002222"}, server_version=2)
    (item,) = _items(ledger)
    shown = {f.field: (f.mine_text, f.theirs_text, f.mergeable) for f in item.fields}
    assert shown["sex"] == ("男", "女", False)
    assert shown["phone"] == ("139****1111", "138****2222", True)
    assert not item.mergeable, "a coded field is chosen, not typed"


def test_keep_mine_queues_my_value_over_the_servers(ledger: Ledger, township: Township) -> None:
    person, op_id = _conflict(ledger, township, former_name="张山")
    with ledger.write() as tx:
        inbox.keep_mine(tx, op_id)
    assert _items(ledger) == []
    ((resolved,),) = [_ops(ledger, person.id, "resolved")]
    assert resolved.op_id == op_id
    (fresh,) = _ops(ledger, person.id, "pending")
    assert fresh.changes == {"former_name": ["张叁", "张山"]}, "old is the server's value: the merge takes it"
    assert fresh.base_version == 3, "based on the server's version"
    with ledger.read() as session:
        kept = session.get(Person, person.id)
        assert kept is not None and kept.former_name == "张山" and kept.version == 4
        status = sync_status(session)
    assert (status.state, status.needs_person, status.waiting) == ("not_enrolled", 0, 1)
    with pytest.raises(inbox.InboxError, match="已经处理过"), ledger.write() as tx:
        inbox.keep_mine(tx, op_id)


def test_keep_theirs_takes_the_servers_value_and_still_sends_the_fields_it_did_not_dispute(
    ledger: Ledger, township: Township
) -> None:
    person, op_id = _conflict(ledger, township, former_name="张山", occupation="果农")
    with ledger.write() as tx:
        inbox.keep_theirs(tx, op_id)
    (fresh,) = _ops(ledger, person.id, "pending")
    assert fresh.changes == {"occupation": ["", "果农"]}
    with ledger.read() as session:
        kept = session.get(Person, person.id)
        assert kept is not None and (kept.former_name, kept.occupation) == ("张叁", "果农")


def test_merge_sends_the_typed_value(ledger: Ledger, township: Township) -> None:
    person, op_id = _conflict(ledger, township, former_name="张山")
    with ledger.write() as tx:
        inbox.merge(tx, op_id, {"former_name": "张山（张叁）"})
    (fresh,) = _ops(ledger, person.id, "pending")
    assert fresh.changes == {"former_name": ["张叁", "张山（张叁）"]}


def test_a_later_edit_of_the_same_field_is_left_to_its_own_operation(
    ledger: Ledger, township: Township
) -> None:
    person, op_id = _conflict(ledger, township, former_name="张山", occupation="果农")
    _edit(ledger, person.id, former_name="张珊")
    with ledger.write() as tx:
        inbox.keep_mine(tx, op_id)
    later, resent = _ops(ledger, person.id, "pending")
    assert later.changes == {"former_name": ["张山", "张珊"]}
    assert resent.changes == {"occupation": ["", "果农"]}
    with ledger.read() as session:
        kept = session.get(Person, person.id)
        assert kept is not None and kept.former_name == "张珊", "the newest typing stays"


def test_an_edit_of_a_record_deleted_on_the_server_can_restore_it(ledger: Ledger, township: Township) -> None:
    person = _person(ledger, township)
    _edit(ledger, person.id, occupation="果农")
    _answer_all(ledger, "conflict", conflicts={}, server_version=2, reason="记录已被删除")
    (item,) = _items(ledger)
    assert [(f.label, f.mine_text, f.theirs_text) for f in item.fields] == [("已删除", "否", "是")]
    with ledger.write() as tx:
        inbox.keep_mine(tx, item.op_id)
    (fresh,) = _ops(ledger, person.id, "pending")
    assert fresh.changes == {"occupation": ["", "果农"], "deleted": [True, False]}
    with ledger.read() as session:
        kept = session.get(Person, person.id)
        assert kept is not None and not kept.deleted and kept.occupation == "果农"


def test_a_rejection_is_acknowledged_and_what_was_saved_stays(ledger: Ledger, township: Township) -> None:
    person = _person(ledger, township)
    _edit(ledger, person.id, occupation="果农")
    _answer_all(ledger, "rejected", reason="本设备只能修改登记时分配的网格")
    (item,) = _items(ledger)
    assert (item.state, item.reason, item.fields) == ("rejected", "本设备只能修改登记时分配的网格", ())
    assert item.summary == "职业：果农" and not item.resolvable
    with pytest.raises(inbox.InboxError), ledger.write() as tx:
        inbox.keep_mine(tx, item.op_id)
    with ledger.write() as tx:
        inbox.dismiss(tx, item.op_id)
    assert _items(ledger) == []
    assert [op.op_id for op in _ops(ledger, person.id, "dismissed")] == [item.op_id]
    assert _ops(ledger, person.id, "pending") == []
    with ledger.read() as session:
        kept = session.get(Person, person.id)
        assert kept is not None and kept.occupation == "果农"
        assert sync_status(session).needs_person == 0


def test_badges_name_households_whose_record_or_members_wait(ledger: Ledger, township: Township) -> None:
    with ledger.write() as tx:
        saved = [
            households.register_household(
                tx,
                grid_id=township.grid_a.id,
                address=f"李家村{n}号",
                members=[{"name": f"户主{n}", "relation": "02"}],
            ).record.id
            for n in range(3)
        ]
    quiet, member_waits, own_conflict = saved
    with ledger.read() as session:
        assert inbox.household_badges(session, saved) == dict.fromkeys(saved, "pending")
    _answer_all(ledger, "sent")
    with ledger.read() as session:
        assert inbox.household_badges(session, saved) == {}
        member = session.scalar(select(Person).where(Person.household_id == member_waits))
        household = session.get(Household, own_conflict)
    assert member is not None and household is not None
    _edit(ledger, member.id, occupation="果农")
    with ledger.write() as tx:
        households.update_household(tx, tx.session.merge(household), note="低保户")
    with ledger.write() as tx:
        tx.session.execute(
            update(OutboxOp)
            .where(OutboxOp.record_id == own_conflict, OutboxOp.state == "pending")
            .values(state="conflict")
        )
    with ledger.read() as session:
        assert inbox.household_badges(session, saved) == {
            member_waits: "pending",
            own_conflict: "needs_person",
        }
        assert inbox.household_badges(session, [quiet]) == {}


# -- against the real server -------------------------------------------------------------------------------
def test_merge_and_keep_theirs_reach_the_other_laptop(laptops: Laptops) -> None:
    register_family(laptops.a, laptops)
    run_sync(laptops.a)
    run_sync(laptops.b)
    first, second = person_id(laptops.a, "曾广才"), person_id(laptops.a, "单桂兰")
    _edit(laptops.b, first, former_name="曾广财")
    _edit(laptops.b, second, former_name="单桂莲")
    _edit(laptops.a, first, former_name="曾光才")
    _edit(laptops.a, second, former_name="单贵兰", occupation="果农")
    run_sync(laptops.b)
    assert run_sync(laptops.a).needs_person == 2
    by_record = {item.record_id: item for item in _items(laptops.a)}
    assert {f.theirs for item in by_record.values() for f in item.fields} == {"曾广财", "单桂莲"}
    with laptops.a.write() as tx:
        inbox.merge(tx, by_record[first].op_id, {"former_name": "曾广财、曾光才"})
        inbox.keep_theirs(tx, by_record[second].op_id)
    report = run_sync(laptops.a)
    assert (report.applied, report.needs_person, report.waiting) == (2, 0, 0)
    run_sync(laptops.b)
    for ledger in (laptops.a, laptops.b):
        with ledger.read() as session:
            one, two = session.get(Person, first), session.get(Person, second)
            assert one is not None and one.former_name == "曾广财、曾光才"
            assert two is not None and (two.former_name, two.occupation) == ("单桂莲", "果农")
