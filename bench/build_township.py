"""Benchmark: building the 30,000-household township through the write path (target under 60 s), and its size.

Baseline: the same number of person rows bulk-inserted bare into an encrypted file (sqlcipher3, one transaction).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import sqlcipher3
from sqlalchemy import func, select

from app.demo import generate_demo
from app.ledger import Ledger
from app.models import OutboxOp, Person, SearchKey
from bench.common import HOUSEHOLDS, PASSPHRASE, SEED, peak_rss_mib, report


def bare_insert(rows: int) -> float:
    folder = Path(tempfile.mkdtemp())
    try:
        conn = sqlcipher3.connect(str(folder / "bare.db"))
        conn.execute(f"PRAGMA key = '{PASSPHRASE}'")
        conn.execute("CREATE TABLE person (id TEXT PRIMARY KEY, name TEXT, id_number TEXT, address TEXT)")
        data = [
            (f"{i:036d}", "张三丰", f"62050219800101{i:04d}", "玉泉镇李家村三组12号") for i in range(rows)
        ]
        started = time.perf_counter()
        with conn:
            conn.executemany("INSERT INTO person VALUES (?, ?, ?, ?)", data)
        elapsed = time.perf_counter() - started
        conn.close()
        return elapsed
    finally:
        shutil.rmtree(folder)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        path = folder / "ledger.db"
        started = time.perf_counter()
        ledger = Ledger.open(path, PASSPHRASE, actor="bench", create=True)
        summary = generate_demo(ledger, households=HOUSEHOLDS, seed=SEED)
        elapsed = time.perf_counter() - started
        with ledger.read() as session:
            people = session.scalar(select(func.count()).select_from(Person)) or 0
            ops = session.scalar(select(func.count()).select_from(OutboxOp)) or 0
            keys = session.scalar(select(func.count()).select_from(SearchKey)) or 0
        ledger.close()
        size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        bare = bare_insert(people)
        report(
            "build_township",
            {
                "households": HOUSEHOLDS,
                "people": people,
                "outbox_operations": ops,
                "search_keys": keys,
                "build_seconds": round(elapsed, 2),
                "target_seconds": 60,
                "database_mib": round(size / 1048576, 1),
                "bare_person_insert_seconds": round(bare, 3),
                "ratio_to_bare_person_insert": round(elapsed / bare, 1),
                "peak_rss_mib": round(peak_rss_mib(), 1),
                "summary": summary.__dict__ if hasattr(summary, "__dict__") else str(summary),
            },
        )
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
