"""The server's merge rules, through ``Store`` directly on each backend: workflow moves checked against the state
graphs of app.rules, the township's own moves, identity fields that go to a person, edit vs delete, and the
tombstone a grid move files for the old grid."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import func, select

from app.rules.errands import ErrandState
from app.rules.events import EventState
from server.store import ENTITIES, REASON_DELETED, Device, Store, change_log, records
from server.store import _compiled as store_compiled
from sync.protocol import Change, Operation, OpResult, OpStatus, PullResponse, PushRequest
from tests.server.conftest import GRID_A, GRID_B

ITEM = "0190a1b2-0000-7000-8000-0000000000e1"

E = EventState
R = ErrandState


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Desk:
    """An enrolled device and the person using it, making operations as a laptop's write path does."""

    store: Store
    device: Device
    actor: str

    def push(self, *ops: Operation) -> list[OpResult]:
        answer = self.store.push(self.device, PushRequest(batch_id=new_id(), operations=list(ops)))
        return answer.results

    def op(
        self,
        kind: str,
        entity: str,
        record_id: str,
        changes: dict[str, list[Any]],
        base_version: int = 0,
        grid: str | None = GRID_A,
    ) -> Operation:
        return Operation(
            op_id=new_id(), entity=entity, record_id=record_id, grid_id=grid, kind=kind,  # type: ignore[arg-type]
            changes=changes, base_version=base_version, created_at=datetime.now(UTC), actor=self.actor,
        )  # fmt: skip

    def create(self, entity: str, record_id: str, grid: str = GRID_A, **values: Any) -> OpResult:
        changes = {name: [None, value] for name, value in (values | {"grid_id": grid}).items()}
        (result,) = self.push(self.op("create", entity, record_id, changes, 0, grid))
        assert result.status is OpStatus.APPLIED, result.reason
        return result

    def change(
        self, entity: str, record_id: str, base: int, grid: str = GRID_A, **changes: tuple[Any, Any]
    ) -> Operation:
        return self.op("update", entity, record_id, {k: list(v) for k, v in changes.items()}, base, grid)

    def update(
        self, entity: str, record_id: str, base: int, grid: str = GRID_A, **changes: tuple[Any, Any]
    ) -> OpResult:
        (result,) = self.push(self.change(entity, record_id, base, grid, **changes))
        return result

    def delete(self, entity: str, record_id: str, base: int) -> OpResult:
        (result,) = self.push(self.op("delete", entity, record_id, {"deleted": [False, True]}, base))
        return result

    def pull(self, limit: int = 2000) -> list[Change]:
        found: list[Change] = []
        cursor, more = 0, True
        while more:
            page = PullResponse.model_validate_json(self.store.pull(self.device, cursor, limit))
            found += page.changes
            cursor, more = page.cursor, page.more
        return found


def desk(store: Store, actor: str, *grids: str, township: bool = False) -> Desk:
    answer = store.enrol(store.create_enrol_code(list(grids), township=township), f"{actor} 的笔记本")
    device = store.device_for_token(answer.token)
    assert device is not None
    return Desk(store, device, actor)


def stored(store: Store, entity: str, record_id: str) -> Any:
    """The record as the server keeps it (a ``records`` row)."""
    with store.engine.connect() as conn:
        return conn.execute(
            select(records).where(records.c.entity == entity, records.c.record_id == record_id)
        ).one()


def log_rows(store: Store, record_id: str) -> int:
    with store.engine.connect() as conn:
        count = conn.scalar(
            select(func.count()).select_from(change_log).where(change_log.c.record_id == record_id)
        )
    return int(count or 0)


def shown(moment: datetime) -> str:
    """A stored UTC time as reasons show it: Beijing time, month, day, hours and minutes."""
    local = moment.replace(tzinfo=UTC) + timedelta(hours=8)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


@dataclass
class Office:
    """The township's device and two village laptops of grid A."""

    township: Desk
    one: Desk
    two: Desk


@pytest.fixture
def office(store: Store) -> Office:
    return Office(
        desk(store, "乡镇值班员", township=True),
        desk(store, "采集员甲", GRID_A),
        desk(store, "采集员乙", GRID_A),
    )


def township_moves(office: Office, entity: str, record_id: str, states: list[str]) -> int:
    """The township moves a record made at version 1 in ``states[0]`` through the rest; its version after."""
    for version, (before, after) in enumerate(pairwise(states), start=1):
        result = office.township.update(entity, record_id, version, state=(before, after))
        assert result.status is OpStatus.APPLIED, result.reason
    return len(states)


def event_in(office: Office, state: str) -> tuple[str, int]:
    """An event of grid A the township brought to ``state`` through valid moves; its id and version."""
    path = [E.DRAFT, E.REPORTED, E.ACCEPTED, E.IN_PROGRESS, E.HANDLED, E.VERIFYING]
    event = new_id()
    office.one.create("event", event, title="村口路灯不亮", occurred_on="2024-05-01", state=E.DRAFT)
    return event, township_moves(office, "event", event, path[: path.index(E(state)) + 1])


def errand_in(office: Office, state: str) -> tuple[str, int]:
    """An errand of grid A the township brought to ``state`` through valid moves; its id and version."""
    path = [R.REGISTERED, R.RECEIVED, R.SENT_TO_TOWNSHIP, R.PROCESSING]
    errand = new_id()
    office.one.create(
        "errand",
        errand,
        applicant_name="曾广才",
        item_id=ITEM,
        registered_on="2024-05-01",
        state=R.REGISTERED,
    )
    return errand, township_moves(office, "errand", errand, path[: path.index(R(state)) + 1])


# -- workflow moves ---------------------------------------------------------------------------------------------
def test_a_village_laptop_moves_an_event_along_its_graph(office: Office) -> None:
    event, version = event_in(office, E.ACCEPTED)
    result = office.one.update("event", event, version, state=(E.ACCEPTED, E.IN_PROGRESS))
    assert result.status is OpStatus.APPLIED and result.version == version + 1
    assert stored(office.township.store, "event", event).values["state"] == E.IN_PROGRESS


def test_a_stale_move_is_rejected_naming_the_current_state_who_set_it_and_when(office: Office) -> None:
    store = office.township.store
    event, version = event_in(office, E.REPORTED)
    accepted = office.township.update("event", event, version, state=(E.REPORTED, E.ACCEPTED))
    assert accepted.status is OpStatus.APPLIED
    set_at = stored(store, "event", event).changed_at
    # someone else edits another field afterwards: that is not who set the state
    office.two.update("event", event, version + 1, description=("", "灯杆倾斜"))
    logged = log_rows(store, event)

    result = office.one.update("event", event, version, state=(E.REPORTED, E.WITHDRAWN))
    assert result.status is OpStatus.REJECTED
    assert result.conflicts == {"state": E.ACCEPTED}
    assert result.reason == (
        f"事件“村口路灯不亮”已由 乡镇值班员 于 {shown(set_at)} 改为“受理”，您的“撤回”未生效；请刷新后查看，按当前状态办理"
    )
    after = stored(store, "event", event)
    assert after.values["state"] == E.ACCEPTED and after.version == version + 2
    assert log_rows(store, event) == logged


def test_who_set_the_state_is_found_in_the_same_batch_too(office: Office) -> None:
    event, version = event_in(office, E.REPORTED)
    accept = office.township.change("event", event, version, state=(E.REPORTED, E.ACCEPTED))
    edit = office.township.change("event", event, version + 1, description=("", "灯杆倾斜"))
    stale = office.township.change("event", event, version, state=(E.REPORTED, E.RETURNED))
    results = office.township.push(
        accept,
        edit.model_copy(update={"actor": "另一位值班员"}),
        stale.model_copy(update={"actor": "第三位值班员"}),
    )
    assert [r.status for r in results] == [OpStatus.APPLIED, OpStatus.APPLIED, OpStatus.REJECTED]
    assert "已由 乡镇值班员 于" in results[2].reason
    assert "“受理”" in results[2].reason and "“退回”" in results[2].reason


def test_a_move_still_valid_from_the_state_someone_else_set_is_applied(office: Office) -> None:
    event, version = event_in(office, E.REPORTED)
    assert (
        office.township.update("event", event, version, state=(E.REPORTED, E.RETURNED)).status
        is OpStatus.APPLIED
    )
    # the reporter withdraws, having seen it reported: withdrawing is a move of 退回 too
    result = office.one.update("event", event, version, state=(E.REPORTED, E.WITHDRAWN))
    assert result.status is OpStatus.APPLIED, result.reason
    assert stored(office.township.store, "event", event).values["state"] == E.WITHDRAWN


def test_a_move_to_the_state_the_server_already_has_is_applied_without_a_new_version(office: Office) -> None:
    event, version = event_in(office, E.DRAFT)
    assert office.two.update("event", event, version, state=(E.DRAFT, E.REPORTED)).status is OpStatus.APPLIED
    result = office.one.update("event", event, version, state=(E.DRAFT, E.REPORTED))
    assert result.status is OpStatus.APPLIED and result.version == version + 1


def test_a_stale_errand_move_is_rejected_with_the_townships_decision(office: Office) -> None:
    errand, version = errand_in(office, R.SENT_TO_TOWNSHIP)
    refused = office.township.update("errand", errand, version, state=(R.SENT_TO_TOWNSHIP, R.REFUSED))
    assert refused.status is OpStatus.APPLIED
    result = office.one.update("errand", errand, version, state=(R.SENT_TO_TOWNSHIP, R.NEEDS_MORE))
    assert result.status is OpStatus.REJECTED
    assert result.reason.startswith("代办件“曾广才”已由 乡镇值班员 于 ")
    assert "改为“不予办理”，您的“通知补件”未生效" in result.reason


@pytest.mark.parametrize(
    ("entity", "state", "move"),
    [
        ("event", E.REPORTED, (E.REPORTED, E.ACCEPTED)),
        ("event", E.REPORTED, (E.REPORTED, E.NOT_ACCEPTED)),
        ("event", E.VERIFYING, (E.VERIFYING, E.CLOSED)),
        ("errand", R.SENT_TO_TOWNSHIP, (R.SENT_TO_TOWNSHIP, R.PROCESSING)),
        ("errand", R.PROCESSING, (R.PROCESSING, R.COMPLETED)),
    ],
)
def test_the_townships_own_moves_are_rejected_from_a_village_laptop_and_made_by_the_township(
    office: Office, entity: str, state: str, move: tuple[str, str]
) -> None:
    record, version = (event_in if entity == "event" else errand_in)(office, state)
    result = office.one.update(entity, record, version, state=move)
    assert result.status is OpStatus.REJECTED
    assert "只能由乡镇操作" in result.reason
    assert stored(office.township.store, entity, record).values["state"] == state

    assert office.township.update(entity, record, version, state=move).status is OpStatus.APPLIED
    assert stored(office.township.store, entity, record).values["state"] == move[1]


def test_a_village_laptop_cannot_create_a_record_already_in_a_township_state(office: Office) -> None:
    changes = {
        "title": [None, "村口路灯不亮"],
        "occurred_on": [None, "2024-05-01"],
        "grid_id": [None, GRID_A],
    }
    closed = office.one.op("create", "event", new_id(), changes | {"state": [None, E.CLOSED]})
    reported = office.one.op("create", "event", new_id(), changes | {"state": [None, E.REPORTED]})
    refused, made = office.one.push(closed, reported)
    assert refused.status is OpStatus.REJECTED and "新建的事件不能一开始就是“结案”" in refused.reason
    assert made.status is OpStatus.APPLIED, (
        "a laptop that reported offline creates the event already reported"
    )
    imported = office.township.op("create", "event", new_id(), changes | {"state": [None, E.CLOSED]})
    assert office.township.push(imported)[0].status is OpStatus.APPLIED, "the township may bring in old cases"


def test_a_state_change_that_is_no_move_of_the_graph_is_rejected_even_from_the_township(
    office: Office,
) -> None:
    event, version = event_in(office, E.DRAFT)
    result = office.township.update("event", event, version, state=(E.DRAFT, E.CLOSED))
    assert result.status is OpStatus.REJECTED
    assert "不能从“草稿”直接改为“结案”" in result.reason
    assert stored(office.township.store, "event", event).values["state"] == E.DRAFT


def test_a_stored_state_that_is_no_state_of_the_graph_refuses_moves_without_failing_the_push(
    office: Office,
) -> None:
    event = new_id()
    office.township.create("event", event, title="旧版本数据", occurred_on="2024-05-01", state=["draft"])
    result = office.one.update("event", event, 1, state=(E.DRAFT, E.REPORTED))
    assert result.status is OpStatus.REJECTED and "改为“['draft']”" in result.reason


# -- identity fields ----------------------------------------------------------------------------------------------
def test_identity_fields_are_the_ones_the_models_mark() -> None:
    assert ENTITIES["person"].identity == {"name", "id_number", "birth_date", "household_id", "relation"}
    assert ENTITIES["event"].identity == frozenset()


def person(office: Office) -> str:
    """A person of grid A at version 2: made by one laptop, then another laptop changed the phone."""
    pid = new_id()
    office.one.create(
        "person", pid, name="张三", id_number="620502196604121733", birth_date="1966-04-12", relation="02",
        household_id="0190a1b2-0000-7000-8000-0000000000c1", phone="1",
    )  # fmt: skip
    assert office.two.update("person", pid, 1, phone=("1", "2")).status is OpStatus.APPLIED
    return pid


@pytest.mark.parametrize(
    ("field", "label", "old", "new"),
    [
        ("name", "姓名", "张三", "张山"),
        ("id_number", "证件号码", "620502196604121733", "620502196604121750"),
        ("birth_date", "出生日期", "1966-04-12", "1966-04-21"),
        (
            "household_id",
            "所属户",
            "0190a1b2-0000-7000-8000-0000000000c1",
            "0190a1b2-0000-7000-8000-0000000000c2",
        ),
        ("relation", "与户主关系", "02", "10"),
    ],
)
def test_an_identity_field_changed_on_a_record_changed_since_goes_to_a_person(
    office: Office, field: str, label: str, old: str, new: str
) -> None:
    pid = person(office)
    result = office.one.update("person", pid, 1, **{field: (old, new)})
    assert result.status is OpStatus.CONFLICT
    assert result.conflicts == {field: old}
    assert f"“{label}”是身份信息" in result.reason and "须由人核对确认" in result.reason
    assert "采集员乙" in result.reason
    assert stored(office.township.store, "person", pid).values[field] == old

    # the same change made with the record as the server has it is applied
    assert office.one.update("person", pid, 2, **{field: (old, new)}).status is OpStatus.APPLIED
    assert stored(office.township.store, "person", pid).values[field] == new


def test_other_fields_of_a_record_changed_since_still_merge(office: Office) -> None:
    pid = person(office)
    result = office.one.update("person", pid, 1, former_name=("", "张老三"))
    assert result.status is OpStatus.APPLIED and result.version == 3


def test_an_identity_change_the_server_already_has_is_applied(office: Office) -> None:
    pid = person(office)
    assert office.two.update("person", pid, 2, name=("张三", "张山")).status is OpStatus.APPLIED
    result = office.one.update("person", pid, 1, name=("张三", "张山"))
    assert result.status is OpStatus.APPLIED and result.version == 3


def test_identity_and_ordinary_conflicts_are_named_together(office: Office) -> None:
    pid = person(office)
    result = office.one.update("person", pid, 1, phone=("1", "3"), name=("张三", "张山"))
    assert result.status is OpStatus.CONFLICT
    assert result.conflicts == {"phone": "2", "name": "张三"}
    assert "“联系电话”已被改成别的值" in result.reason and "“姓名”是身份信息" in result.reason


# -- edit vs delete -----------------------------------------------------------------------------------------------
def test_an_edit_of_a_deleted_record_is_a_conflict_naming_who_deleted_it_and_when(office: Office) -> None:
    store = office.township.store
    pid = person(office)
    assert office.two.delete("person", pid, 2).status is OpStatus.APPLIED
    deleted_at = stored(store, "person", pid).changed_at

    result = office.one.update("person", pid, 2, former_name=("", "张老三"))
    assert result.status is OpStatus.CONFLICT
    assert result.reason.startswith(REASON_DELETED)
    assert f"已由 采集员乙 于 {shown(deleted_at)} 删除" in result.reason
    assert stored(store, "person", pid).deleted is True


def test_a_delete_of_a_record_changed_since_is_a_conflict_and_keeps_the_record(office: Office) -> None:
    store = office.township.store
    pid = person(office)
    changed_at = stored(store, "person", pid).changed_at
    logged = log_rows(store, pid)

    result = office.one.delete("person", pid, 1)
    assert result.status is OpStatus.CONFLICT
    assert result.conflicts == {"deleted": False}
    assert result.reason.startswith(
        f"人员“张三”在本机删除之前已被 采集员乙 于 {shown(changed_at)} 修改，删除未生效"
    )
    after = stored(store, "person", pid)
    assert after.deleted is False and after.version == 2 and log_rows(store, pid) == logged


def test_a_delete_of_the_record_as_the_server_has_it_applies_and_a_second_delete_changes_nothing(
    office: Office,
) -> None:
    store = office.township.store
    pid = person(office)
    assert office.one.delete("person", pid, 2).status is OpStatus.APPLIED
    logged = log_rows(store, pid)

    again = office.two.delete("person", pid, 1)
    assert again.status is OpStatus.APPLIED and again.version == 3
    assert stored(store, "person", pid).deleted is True and log_rows(store, pid) == logged


# -- grid moves ---------------------------------------------------------------------------------------------------
def test_a_record_moved_to_another_grid_leaves_the_old_grids_laptops_only(
    store: Store, office: Office
) -> None:
    in_b, in_both = desk(store, "采集员丙", GRID_B), desk(store, "采集员丁", GRID_A, GRID_B)
    pid = person(office)
    moved = office.township.update(
        "person", pid, 2, grid_id=(GRID_A, GRID_B), residence_address=("", "李家村二组3号")
    )
    assert moved.status is OpStatus.APPLIED and moved.version == 3
    record = stored(store, "person", pid)
    assert (record.grid_id, record.deleted, record.values["grid_id"]) == (GRID_B, False, GRID_B)

    # grid A's laptops: a tombstone filed under A, with what A already had (the new address does not leak)
    (left,) = [c for c in office.one.pull() if c.record_id == pid and c.version == 3]
    assert (left.grid_id, left.deleted, left.changed_by) == (GRID_A, True, "乡镇值班员")
    assert left.values["phone"] == "2" and "residence_address" not in left.values
    # grid B's laptop: the record itself
    (arrived,) = [c for c in in_b.pull() if c.record_id == pid]
    assert (arrived.grid_id, arrived.deleted, arrived.version) == (GRID_B, False, 3)
    assert arrived.values["residence_address"] == "李家村二组3号"
    # devices that read grid B anyway never get the tombstone
    for reader in (in_both, office.township):
        latest = [c for c in reader.pull() if c.record_id == pid][-1]
        assert (latest.grid_id, latest.deleted, latest.version) == (GRID_B, False, 3)

    # moved back, grid A's laptops get it again, and grid B's lose it
    assert office.township.update("person", pid, 3, grid_id=(GRID_B, GRID_A)).status is OpStatus.APPLIED
    back = [c for c in office.one.pull() if c.record_id == pid][-1]
    assert (back.grid_id, back.deleted, back.version) == (GRID_A, False, 4)
    gone = [c for c in in_b.pull() if c.record_id == pid][-1]
    assert (gone.grid_id, gone.deleted, gone.version) == (GRID_B, True, 4)


def test_a_page_of_tombstones_left_out_still_moves_the_cursor_on(store: Store, office: Office) -> None:
    in_both = desk(store, "采集员丁", GRID_A, GRID_B)
    pid = person(office)
    office.township.update("person", pid, 2, grid_id=(GRID_A, GRID_B))
    with store.engine.connect() as conn:
        last = conn.scalar(select(func.max(change_log.c.seq)))
    page = PullResponse.model_validate_json(store.pull(in_both.device, last - 1, 1))  # the tombstone alone
    assert page.changes == [] and page.cursor == last and page.more is False
    assert [c.version for c in in_both.pull(limit=1) if c.record_id == pid] == [1, 2, 3]


def test_a_pull_page_is_the_json_its_models_would_make_field_for_field(store: Store, office: Office) -> None:
    pid = person(office)
    assert office.township.delete("person", pid, 2).status is OpStatus.APPLIED
    body = store.pull(office.township.device, 0, 10)
    page = PullResponse.model_validate_json(body)
    assert json.loads(body) == page.model_dump(mode="json")
    assert [(c.version, c.deleted, c.changed_by) for c in page.changes] == [
        (1, False, "采集员甲"),
        (2, False, "采集员乙"),
        (3, True, "乡镇值班员"),
    ]
    assert page.changes[0].values["name"] == "张三" and page.changes[0].grid_id == GRID_A
    assert all(c.changed_at.tzinfo is not None for c in page.changes)


def test_pushes_reuse_the_compiled_writes_of_the_first(office: Office) -> None:
    """A batch's writes go to the driver compiled once per database (``_compiled``): a statement made anew per
    push would compile again every time and push the others out of the cache."""
    laptop = office.one

    def a_push_of_every_write() -> None:
        person = new_id()
        laptop.create("person", person, name="王芳")  # records insert, change log, answer
        assert (
            laptop.update("person", person, 1, name=("王芳", "王芳芳")).status is OpStatus.APPLIED
        )  # update

    a_push_of_every_write()
    compiled = store_compiled.cache_info()
    a_push_of_every_write()
    again = store_compiled.cache_info()
    assert again.misses == compiled.misses, "a push compiled its writes again"
    assert again.hits > compiled.hits
