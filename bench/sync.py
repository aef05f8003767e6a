"""Benchmark: sync with the township server over loopback, on the 30,000-household township.

1. seeding: the township office pushes every record of the township (its whole outbox) to an empty server;
2. pushing 10,000 queued operations (phone numbers changed on 10,000 people; target ≥ 5,000 ops/s);
3. first full pull of the whole township to an empty laptop (a township device; target ≥ 10,000 records/s);

Steps 2 and 3 run ``ROUNDS`` times (new phone numbers, a new laptop each round) and report the median round with
every round beside it: on a shared virtual machine one run can be a third slower than the next.
4. a sync with nothing to send or fetch (target under 200 ms), p50/p95 over 30 runs;
5. peak resident memory of the laptop during each step (VmHWM, reset between steps) and of the server.

Each rate stands beside a bare bulk insert of the same number of rows into an encrypted file on the same machine
in the same run, as a ratio. The server runs as its own process (``python -m server serve``) on SQLite, or on
the database ``--url`` names (e.g. PostgreSQL).

    python -m bench.sync [--url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlcipher3
from sqlalchemy import select

from app.ledger import Ledger
from app.models import GridNode, OutboxOp, Person
from bench.common import PASSPHRASE, ROOT, benchmark_township, percentiles, report
from server.launch import launch
from sync.engine import SyncReport, client_for, enrol, pull_changes, push_outbox, run_sync

EDITS = 10_000
ROUNDS = 3


def _hwm_mib(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_hwm(pid: int | str = "self") -> None:
    """Start a new peak: writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def bare_insert(rows: int) -> float:
    """Rows per second of a bare executemany of ``rows`` person-sized rows into an encrypted file, one commit."""
    folder = Path(tempfile.mkdtemp())
    try:
        conn = sqlcipher3.connect(str(folder / "bare.db"))
        conn.execute(f"PRAGMA key = '{PASSPHRASE}'")
        conn.execute(
            "CREATE TABLE r (id TEXT PRIMARY KEY, name TEXT, id_number TEXT, address TEXT, v INTEGER)"
        )
        data = [
            (f"{i:036d}", "张三丰", f"62050219800101{i:04d}", "玉泉镇李家村三组12号", 1) for i in range(rows)
        ]
        started = time.perf_counter()
        conn.executemany("INSERT INTO r VALUES (?, ?, ?, ?, ?)", data)
        conn.commit()
        seconds = time.perf_counter() - started
        conn.close()
        return rows / seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _admin(url: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "server", "admin", *args, "--url", url],
        capture_output=True, text=True, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def _timed_push(ledger: Ledger) -> tuple[float, SyncReport]:
    client = client_for(ledger)
    sync_report = SyncReport()
    try:
        started = time.perf_counter()
        push_outbox(ledger, client, sync_report)
        return time.perf_counter() - started, sync_report
    finally:
        client.close()


def _median_round(rounds: list[dict[str, float]], rate: str) -> dict[str, float]:
    """The round whose ``rate`` is the median of all rounds."""
    return sorted(rounds, key=lambda r: r[rate])[len(rounds) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="the server's database (default: a SQLite file in a temporary folder)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = args.url or f"sqlite:///{folder / 'server.db'}"
    figures: dict[str, object] = {"server_database": url.split(":", 1)[0]}
    office_path = folder / "office" / "ledger.db"
    office_path.parent.mkdir()
    shutil.copyfile(benchmark_township(), office_path)
    office = Ledger.open(office_path, PASSPHRASE, actor="bench")
    server = launch(url)
    process, base = server.process, server.url
    try:
        with office.read() as session:
            grids = list(session.scalars(select(GridNode.id).where(GridNode.kind == "grid")))
            queued = len(session.scalars(select(OutboxOp.seq).where(OutboxOp.state == "pending")).all())
        _admin(url, "init", "--grids", *grids)
        enrol(office, base, _admin(url, "enrol-code", "--township"), "乡镇办公室")

        # 1. seeding: the whole township's outbox
        _reset_hwm()
        seconds, pushed = _timed_push(office)
        assert pushed.applied == queued, pushed
        figures["seed_push"] = {
            "operations": queued, "seconds": round(seconds, 1), "ops_per_s": round(queued / seconds),
            "laptop_peak_rss_mib": round(_hwm_mib()),
        }  # fmt: skip
        client = client_for(office)
        pull_changes(office, client, SyncReport())  # the office's own changes come back once
        client.close()

        # 2. 10,000 queued operations, ROUNDS times
        rounds = []
        for round_ in range(ROUNDS):
            with office.write() as tx:
                people = tx.session.scalars(select(Person).order_by(Person.id).limit(EDITS)).all()
                for n, person in enumerate(people):
                    tx.update(person, phone=f"13{round_ + 5}{n:08d}")
            _reset_hwm()
            _reset_hwm(process.pid)
            seconds, pushed = _timed_push(office)
            edits = len(people)  # fewer on a small township
            assert pushed.applied == edits, pushed
            rounds.append({
                "seconds": round(seconds, 2), "ops_per_s": round(edits / seconds),
                "laptop_peak_rss_mib": round(_hwm_mib()), "server_peak_rss_mib": round(_hwm_mib(process.pid)),
            })  # fmt: skip
            run_sync(office)  # the changes come back once
        bare = bare_insert(edits)
        middle = _median_round(rounds, "ops_per_s")
        figures["push_10000"] = {
            "operations": edits, **middle, "target_ops_per_s": 5000,
            "rounds_ops_per_s": [r["ops_per_s"] for r in rounds],
            "bare_insert_rows_per_s": round(bare), "ratio_to_bare": round(bare / middle["ops_per_s"], 1),
        }  # fmt: skip

        # 3. first full pull to an empty laptop, ROUNDS times
        rounds = []
        for round_ in range(ROUNDS):
            laptop_path = folder / f"laptop{round_}" / "ledger.db"
            laptop_path.parent.mkdir()
            laptop = Ledger.open(laptop_path, PASSPHRASE, actor="bench", create=True)
            enrol(laptop, base, _admin(url, "enrol-code", "--township"), "新电脑")
            _reset_hwm()
            _reset_hwm(process.pid)
            started = time.perf_counter()
            pulled = run_sync(laptop)
            seconds = time.perf_counter() - started
            rounds.append({
                "records": pulled.pulled, "seconds": round(seconds, 1), "records_per_s": round(pulled.pulled / seconds),
                "laptop_peak_rss_mib": round(_hwm_mib()), "server_peak_rss_mib": round(_hwm_mib(process.pid)),
            })  # fmt: skip
            if round_ < ROUNDS - 1:
                laptop.close()
                shutil.rmtree(laptop_path.parent)
        bare = bare_insert(pulled.pulled)
        middle = _median_round(rounds, "records_per_s")
        figures["first_full_pull"] = {
            **middle, "target_records_per_s": 10000,
            "rounds_records_per_s": [r["records_per_s"] for r in rounds],
            "bare_insert_rows_per_s": round(bare), "ratio_to_bare": round(bare / middle["records_per_s"], 1),
        }  # fmt: skip

        # 4. nothing to do
        _reset_hwm()
        samples = []
        for _ in range(30):
            started = time.perf_counter()
            quiet = run_sync(laptop)
            samples.append((time.perf_counter() - started) * 1000)
            assert quiet.pushed == 0 and quiet.pulled == 0, quiet
        figures["no_change_round_trip"] = percentiles(samples) | {
            "target_ms": 200, "laptop_peak_rss_mib": round(_hwm_mib()),
        }  # fmt: skip
        laptop.close()
    finally:
        office.close()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    report("sync", figures)


if __name__ == "__main__":
    main()
