"""The fault matrix of SYNC.md, on the real server (a subprocess on loopback, SQLite and PostgreSQL), with a fault
proxy between laptop and server, and syncs in subprocesses killed at named points. After each scenario the faults
heal, everyone syncs until quiet, and ``assert_whole`` checks the invariants (see tests/sync/invariants.py).

The numbers in test names are the cases of SYNC.md's list. SIGKILL is not power loss (the OS cache survives):
the ledger's ``synchronous=FULL`` and WAL are what carry the claim over to a power cut.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.engine import make_url

from app.ledger import Ledger
from app.models import Event, GridNode, Household, OutboxOp, Person, SentimentLog
from app.services import persons, work
from server.store import change_log, devices, records
from sync.client import SyncError
from sync.crashpoints import CRASH_AT_ENV
from sync.engine import CRASH_POINTS, SyncReport, enrol, read_state, run_sync
from tests.conftest import PASSPHRASE
from tests.databases import PG_ENV
from tests.sync.conftest import ROOT, Laptops, Server, start_server
from tests.sync.faultproxy import Fault, FaultProxy, http_answer
from tests.sync.invariants import assert_whole, settle
from tests.sync.steps import (
    PULL,
    PUSH,
    client_of,
    edit_phone,
    everyone,
    family,
    first_person,
    griddesk,
    pending,
    through,
)

# -- 1–5, 7, 8: the network between laptop and server ----------------------------------------------------------


@dataclass
class NetworkCase:
    faults: list[Fault]
    read_timeout: float = 5.0
    attempts: int = 3
    check: Callable[[SyncReport | SyncError, float, int], None] = lambda outcome, seconds, queued: None


def _sent(outcome: SyncReport | SyncError, _seconds: float, queued: int) -> None:
    assert isinstance(outcome, SyncReport), outcome
    assert outcome.waiting == 0


def _duplicates(outcome: SyncReport | SyncError, _seconds: float, queued: int) -> None:
    """The server committed, the answer was lost: the retry is answered duplicate, nothing applied twice."""
    assert isinstance(outcome, SyncReport), outcome
    assert outcome.duplicates == queued and outcome.applied == 0, outcome


def _not_acknowledged(outcome: SyncReport | SyncError, _seconds: float, _queued: int) -> None:
    assert isinstance(outcome, SyncError) and outcome.offline, outcome
    assert "不是乡镇服务器的应答" in outcome.message


def _waited_as_told(outcome: SyncReport | SyncError, seconds: float, _queued: int) -> None:
    assert isinstance(outcome, SyncReport), outcome
    assert seconds >= 1.0, "Retry-After: 1 was not honoured"


def _offline(outcome: SyncReport | SyncError, _seconds: float, queued: int) -> None:
    assert isinstance(outcome, SyncError) and outcome.offline, outcome
    assert "连不上" in outcome.message


NETWORK_CASES = {
    "1-reset-before-the-server-sees-it": NetworkCase([Fault("reset", PUSH)], check=_sent),
    "2-cut-mid-request-body": NetworkCase([Fault("cut_request", PUSH, after=300)], check=_sent),
    "3-committed-then-answer-lost": NetworkCase([Fault("drop_response", PUSH)], check=_duplicates),
    "4-answer-cut-half-way": NetworkCase([Fault("cut_response", PUSH, after=300)], check=_duplicates),
    "5-timeout-then-retry-while-the-first-runs": NetworkCase(
        [Fault("delay_request", PUSH, seconds=2.5)], read_timeout=1.0, check=_sent
    ),
    "5-pull-hangs": NetworkCase([Fault("hang", PULL, seconds=3)], read_timeout=1.0, check=_sent),
    "7-500-before-commit": NetworkCase(
        [Fault("canned", PUSH, canned=http_answer(500, b"Internal Server Error", "text/plain"))], check=_sent
    ),
    "7-500-after-commit": NetworkCase(
        [Fault("replace", PUSH, canned=http_answer(500, b"Internal Server Error", "text/plain"))],
        check=_duplicates,
    ),
    "7-503-retry-after": NetworkCase(
        [Fault("canned", PUSH, canned=http_answer(503, b"busy", "text/plain", Retry_After="1"))],
        check=_waited_as_told,
    ),
    "8-a-proxy-answers-200-with-a-page": NetworkCase(
        [Fault("canned", PUSH, canned=http_answer(200, "<html>请先登录 WiFi</html>".encode()))],
        check=_not_acknowledged,
    ),
    "1-offline-throughout": NetworkCase(
        [Fault("reset", PUSH), Fault("reset", PUSH)], attempts=2, check=_offline
    ),
}


@pytest.mark.parametrize("case", NETWORK_CASES.values(), ids=NETWORK_CASES.keys())
def test_network_faults(laptops: Laptops, server: Server, proxy: FaultProxy, case: NetworkCase) -> None:
    grid = laptops.township.grid_a.id
    family(laptops.a, grid)
    edit_phone(laptops.a, first_person(laptops.a), "13909380001")
    family(laptops.b, grid, size=2)
    run_sync(laptops.b)
    queued = pending(laptops.a)
    assert queued == 5
    proxy.add(*case.faults)
    client = through(proxy, laptops.a, case.read_timeout, case.attempts)
    started = time.monotonic()
    outcome: SyncReport | SyncError
    try:
        outcome = run_sync(laptops.a, client)
    except SyncError as exc:
        outcome = exc
    case.check(outcome, time.monotonic() - started, queued)
    assert proxy.pending() == [], "a fault was never reached"
    settle(everyone(laptops), {id(laptops.a): client})
    client.close()
    assert_whole(server.db, everyone(laptops))


# -- 6: two sync runs at once ---------------------------------------------------------------------------------


def test_6_two_syncs_of_one_profile_at_once(laptops: Laptops, server: Server) -> None:
    for _ in range(3):
        family(laptops.a, laptops.township.grid_a.id)
    runs = [griddesk(laptops.a, "sync", "--json") for _ in range(2)]
    outcomes = [(run.wait(120), run.communicate()) for run in runs]
    codes = sorted(code for code, _ in outcomes)
    # Both finish: either one after the other (0, 0), or the second is told a sync is running (0, 6).
    assert codes in ([0, 0], [0, 6]), outcomes
    for code, (out, _err) in outcomes:
        if code == 6:
            assert "另一个同步正在进行" in json.loads(out)["message"]
    # and two threads of one process
    errors: list[BaseException] = []

    def one() -> None:
        try:
            run_sync(laptops.a)
        except SyncError as exc:
            if "另一个同步正在进行" not in exc.message:
                errors.append(exc)

    family(laptops.a, laptops.township.grid_a.id)
    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    settle(everyone(laptops))
    assert_whole(server.db, everyone(laptops))


# -- 9: the laptop killed at each step ------------------------------------------------------------------------


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_9_a_sync_killed_at_each_step(laptops: Laptops, server: Server, point: str) -> None:
    grid = laptops.township.grid_a.id
    for _ in range(2):
        family(laptops.b, grid)
    run_sync(laptops.b)  # something for a to pull: six people, two households
    family(laptops.a, grid)
    edit_phone(laptops.a, first_person(laptops.a), "13909380002")
    killed = griddesk(laptops.a, "sync", "--json", env={CRASH_AT_ENV: point})
    assert killed.wait(120) == -9, killed.communicate()
    settle(everyone(laptops))
    assert_whole(server.db, everyone(laptops))


_MID_EDIT = """
import os, signal, sys
from app.ledger import Ledger
from app.services import households
from app.idcard import make_id_number
from datetime import date, datetime
from pathlib import Path
ledger = Ledger.open(sys.argv[1], sys.argv[2], actor="a")
with ledger.write() as tx:
    households.register_household(tx, grid_id=sys.argv[3], address="半截户", members=[
        {"name": "未存甲", "id_number": make_id_number("620502", date(1980, 1, 1), 990), "relation": "02"}])
    tx.session.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_9_killed_mid_edit_leaves_neither_record_nor_operation(laptops: Laptops, server: Server) -> None:
    family(laptops.a, laptops.township.grid_a.id)
    killed = subprocess.run(
        [sys.executable, "-c", _MID_EDIT, str(laptops.a.path), PASSPHRASE, laptops.township.grid_a.id],
        cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    with laptops.a.read() as session:
        assert session.scalar(select(Person.id).where(Person.name == "未存甲")) is None
    settle(everyone(laptops))
    assert_whole(server.db, everyone(laptops))


# -- 12: the server writes while a laptop pages through a pull -------------------------------------------------


ONE_MOMENT_ROWS = 10_000
"""Rows of one timestamp in case 12, as SYNC.md names it."""


def test_12_writes_during_a_paged_pull_and_many_rows_of_one_moment(laptops: Laptops, server: Server) -> None:
    grid = laptops.township.grid_a.id
    with laptops.b.write() as tx:
        tx.create_many(
            SentimentLog,
            [
                {"grid_id": grid, "logged_on": date(2026, 11, 2), "content": f"走访记录 {n}"}
                for n in range(ONE_MOMENT_ROWS)
            ],
        )
    run_sync(laptops.b)  # batches of 500: each batch's change-log rows carry one timestamp
    # ... and all of them one timestamp, as if one commit had written them: a timestamp cursor would have to cut
    # this tie at every page boundary (the pages below are 700 rows)
    engine = create_engine(server.db)
    try:
        with engine.begin() as conn:
            logs = change_log.c.entity == SentimentLog.__tablename__
            moment = conn.scalar(select(func.min(change_log.c.changed_at)).where(logs))
            conn.execute(update(change_log).where(logs).values(changed_at=moment))
            conn.execute(
                update(records)
                .where(records.c.entity == SentimentLog.__tablename__)
                .values(changed_at=moment)
            )
            tie = conn.execute(
                select(func.count(), func.count(change_log.c.changed_at.distinct())).where(logs)
            ).one()
    finally:
        engine.dispose()
    assert tuple(tie) == (ONE_MOMENT_ROWS, 1)
    pages = 0

    def meanwhile(stage: str, _count: int) -> None:
        nonlocal pages
        if stage == "下载":
            pages += 1
            if pages <= 3:  # b writes between a's pages
                family(laptops.b, grid, size=1)
                run_sync(laptops.b)

    run_sync(laptops.a, progress=meanwhile, page_size=700)
    assert pages >= 5
    settle(everyone(laptops))
    with laptops.a.read() as session:
        assert session.scalar(select(func.count()).select_from(SentimentLog)) == ONE_MOMENT_ROWS
    assert_whole(server.db, everyone(laptops))


# -- 13: batch boundaries differ after a crash -----------------------------------------------------------------


def test_13_batches_cut_differently_on_the_retry(laptops: Laptops, server: Server, proxy: FaultProxy) -> None:
    grid = laptops.township.grid_a.id
    for _ in range(6):
        family(laptops.a, grid)  # 6 households × 4 records = 24 operations
    proxy.add(
        Fault("pass", PUSH), Fault("drop_response", PUSH)
    )  # the second batch of 10 is applied, its answer lost
    client = through(proxy, laptops.a, attempts=1)
    with pytest.raises(SyncError):
        run_sync(laptops.a, client, batch_size=10)
    assert pending(laptops.a) == 4 * 6 - 10
    for _ in range(2):
        family(laptops.a, grid)
    report = run_sync(laptops.a, batch_size=7)
    assert report.duplicates == 10 and report.applied == 12, report
    settle(everyone(laptops))
    assert_whole(server.db, everyone(laptops))


# -- 15: the laptop's clock a day ahead --------------------------------------------------------------------------


_EDIT_AND_SYNC = """
import sys
from app.ledger import Ledger
from app.models import Person
from app.services import persons
from sync.engine import run_sync
ledger = Ledger.open(sys.argv[1], sys.argv[2], actor="a")
with ledger.write() as tx:
    persons.update_person(tx, tx.session.get(Person, sys.argv[3]), phone=sys.argv[4])
run_sync(ledger)
"""


def test_15_a_laptop_clock_a_day_ahead_decides_nothing(laptops: Laptops, server: Server) -> None:
    grid = laptops.township.grid_a.id
    family(laptops.a, grid)
    settle(everyone(laptops))
    pid = first_person(laptops.a)
    edit_phone(laptops.b, pid, "13909380015")  # b edits first, in real time, but syncs later
    ahead = subprocess.run(
        ["faketime", "-f", "+1d", sys.executable, "-c", _EDIT_AND_SYNC, str(laptops.a.path), PASSPHRASE, pid,
         "13909389999"],
        cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ahead.returncode == 0, ahead.stderr
    with laptops.a.read() as session:
        op = session.scalar(select(OutboxOp).order_by(OutboxOp.seq.desc()))
        assert op is not None and op.created_at.date() > date.today(), "the edit was not made a day ahead"
    report = run_sync(laptops.b)
    # a's later clock does not make a's value win: b's edit of the same field waits for a person
    assert report.conflicts == 1, report
    settle(everyone(laptops))
    assert_whole(server.db, everyone(laptops))


# -- 17: the device revoked mid-queue ----------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_17_revoked_or_expired_mid_queue_then_enrolled_again(
    laptops: Laptops, server: Server, how: str
) -> None:
    grid = laptops.township.grid_a.id
    # a laptop whose token lasts a day
    enrol(laptops.a, server.url, server.admin("enrol-code", "--grids", grid, "--token-days", "1"), "采集员甲")
    for _ in range(5):
        family(laptops.a, grid)
    with laptops.a.read() as session:
        device = read_state(session)["device_id"]

    def stop_the_token_after_the_first_batch(stage: str, count: int) -> None:
        if stage == "上传" and count == 8:
            if how == "revoked":
                server.admin("revoke", device)
            else:  # the day has passed
                engine = create_engine(server.db)
                with engine.begin() as conn:
                    conn.execute(
                        update(devices).where(devices.c.id == device).values(expires_at=datetime(2026, 1, 1))
                    )
                engine.dispose()

    with pytest.raises(SyncError) as failed:
        run_sync(laptops.a, progress=stop_the_token_after_the_first_batch, batch_size=8)
    assert failed.value.unauthorised and "重新登记" in failed.value.message
    # 20 operations in batches of 8: the token stops once the first batch's answers are recorded. The second
    # batch goes out as soon as the first is answered, so it may have arrived before the token stopped.
    left = pending(laptops.a)
    assert left in (12, 4), "the queue behind the refusal is kept"
    enrol(laptops.a, server.url, server.admin("enrol-code", "--grids", grid), "采集员甲（新）")
    report = run_sync(laptops.a)
    assert report.applied == left and report.duplicates == 0
    settle(everyone(laptops))
    assert_whole(server.db, everyone(laptops))


def test_the_invariants_catch_a_laptop_that_missed_a_change(laptops: Laptops, server: Server) -> None:
    """The checker itself can fail: a record changed behind the laptop's back is reported."""
    family(laptops.a, laptops.township.grid_a.id)
    settle(everyone(laptops))
    pid = first_person(laptops.b)
    with laptops.b.write() as tx:
        person = tx.session.get(Person, pid)
        assert person is not None
        tx.apply_remote(Person, pid, {"phone": "13900000000"}, version=person.version, changed_by="x")
    with pytest.raises(AssertionError, match="phone"):
        assert_whole(server.db, everyone(laptops))


# -- 11: the server restored from an older backup ---------------------------------------------------------------


@contextmanager
def server_backup(server: Server, folder: Path) -> Iterator[Callable[[], None]]:
    """Back the server's database up now; the callable restores it (the server stopped) with a new epoch, as the
    IT person would: ``admin backup``/``admin restore`` on SQLite, a database copy and ``admin new-epoch`` on
    PostgreSQL (standing in for pg_dump/pg_restore)."""
    url = make_url(server.db)
    if url.get_backend_name() == "sqlite":
        kept = folder / "server-backup.db"
        server.admin("backup", str(kept))
        yield lambda: print(server.admin("restore", str(kept)))
        return
    maintenance = create_engine(os.environ[PG_ENV], isolation_level="AUTOCOMMIT")
    name, copy = str(url.database), f"{url.database}_backup"
    server.stop()  # a template database must have no connections
    with maintenance.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')

    def restore_database() -> None:
        with maintenance.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{copy}"')
        server.admin("new-epoch")

    try:
        yield restore_database
    finally:
        with maintenance.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        maintenance.dispose()


def test_11_the_server_restored_from_an_older_backup(
    laptops: Laptops, server: Server, tmp_path: Path
) -> None:
    grid = laptops.township.grid_a.id
    family(laptops.a, grid)
    settle(everyone(laptops))
    old_epoch = server.admin("epoch")
    with server_backup(server, tmp_path) as restore:
        server.stop()
        running = start_server(server.db)
        try:
            for ledger in (laptops.a, laptops.b):
                family(ledger, grid)
                edit_phone(ledger, first_person(laptops.a), "1390938001" + str(len(ledger.path.parent.name)))
            settle(
                everyone(laptops),
                {id(ledger): client_of(ledger, running.url) for ledger in everyone(laptops)},
            )
        finally:
            running.stop()
        restore()  # what a and b sent after the backup is gone from the server
    assert server.admin("epoch") != old_epoch
    running = start_server(server.db)
    try:
        clients = {id(ledger): client_of(ledger, running.url) for ledger in everyone(laptops)}
        report = run_sync(laptops.a, clients[id(laptops.a)])
        assert report.epoch_changed and report.duplicates > 0 and report.applied > 0, report
        settle(everyone(laptops), clients)
    finally:
        running.stop()
    assert_whole(server.db, everyone(laptops))


# -- 16: operations queued under an older schema ----------------------------------------------------------------


def test_16_operations_queued_before_an_upgrade_are_sent_after_it(server: Server, tmp_path: Path) -> None:
    fixture = ROOT / "tests" / "migrations" / "fixtures" / "ledger-0001.db"
    path = tmp_path / "old" / "ledger.db"
    path.parent.mkdir()
    shutil.copyfile(fixture, path)
    ledger = Ledger.open(path, "fixture", actor="fixture")  # upgraded to today's schema on opening
    try:
        with ledger.read() as session:
            queued = session.scalar(
                select(func.count()).select_from(OutboxOp).where(OutboxOp.state == "pending")
            )
            grids = list(session.scalars(select(GridNode.id).where(GridNode.kind == "grid")))
        assert queued and grids
        server.admin("init", "--grids", *grids)
        enrol(ledger, server.url, server.admin("enrol-code", "--township"), "乡镇办公室（升级前的队列）")
        report = run_sync(ledger)
        assert report.applied == queued and report.rejected == 0 and report.conflicts == 0, report
        assert_whole(server.db, [ledger])
    finally:
        ledger.close()


# -- 14: three laptops offline for days --------------------------------------------------------------------------


def test_14_three_laptops_offline_for_days(
    laptops: Laptops, server: Server, tmp_path: Path, empty_ledger_file: Path
) -> None:
    grid = laptops.township.grid_a.id
    c_path = tmp_path / "c" / "ledger.db"
    c_path.parent.mkdir()
    shutil.copyfile(empty_ledger_file, c_path)
    c = Ledger.open(c_path, PASSPHRASE, actor="c")
    try:
        enrol(c, server.url, server.admin("enrol-code", "--grids", grid), "采集员丙")
        house = family(laptops.a, grid, size=4)
        with laptops.a.write() as tx:
            event = work.report_event(tx, grid_id=grid, title="排水沟纠纷", occurred_on=date(2026, 11, 20))
            work.act_on_event(tx, event, "report", on=date(2026, 11, 20))
            event_id = event.id
        world = [*everyone(laptops), c]
        settle(world)
        with laptops.a.read() as session:
            ids = list(
                session.scalars(select(Person.id).where(Person.household_id == house).order_by(Person.id))
            )
        with laptops.a.read() as session:
            household = session.get(Household, house)
            assert household is not None
            same, merged, doomed = [i for i in ids if i != household.head_id][:3]
        # days offline: everyone edits
        edit_phone(laptops.a, same, "13909381401")  # same field, different values
        edit_phone(laptops.b, same, "13909381402")
        with laptops.a.write() as tx:  # different fields of one person
            persons.update_person(tx, tx.session.get(Person, merged), occupation="果农")  # type: ignore[arg-type]
        edit_phone(c, merged, "13909381403")
        edit_phone(laptops.b, doomed, "13909381404")  # edit vs delete
        with c.write() as tx:
            persons.delete_person(tx, tx.session.get(Person, doomed))  # type: ignore[arg-type]
        with laptops.a.write() as tx:  # a withdraws the event while the township accepts it
            work.act_on_event(tx, tx.session.get(Event, event_id), "withdraw", on=date(2026, 11, 23))  # type: ignore[arg-type]
        with laptops.office.write() as tx:
            work.act_on_event(tx, tx.session.get(Event, event_id), "accept", on=date(2026, 11, 23))  # type: ignore[arg-type]
        # back online, in no particular order
        for ledger in (laptops.office, c, laptops.b, laptops.a):
            run_sync(ledger)
        settle(world)
        assert_whole(server.db, world)
        with laptops.office.read() as session:
            person = session.get(Person, merged)
            assert person is not None and (person.occupation, person.phone) == ("果农", "13909381403")
            stored = session.get(Event, event_id)
            assert stored is not None and stored.state == "accepted", "the township's move stands"
        waiting = {ledger.path.parent.name: _needs_person(ledger) for ledger in world}
        assert waiting["a"]["rejected"] >= 1, waiting  # the stale withdraw, with the township's state
        assert sum(w["conflict"] for w in waiting.values()) >= 2, waiting  # same field; edit vs delete
    finally:
        c.close()


def _needs_person(ledger: Ledger) -> dict[str, int]:
    with ledger.read() as session:
        rows = session.execute(select(OutboxOp.state, func.count()).group_by(OutboxOp.state)).all()
    return {"conflict": 0, "rejected": 0} | {state: n for state, n in rows}


# -- 10: the server killed mid-batch ----------------------------------------------------------------------------


@pytest.mark.parametrize("point", ["server-push-written", "server-push-committed"])
def test_10_the_server_killed_mid_batch(laptops: Laptops, server: Server, point: str) -> None:
    for _ in range(3):
        family(laptops.a, laptops.township.grid_a.id)
    queued = pending(laptops.a)
    server.stop()
    crashing = start_server(server.db, env={CRASH_AT_ENV: point})
    try:
        with pytest.raises(SyncError) as failed:
            run_sync(laptops.a, client_of(laptops.a, crashing.url))
        assert failed.value.offline
        assert crashing.process.wait(10) == -9, "the server did not die at " + point
    finally:
        crashing.stop()
    assert pending(laptops.a) == queued, "nothing is taken for sent without an answer"
    running = start_server(server.db)
    try:
        clients = {id(ledger): client_of(ledger, running.url) for ledger in everyone(laptops)}
        report = run_sync(laptops.a, clients[id(laptops.a)])
        if point == "server-push-committed":
            assert report.duplicates == queued and report.applied == 0, report
        else:  # rolled back: nothing of the batch was kept
            assert report.applied == queued and report.duplicates == 0, report
        settle(everyone(laptops), clients)
    finally:
        running.stop()
    assert_whole(server.db, everyone(laptops))
