"""Laptops and the township server, for real: separate encrypted ledgers, the server as a subprocess on
loopback. What one laptop saves reaches the other once; a retry after a lost answer is a duplicate, never a second
record; edits to different fields merge; the same field edited twice waits for a person; offline loses nothing."""

from __future__ import annotations

import gc
import http.server
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.bulk import SET_ASIDE
from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import EventParty, Household, OutboxOp, Person
from app.search import search_people
from app.services import households, persons, work
from sync.client import Backoff, SyncClient, SyncError
from sync.engine import (
    INDEX_STALE,
    SyncReport,
    client_for,
    one_run_at_a_time,
    pending_operations,
    pull_changes,
    read_state,
    run_sync,
)
from sync.protocol import PushRequest
from tests.conftest import PASSPHRASE
from tests.sync.conftest import Laptops, Server, start_server

ID_1 = make_id_number("620502", date(1966, 4, 12), 17)
ID_2 = make_id_number("620502", date(1969, 8, 3), 28)


def quick(ledger: Ledger) -> SyncClient:
    client = client_for(ledger)
    client.backoff = Backoff(attempts=2, base=0.01)
    return client


def register_family(ledger: Ledger, laptops: Laptops) -> str:
    with ledger.write() as tx:
        house = households.register_household(
            tx,
            grid_id=laptops.township.grid_a.id,
            address="李家村四组7号",
            members=[
                {"name": "曾广才", "id_number": ID_1, "relation": "02"},
                {"name": "单桂兰", "id_number": ID_2, "relation": "10"},
            ],
        ).record
    return house.id


def family_on_both(laptops: Laptops, name: str) -> str:
    """The family registered on laptop a and synced to b; the id of the member called ``name``."""
    register_family(laptops.a, laptops)
    run_sync(laptops.a)
    run_sync(laptops.b)
    return person_id(laptops.a, name)


def count(ledger: Ledger, model: type, **where: object) -> int:
    with ledger.read() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def person_id(ledger: Ledger, name: str) -> str:
    with ledger.read() as session:
        found = session.scalar(select(Person.id).where(Person.name == name))
    assert found is not None
    return found


def test_the_grid_tree_reaches_new_laptops_and_their_outbox_starts_empty(laptops: Laptops) -> None:
    for ledger in (laptops.a, laptops.b):
        with ledger.read() as session:
            names = set(session.scalars(select(Person.name)))
            assert names == set()
            from app.models import GridNode

            grids = set(session.scalars(select(GridNode.name)))
        assert {"玉泉镇", "李家村第一网格", "李家村第二网格"} <= grids
        assert count(ledger, OutboxOp, state="pending") == 0
        assert count(ledger, OutboxOp, state="rejected") == 0


def test_a_household_saved_on_one_laptop_reaches_the_other_once(laptops: Laptops) -> None:
    house = register_family(laptops.a, laptops)
    report = run_sync(laptops.a)
    assert report.applied == 3 and report.waiting == 0 and report.needs_person == 0
    report_b = run_sync(laptops.b)
    assert report_b.pulled >= 3
    with laptops.b.read() as session:
        assert [h.name for h in search_people(session, "zgc")] == ["曾广才"]
        stored = session.get(Household, house)
        assert stored is not None and stored.head_id == person_id(laptops.b, "曾广才")
    assert count(laptops.b, OutboxOp, state="pending") == 0, "what was pulled is not sent back"
    run_sync(laptops.b)
    run_sync(laptops.a)
    assert count(laptops.a, Person) == count(laptops.b, Person) == 2


def test_a_lost_answer_is_retried_and_answered_duplicate(laptops: Laptops, server: Server) -> None:
    register_family(laptops.a, laptops)
    with laptops.a.read() as session:
        request = PushRequest(batch_id="lost-answer", operations=pending_operations(session, 500))
    client = client_for(laptops.a)
    client.push(request)  # the server commits; the laptop never hears the answer
    client.close()
    assert count(laptops.a, OutboxOp, state="pending") == 3
    report = run_sync(laptops.a)
    assert report.duplicates == 3 and report.applied == 0 and report.waiting == 0
    run_sync(laptops.b)
    assert count(laptops.b, Person) == 2 and count(laptops.b, Household) == 1


def test_edits_to_different_fields_merge(laptops: Laptops) -> None:
    pid = family_on_both(laptops, "曾广才")
    with laptops.a.write() as tx:
        persons.update_person(tx, tx.session.get(Person, pid), phone="13909381111")  # type: ignore[arg-type]
    with laptops.b.write() as tx:
        persons.update_person(tx, tx.session.get(Person, pid), occupation="果农")  # type: ignore[arg-type]
    assert run_sync(laptops.a).applied == 1
    assert run_sync(laptops.b).applied == 1
    run_sync(laptops.a)
    for ledger in (laptops.a, laptops.b):
        with ledger.read() as session:
            person = session.get(Person, pid)
            assert person is not None and (person.phone, person.occupation) == ("13909381111", "果农")


def test_the_same_field_edited_differently_waits_for_a_person(laptops: Laptops) -> None:
    pid = family_on_both(laptops, "单桂兰")
    with laptops.a.write() as tx:
        persons.update_person(tx, tx.session.get(Person, pid), former_name="单贵兰")  # type: ignore[arg-type]
    with laptops.b.write() as tx:
        persons.update_person(tx, tx.session.get(Person, pid), former_name="单桂莲")  # type: ignore[arg-type]
    run_sync(laptops.a)
    report = run_sync(laptops.b)
    assert report.conflicts == 1 and report.needs_person == 1
    with laptops.b.read() as session:
        op = session.scalar(select(OutboxOp).where(OutboxOp.state == "conflict"))
        assert op is not None and op.conflicts == {"former_name": "单贵兰"}
        assert op.reason and "曾用名" in op.reason
        # the record shows the server's value; what this laptop's user typed waits in the inbox for a person
        assert op.changes == {"former_name": ["", "单桂莲"]}
        shown = session.get(Person, pid)
        assert shown is not None and shown.former_name == "单贵兰"


def test_a_change_merged_without_a_new_version_still_reaches_the_laptop(laptops: Laptops) -> None:
    """b's own edit raised its local version to the number the server gave a's edit; b must still get a's."""
    pid = family_on_both(laptops, "曾广才")
    with laptops.a.write() as tx:
        persons.update_person(
            tx,
            tx.session.get(Person, pid),
            phone="13909381111",
            occupation="果农",  # type: ignore[arg-type]
        )
    with laptops.b.write() as tx:
        persons.update_person(tx, tx.session.get(Person, pid), phone="13909381111")  # type: ignore[arg-type]
    run_sync(laptops.a)
    report = run_sync(laptops.b)
    assert report.applied == 1 and report.needs_person == 0
    with laptops.b.read() as session:
        person = session.get(Person, pid)
        assert person is not None and (person.phone, person.occupation) == ("13909381111", "果农")


def test_offline_keeps_every_change_and_the_next_sync_sends_them(laptops: Laptops, server: Server) -> None:
    register_family(laptops.a, laptops)
    server.stop()
    client = quick(laptops.a)
    with pytest.raises(SyncError) as failed:
        run_sync(laptops.a, client)
    assert failed.value.offline and "连不上" in failed.value.message
    assert count(laptops.a, OutboxOp, state="pending") == 3
    again = start_server(server.db)
    try:
        client.base_url = again.url
        report = run_sync(laptops.a, client)
        assert report.applied == 3 and report.waiting == 0
    finally:
        again.stop()


class _Portal(http.server.BaseHTTPRequestHandler):
    def _page(self) -> None:
        body = "<html><body>请登录酒店网络</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _page

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def portal() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_a_captive_portal_page_is_not_an_acknowledgement(laptops: Laptops, portal: str) -> None:
    register_family(laptops.a, laptops)
    client = quick(laptops.a)
    client.base_url = portal
    with pytest.raises(SyncError, match="不是乡镇服务器的应答"):
        run_sync(laptops.a, client)
    assert count(laptops.a, OutboxOp, state="pending") == 3


def test_one_sync_at_a_time_per_profile(laptops: Laptops) -> None:
    with one_run_at_a_time(laptops.a), pytest.raises(SyncError, match="另一个同步正在进行"):
        run_sync(laptops.a)


def test_a_revoked_laptop_keeps_its_queue(laptops: Laptops, server: Server) -> None:
    register_family(laptops.a, laptops)
    with laptops.a.read() as session:
        device = read_state(session)["device_id"]
    server.admin("revoke", device)
    with pytest.raises(SyncError) as failed:
        run_sync(laptops.a)
    assert failed.value.unauthorised and "吊销" in failed.value.message
    assert count(laptops.a, OutboxOp, state="pending") == 3


def test_the_sync_command_says_where_things_stand_by_exit_code(
    laptops: Laptops, server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from tests.conftest import PASSPHRASE
    from ui.entry import main

    monkeypatch.setenv("GRIDDESK_PASSPHRASE", PASSPHRASE)
    folder = str(laptops.a.path.parent)
    register_family(laptops.a, laptops)
    assert main(["--profile", folder, "outbox", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["operations"]) == 3
    assert main(["--profile", folder, "sync", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["state"] == "sent" and out["applied"] == 3
    pid = person_id(laptops.a, "曾广才")
    for ledger, value in ((laptops.b, "果农"), (laptops.a, "菜农")):
        run_sync(ledger)
        with ledger.write() as tx:
            persons.update_person(tx, tx.session.get(Person, pid), occupation=value)  # type: ignore[arg-type]
    run_sync(laptops.b)
    assert main(["--profile", folder, "sync", "--json"]) == 4
    assert json.loads(capsys.readouterr().out)["state"] == "needs_person"


def test_a_refused_edit_leaves_the_record_as_the_server_has_it(laptops: Laptops) -> None:
    """b pulled a's edit while its own edit of the same field waited (so kept its value); the conflict answer
    itself brings the server's value, since no later pull would."""
    pid = family_on_both(laptops, "曾广才")
    with laptops.b.write() as tx:
        persons.update_person(tx, tx.session.get(Person, pid), occupation="菜农")  # type: ignore[arg-type]
    with laptops.a.write() as tx:
        persons.update_person(tx, tx.session.get(Person, pid), occupation="果农")  # type: ignore[arg-type]
    run_sync(laptops.a)
    client = client_for(laptops.b)
    pull_changes(laptops.b, client, SyncReport())  # b's pending field keeps b's value
    with laptops.b.read() as session:
        kept = session.get(Person, pid)
        assert kept is not None and kept.occupation == "菜农"
    report = run_sync(laptops.b, client)
    client.close()
    assert report.conflicts == 1
    with laptops.b.read() as session:
        shown = session.get(Person, pid)
        assert shown is not None and shown.occupation == "果农"
        op = session.scalar(select(OutboxOp).where(OutboxOp.state == "conflict"))
        assert op is not None and op.changes["occupation"][1] == "菜农", (
            "what b's user typed waits in the inbox"
        )


def test_a_party_living_in_another_grid_does_not_stop_a_village_pull(laptops: Laptops) -> None:
    """A drainage-ditch dispute in grid A with a neighbour registered in grid B: laptops of A do not have the
    neighbour, so the party's link is left empty there (the server keeps it); the pull goes on."""
    township = laptops.township
    with laptops.office.write() as tx:
        neighbour = households.register_household(
            tx, grid_id=township.grid_b.id, address="李家村五组3号",
            members=[{"name": "仇立新", "id_number": ID_2, "relation": "02"}],
        ).record  # fmt: skip
        person = tx.session.scalar(select(Person).where(Person.household_id == neighbour.id))
        assert person is not None
        work.report_event(
            tx, grid_id=township.grid_a.id, title="排水沟纠纷", occurred_on=date(2026, 11, 20),
            parties=[{"name": "仇立新", "person_id": person.id}],
        )  # fmt: skip
        neighbour_id = person.id
    run_sync(laptops.office)
    report = run_sync(laptops.a)
    assert report.pulled >= 2
    with laptops.a.read() as session:
        party = session.scalar(select(EventParty))
        assert party is not None and party.name == "仇立新" and party.person_id is None
        assert session.get(Person, neighbour_id) is None, "grid B's people stay off grid A's laptops"
    with laptops.office.read() as session:
        kept = session.scalar(select(EventParty))
        assert kept is not None and kept.person_id == neighbour_id
    assert count(laptops.a, OutboxOp, state="pending") == 0, "the empty link is not sent back"


def test_enrolling_without_a_server_says_so_and_leaves_the_laptop_unenrolled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import PASSPHRASE
    from tests.sync.conftest import free_port
    from ui.entry import main

    monkeypatch.setenv("GRIDDESK_PASSPHRASE", PASSPHRASE)
    folder = tmp_path / "new-laptop"
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["--profile", str(folder), "enrol", "--server", url, "--code", "ABCD2345"]) == 5
    assert f"连不上乡镇服务器 {url}，未登记" in capsys.readouterr().err
    ledger = Ledger.open(folder / "ledger.db", PASSPHRASE, actor="it")  # the new laptop's ledger is made
    try:
        with ledger.read() as session:
            assert not read_state(session).get("token")
    finally:
        ledger.close()


def new_laptop(tmp_path: Path, empty_ledger_file: Path, server: Server, grid_id: str) -> Ledger:
    """A laptop enrolled now, after the others have been working: its first pull brings everything."""
    from sync.engine import enrol

    path = tmp_path / "c" / "ledger.db"
    path.parent.mkdir()
    shutil.copyfile(empty_ledger_file, path)
    ledger = Ledger.open(path, PASSPHRASE, actor="c")
    enrol(ledger, server.url, server.admin("enrol-code", "--grids", grid_id), "采集员丙")
    return ledger


def indexes(ledger: Ledger) -> list[tuple[str, str]]:
    with ledger.read() as session:
        found = session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        )
        return [(name, sql) for name, sql in found]


def test_a_first_pull_builds_the_search_keys_once_at_its_end(
    laptops: Laptops, server: Server, tmp_path: Path, empty_ledger_file: Path
) -> None:
    stages: list[str] = []
    collecting: set[bool] = set()

    def note(stage: str, _n: int) -> None:
        stages.append(stage)
        collecting.add(gc.isenabled())

    register_family(laptops.a, laptops)
    run_sync(laptops.a, progress=note)
    assert "上传" in stages and collecting == {False}, "the cycle collector waits while the batches go out"
    laptop = new_laptop(tmp_path, empty_ledger_file, server, laptops.township.grid_a.id)
    try:
        before = indexes(laptop)
        stages.clear()
        run_sync(laptop, progress=note)
        assert stages[-1] == "建立索引"
        assert collecting == {False}, "and while the pages go in"
        assert gc.isenabled(), "and runs again after the sync"
        assert indexes(laptop) == before, "the indexes set aside for the load are all there again"
        with laptop.read() as session:
            assert [h.name for h in search_people(session, "zgc")] == ["曾广才"]
            assert [h.name for h in search_people(session, ID_2[-6:])] == ["单桂兰"]
            assert not read_state(session)[INDEX_STALE]
        # Later pulls index page by page: no rebuild.
        with laptops.a.write() as tx:
            households.register_household(
                tx, grid_id=laptops.township.grid_a.id, members=[{"name": "解放", "relation": "02"}]
            )
        run_sync(laptops.a)
        stages.clear()
        run_sync(laptop, progress=lambda stage, _n: stages.append(stage))
        assert "建立索引" not in stages
        with laptop.read() as session:
            assert [h.name for h in search_people(session, "xiefang")] == ["解放"]
    finally:
        laptop.close()


def test_a_first_pull_cut_short_builds_its_search_keys_when_it_finishes(
    laptops: Laptops, server: Server, tmp_path: Path, empty_ledger_file: Path
) -> None:
    register_family(laptops.a, laptops)
    run_sync(laptops.a)
    laptop = new_laptop(tmp_path, empty_ledger_file, server, laptops.township.grid_a.id)
    try:

        def cut_after_the_first_page(stage: str, _count: int) -> None:
            if stage == "下载":
                raise SyncError("the network went away", offline=True)

        before = indexes(laptop)
        client = quick(laptop)
        with pytest.raises(SyncError):
            pull_changes(laptop, client, SyncReport(), progress=cut_after_the_first_page, page_size=3)
        client.close()
        with laptop.read() as session:
            state = read_state(session)
            assert state[INDEX_STALE] and state["cursor"] > 0
            assert count(laptop, Person) == 0 or search_people(session, "zgc") == []
            set_aside = {name for name, _sql in state[SET_ASIDE]}
        assert "ix_person_name_id" in set_aside and "ix_person_household_id" not in set_aside
        assert {name for name, _sql in indexes(laptop)} == {name for name, _sql in before} - set_aside
        run_sync(laptop)  # the pull goes on from its cursor, then builds every key and index
        with laptop.read() as session:
            assert [h.name for h in search_people(session, "zgc")] == ["曾广才"]
            assert not read_state(session)[INDEX_STALE] and SET_ASIDE not in read_state(session)
        assert indexes(laptop) == before
    finally:
        laptop.close()
