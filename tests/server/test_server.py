"""The township sync server over real HTTP on loopback: the server runs as ``python -m server serve`` in a
subprocess, laptops are ``requests`` sessions. Enrolment, tokens, dedupe of retried batches, three-way merge,
grid scoping and paging are checked from the outside, as a laptop sees them."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from server import admin
from server.store import (
    REASON_DELETED,
    REASON_OP_ID_REUSED,
    REASON_TOWNSHIP_DATA,
    REASON_UNSTORABLE,
    Store,
)
from tests.databases import BACKENDS, server_database
from tests.server.conftest import GRID_A, GRID_B

ROOT = Path(__file__).resolve().parents[2]
UNAUTHORIZED = {"code": "unauthorized", "message": "设备未登记、登记已过期或已被吊销，请重新登记"}
TIMEOUT = 10


# -- the server subprocess ------------------------------------------------------------------------------------
@dataclass
class Server:
    url: str
    db: str
    """The SQLAlchemy URL of the server's database."""
    store: Store
    """The same database opened in the test process, for the administrator's set-up (codes)."""

    def enrol(self, *grids: str, township: bool = False, actor: str = "collector1") -> Laptop:
        code = self.store.create_enrol_code(list(grids), township=township)
        answer = requests.post(
            f"{self.url}/v1/enrol", json={"code": code, "device_name": f"{actor} 的笔记本"}, timeout=TIMEOUT
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        return Laptop(self.url, body["token"], body["device_id"], body["epoch"], actor)


@dataclass
class Laptop:
    url: str
    token: str
    device_id: str
    epoch: str
    actor: str
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def push_body(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        answer = self.http.post(f"{self.url}/v1/push", json=body, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        reply = answer.json()
        assert reply["batch_id"] == body["batch_id"]
        assert [r["op_id"] for r in reply["results"]] == [op["op_id"] for op in body["operations"]]
        results: list[dict[str, Any]] = reply["results"]
        return results

    def push(self, *ops: dict[str, Any]) -> list[dict[str, Any]]:
        return self.push_body(batch(*ops))

    def pull(self, cursor: int = 0, limit: int = 2000) -> dict[str, Any]:
        answer = self.http.get(
            f"{self.url}/v1/pull", params={"cursor": cursor, "limit": limit}, timeout=TIMEOUT
        )
        assert answer.status_code == 200, answer.text
        page: dict[str, Any] = answer.json()
        return page

    def changes(self) -> list[dict[str, Any]]:
        """Every change this laptop may see, from the start."""
        page = self.pull()
        assert not page["more"]
        found: list[dict[str, Any]] = page["changes"]
        return found

    def record(self, record_id: str) -> dict[str, Any]:
        """The record as the server has it now (its latest change)."""
        latest = [c for c in self.changes() if c["record_id"] == record_id]
        assert latest, f"record {record_id} not pulled"
        return latest[-1]

    # -- operations as the laptop's write path makes them --------------------------------------------------
    def op(
        self,
        kind: str,
        record_id: str,
        changes: dict[str, list[Any]],
        grid: str | None = GRID_A,
        base_version: int = 0,
        entity: str = "person",
    ) -> dict[str, Any]:
        return {
            "op_id": str(uuid.uuid4()),
            "entity": entity,
            "record_id": record_id,
            "grid_id": grid,
            "kind": kind,
            "changes": changes,
            "base_version": base_version,
            "created_at": "2024-05-01T10:42:00.123456",
            "actor": self.actor,
        }

    def create(self, record_id: str, grid: str | None = GRID_A, **values: Any) -> dict[str, Any]:
        changes = {name: [None, value] for name, value in values.items()}
        if grid is not None:
            changes["grid_id"] = [None, grid]
        changes["deleted"] = [None, False]
        return self.op("create", record_id, changes, grid)

    def update(
        self, record_id: str, base_version: int, grid: str | None = GRID_A, **changes: tuple[Any, Any]
    ) -> dict[str, Any]:
        return self.op("update", record_id, {k: list(v) for k, v in changes.items()}, grid, base_version)

    def delete(self, record_id: str, base_version: int, grid: str | None = GRID_A) -> dict[str, Any]:
        return self.op("delete", record_id, {"deleted": [False, True]}, grid, base_version)


def batch(*ops: dict[str, Any]) -> dict[str, Any]:
    return {"protocol": 1, "batch_id": str(uuid.uuid4()), "operations": list(ops)}


def new_id() -> str:
    return str(uuid.uuid4())


def statuses(results: list[dict[str, Any]]) -> list[str]:
    return [r["status"] for r in results]


def _wait_for_line(process: subprocess.Popen[str], seconds: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=seconds)
    except queue.Empty:
        return ""


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    with server_database(request.param, tmp_path) as db:
        yield from _serve(db, tmp_path)


def _serve(db: str, tmp_path: Path) -> Iterator[Server]:
    store = Store(db)
    store.init_township([GRID_A, GRID_B])
    errors = (tmp_path / "server.err").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--url", db, "--host", "127.0.0.1", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    try:
        line = _wait_for_line(process, 30)
        assert line.startswith("listening on http://127.0.0.1:"), (
            f"server did not start: {line!r}\n{(tmp_path / 'server.err').read_text()}"
        )
        url = line.split()[-1]
        assert requests.get(f"{url}/health", timeout=TIMEOUT).json() == {"ok": True}
        yield Server(url, db, store)
    finally:
        process.kill()
        process.wait()
        errors.close()
        store.close()
        crashes = (tmp_path / "server.err").read_text()
        assert "Traceback" not in crashes, crashes


# -- enrolment and tokens ----------------------------------------------------------------------------------
def test_enrol_code_works_once_and_its_token_authorises_the_laptop(server: Server) -> None:
    code = server.store.create_enrol_code([GRID_A])
    answer = requests.post(
        f"{server.url}/v1/enrol", json={"code": code.lower(), "device_name": "村委会笔记本"}, timeout=TIMEOUT
    )
    assert answer.status_code == 200, answer.text
    enrolled = answer.json()
    assert enrolled["grids"] == [GRID_A]
    assert enrolled["epoch"] == server.store.epoch()
    assert len(enrolled["token"]) >= 40

    again = requests.post(
        f"{server.url}/v1/enrol", json={"code": code, "device_name": "另一台"}, timeout=TIMEOUT
    )
    assert again.status_code == 403
    assert again.json()["code"] == "enrol_refused"
    assert "登记码" in again.json()["message"]

    clock = requests.get(
        f"{server.url}/v1/time", headers={"Authorization": f"Bearer {enrolled['token']}"}, timeout=TIMEOUT
    )
    assert clock.status_code == 200
    assert clock.json()["epoch"] == enrolled["epoch"]
    assert abs(datetime.fromisoformat(clock.json()["now"]) - datetime.now(UTC)) < timedelta(minutes=1)


def test_requests_without_a_token_or_with_a_revoked_one_get_401(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin.main(["admin", "enrol-code", "--url", server.db, "--grids", GRID_A]) == 0
    code = capsys.readouterr().out.strip()
    assert len(code) == 8 and not set(code) & set("0O1I"), code
    enrolled = requests.post(
        f"{server.url}/v1/enrol", json={"code": code, "device_name": "笔记本"}, timeout=TIMEOUT
    ).json()
    laptop = Laptop(server.url, enrolled["token"], enrolled["device_id"], enrolled["epoch"], "collector1")
    assert laptop.push(laptop.create(new_id(), name="张三")) and laptop.pull()["changes"]

    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": enrolled["token"]}):
        for method, path in (("POST", "/v1/push"), ("GET", "/v1/pull"), ("GET", "/v1/time")):
            body = batch() if method == "POST" else None
            answer = requests.request(method, server.url + path, json=body, headers=headers, timeout=TIMEOUT)
            assert answer.status_code == 401, (headers, path, answer.text)
            assert answer.json() == UNAUTHORIZED

    assert admin.main(["admin", "revoke", "--url", server.db, laptop.device_id]) == 0
    for answer in (
        laptop.http.post(f"{server.url}/v1/push", json=batch(laptop.create(new_id())), timeout=TIMEOUT),
        laptop.http.get(f"{server.url}/v1/pull", timeout=TIMEOUT),
        laptop.http.get(f"{server.url}/v1/time", timeout=TIMEOUT),
    ):
        assert answer.status_code == 401
        assert answer.json() == UNAUTHORIZED


def test_wrong_protocol_and_malformed_batches_get_error_bodies_in_chinese(server: Server) -> None:
    laptop = server.enrol(GRID_A)
    future = batch(laptop.create(new_id(), name="张三")) | {"protocol": 2}
    answer = laptop.http.post(f"{server.url}/v1/push", json=future, timeout=TIMEOUT)
    assert answer.status_code == 400
    assert answer.json()["code"] == "protocol"
    assert "协议版本" in answer.json()["message"]

    broken = batch(laptop.create(new_id(), name="张三"))
    del broken["batch_id"]
    answer = laptop.http.post(f"{server.url}/v1/push", json=broken, timeout=TIMEOUT)
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid"
    assert "batch_id" in answer.json()["message"] and "同步协议" in answer.json()["message"]

    assert laptop.changes() == []


# -- push and pull ------------------------------------------------------------------------------------------
def test_created_record_comes_back_in_pull_with_its_seq_cursor_and_the_epoch(server: Server) -> None:
    writer, reader = server.enrol(GRID_A), server.enrol(GRID_A, actor="collector2")
    person = new_id()
    (result,) = writer.push(writer.create(person, name="张三", phone="13800000000"))
    assert result["status"] == "applied" and result["version"] == 1

    page = reader.pull(cursor=0)
    assert page["epoch"] == reader.epoch == server.store.epoch()
    assert page["more"] is False
    (change,) = page["changes"]
    assert change["entity"] == "person" and change["record_id"] == person
    assert change["grid_id"] == GRID_A and change["version"] == 1 and change["deleted"] is False
    assert change["values"] == {"name": "张三", "phone": "13800000000", "grid_id": GRID_A}
    assert change["changed_by"] == "collector1"
    assert page["cursor"] == change["seq"]

    after = reader.pull(cursor=page["cursor"])
    assert after["changes"] == [] and after["cursor"] == page["cursor"] and after["more"] is False


def test_batch_sent_again_after_a_lost_answer_is_answered_duplicate_and_applied_once(server: Server) -> None:
    laptop = server.enrol(GRID_A)
    kept, dropped = new_id(), new_id()
    body = batch(
        laptop.create(kept, name="张三", phone="1"),
        laptop.update(kept, 1, phone=("1", "2")),
        laptop.create(dropped, name="李四"),
        laptop.delete(dropped, 1),
    )
    first = laptop.push_body(body)
    assert statuses(first) == ["applied"] * 4
    assert [r["version"] for r in first] == [1, 2, 1, 2]
    logged = len(laptop.changes())
    assert logged == 4

    # The answer was lost: the laptop sends the very same batch again, and later the same operations in other
    # batches (its batch boundaries moved after a crash).
    again = laptop.push_body(body)
    assert statuses(again) == ["duplicate"] * 4
    assert [r["version"] for r in again] == [1, 2, 1, 2]
    regrouped = laptop.push(*body["operations"][2:]) + laptop.push(*body["operations"][:2])
    assert statuses(regrouped) == ["duplicate"] * 4

    assert len(laptop.changes()) == logged
    assert laptop.record(kept)["values"]["phone"] == "2" and laptop.record(kept)["version"] == 2
    assert laptop.record(dropped)["deleted"] is True


def test_full_batch_retried_while_the_first_send_still_runs_is_applied_once(server: Server) -> None:
    laptop = server.enrol(GRID_A)
    body = batch(*(laptop.create(new_id(), name=f"人员{i}", phone=str(i)) for i in range(500)))

    def send(_: int) -> list[str]:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {laptop.token}"
        answer = session.post(f"{server.url}/v1/push", json=body, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        return statuses(answer.json()["results"])

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(4)))
    assert sorted(answers) == [["applied"] * 500] + [["duplicate"] * 500] * 3
    assert len(laptop.changes()) == 500


def test_op_id_reused_with_other_content_is_rejected_and_not_applied(server: Server) -> None:
    laptop = server.enrol(GRID_A)
    person = new_id()
    original = laptop.create(person, name="张三")
    assert statuses(laptop.push(original)) == ["applied"]

    tampered = original | {"changes": original["changes"] | {"name": [None, "张叁"]}}
    (result,) = laptop.push(tampered)
    assert result["status"] == "rejected"
    assert result["reason"] == REASON_OP_ID_REUSED
    assert laptop.record(person)["values"]["name"] == "张三"
    assert len(laptop.changes()) == 1
    assert statuses(laptop.push(original)) == ["duplicate"]


# -- three-way merge -----------------------------------------------------------------------------------------
def test_two_laptops_changing_different_fields_of_a_record_both_apply(server: Server) -> None:
    one, two = server.enrol(GRID_A), server.enrol(GRID_A, actor="collector2")
    person = new_id()
    one.push(one.create(person, name="张三", phone="1"))

    assert statuses(one.push(one.update(person, 1, phone=("1", "2")))) == ["applied"]
    # The laptop had "" for the note; the create left the empty field out: the same value.
    (result,) = two.push(two.update(person, 1, note=("", "腿脚不便")))
    assert result["status"] == "applied" and result["version"] == 3

    record = two.record(person)
    assert record["values"] == {"name": "张三", "phone": "2", "note": "腿脚不便", "grid_id": GRID_A}
    assert record["version"] == 3 and record["changed_by"] == "collector2"


def test_same_field_changed_to_different_values_is_a_conflict_carrying_the_server_value(
    server: Server,
) -> None:
    one, two = server.enrol(GRID_A), server.enrol(GRID_A, actor="collector2")
    person = new_id()
    one.push(one.create(person, name="张三", phone="1"))
    one.push(one.update(person, 1, phone=("1", "2")))
    logged = len(one.changes())

    (result,) = two.push(two.update(person, 1, phone=("1", "3"), note=("", "新号码")))
    assert result["status"] == "conflict"
    assert result["conflicts"] == {"phone": "2"}
    assert result["version"] == 2
    assert result["changed_by"] == "collector1" and result["changed_at"]
    assert "联系电话" in result["reason"]

    # Nothing of the operation was applied, not even its field without a conflict.
    record = one.record(person)
    assert record["values"] == {"name": "张三", "phone": "2", "grid_id": GRID_A}
    assert len(one.changes()) == logged


def test_same_field_changed_to_the_same_value_is_applied_without_a_new_version(server: Server) -> None:
    one, two = server.enrol(GRID_A), server.enrol(GRID_A, actor="collector2")
    person = new_id()
    one.push(one.create(person, name="张三", phone="1"))
    one.push(one.update(person, 1, phone=("1", "2")))

    (result,) = two.push(two.update(person, 1, phone=("1", "2")))
    assert result["status"] == "applied" and result["version"] == 2
    assert len(one.changes()) == 2


def test_update_of_a_deleted_record_is_a_conflict(server: Server) -> None:
    one, two = server.enrol(GRID_A), server.enrol(GRID_A, actor="collector2")
    person = new_id()
    one.push(one.create(person, name="张三", phone="1"))
    assert statuses(one.push(one.delete(person, 1))) == ["applied"]

    (result,) = two.push(two.update(person, 1, phone=("1", "2")))
    assert result["status"] == "conflict"
    assert result["reason"].startswith(REASON_DELETED) and "collector1" in result["reason"]
    record = two.record(person)
    assert record["deleted"] is True and record["values"]["phone"] == "1" and record["version"] == 2


# -- grids -------------------------------------------------------------------------------------------------
def test_laptop_of_one_grid_can_neither_write_nor_read_another_grid(server: Server) -> None:
    in_a, in_b = server.enrol(GRID_A), server.enrol(GRID_B, actor="collector2")
    theirs = new_id()
    assert statuses(in_b.push(in_b.create(theirs, GRID_B, name="李四"))) == ["applied"]

    results = in_a.push(
        in_a.create(new_id(), GRID_B, name="王五"),
        # claiming the record is in its own grid does not help
        in_a.update(theirs, 1, GRID_A, name=("李四", "李肆")),
        in_a.delete(theirs, 1, GRID_A),
        in_a.create(new_id(), None, name="乡镇数据"),
    )
    assert statuses(results) == ["rejected"] * 4
    assert all(r["reason"] for r in results)
    assert results[3]["reason"] == REASON_TOWNSHIP_DATA

    mine = new_id()
    in_a.push(in_a.create(mine, name="张三"))
    (moved,) = in_a.push(in_a.update(mine, 1, grid_id=(GRID_A, GRID_B)))
    assert moved["status"] == "rejected"

    assert [c["record_id"] for c in in_a.changes()] == [mine]
    assert [c["record_id"] for c in in_b.changes()] == [theirs]
    assert in_b.record(theirs)["values"]["name"] == "李四"


def test_township_reference_data_reaches_every_grid_and_township_sees_all(server: Server) -> None:
    township = server.enrol(township=True, actor="township")
    in_a, in_b = server.enrol(GRID_A), server.enrol(GRID_B, actor="collector2")
    rule = new_id()
    reference = township.op(
        "create",
        rule,
        {"category": [None, "矛盾纠纷"], "working_days": [None, 5], "deleted": [None, False]},
        grid=None,
        entity="deadline_rule",
    )
    assert statuses(township.push(reference)) == ["applied"]
    in_a.push(in_a.create(new_id(), name="张三"))
    in_b.push(in_b.create(new_id(), GRID_B, name="李四"))

    assert [c["entity"] for c in in_a.changes()] == ["deadline_rule", "person"]
    assert [c["entity"] for c in in_b.changes()] == ["deadline_rule", "person"]
    assert len(township.changes()) == 3
    (refused,) = in_a.push(
        in_a.op("update", rule, {"working_days": [5, 3]}, grid=None, entity="deadline_rule")
    )
    assert refused["status"] == "rejected" and refused["reason"] == REASON_TOWNSHIP_DATA


# -- paging and batches -------------------------------------------------------------------------------------
def test_pull_pages_of_two_return_five_changes_once_in_commit_order(server: Server) -> None:
    writer, reader = server.enrol(GRID_A), server.enrol(GRID_A, actor="collector2")
    people = [new_id() for _ in range(5)]
    writer.push(*(writer.create(p, name=f"人员{i}") for i, p in enumerate(people[:3])))
    writer.push(*(writer.create(p, name=f"人员{i}") for i, p in enumerate(people[3:], 3)))

    seen: list[dict[str, Any]] = []
    pages: list[tuple[int, bool]] = []
    cursor = 0
    while True:
        page = reader.pull(cursor=cursor, limit=2)
        pages.append((len(page["changes"]), page["more"]))
        seen += page["changes"]
        assert page["cursor"] >= cursor
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert pages == [(2, True), (2, True), (1, False)]
    assert [c["record_id"] for c in seen] == people
    seqs = [c["seq"] for c in seen]
    assert seqs == sorted(set(seqs)) and cursor == seqs[-1]
    assert reader.pull(cursor=cursor, limit=2)["changes"] == []


def test_one_bad_operation_in_a_batch_does_not_block_the_ones_after_it(server: Server) -> None:
    laptop = server.enrol(GRID_A)
    first, second = new_id(), new_id()
    results = laptop.push(
        laptop.create(first, name="张三"),
        laptop.update(new_id(), 1, phone=("1", "2")),
        laptop.create(new_id(), GRID_B, name="王五"),
        laptop.create(new_id(), name="赵六", shoe_size=42),
        laptop.op("create", new_id(), {"name": [None, "x"]}, entity="no_such_thing"),
        laptop.create(second, name="李四"),
        laptop.update(first, 1, phone=("", "13800000000")),
    )
    assert statuses(results) == [
        "applied",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "applied",
        "applied",
    ]
    assert results[1]["reason"] == "记录不存在"
    assert "shoe_size" in results[3]["reason"]
    assert laptop.record(first)["values"]["phone"] == "13800000000"
    assert laptop.record(first)["version"] == 2
    assert [c["record_id"] for c in laptop.changes()] == [first, second, first]


def test_nul_characters_are_answered_alike_on_every_backend(server: Server) -> None:
    # PostgreSQL's text columns cannot hold NUL: an id, actor or grid with one is rejected (on SQLite too, so the
    # backends answer alike) instead of failing the whole batch on every retry. Inside values it is kept.
    laptop = server.enrol(GRID_A)
    kept = new_id()
    moved = laptop.create(new_id(), name="王五")
    body = batch(
        laptop.create("a\x00b", name="张三"),
        laptop.create(new_id(), name="李四") | {"actor": "collector\x001"},
        laptop.create(new_id(), name="赵六") | {"op_id": "op\x00id"},
        laptop.create(kept, name="张\x00三"),
        moved,
    )
    expected = ["rejected", "rejected", "rejected", "applied", "applied"]
    results = laptop.push_body(body)
    assert statuses(results) == expected
    assert {r["reason"] for r in results[:3]} == {REASON_UNSTORABLE}
    assert statuses(laptop.push_body(body)) == expected[:3] + ["duplicate"] * 2

    township = server.enrol(township=True, actor="township")
    (refused,) = township.push(township.update(moved["record_id"], 1, grid_id=(GRID_A, "grid\x00")))
    assert refused["status"] == "rejected" and refused["reason"] == REASON_UNSTORABLE

    assert [c["record_id"] for c in laptop.changes()] == [kept, moved["record_id"]]
    assert laptop.record(kept)["values"]["name"] == "张\x00三"

    refused_code = requests.post(
        f"{server.url}/v1/enrol", json={"code": "ABCD\x00EFG", "device_name": "笔记本"}, timeout=TIMEOUT
    )
    assert refused_code.status_code == 403 and refused_code.json()["code"] == "enrol_refused"
    code = server.store.create_enrol_code([GRID_A])
    named = requests.post(
        f"{server.url}/v1/enrol", json={"code": code, "device_name": "笔记\x00本"}, timeout=TIMEOUT
    )
    assert named.status_code == 200, named.text
    assert "笔记本" in [d.name for d in server.store.devices()]
