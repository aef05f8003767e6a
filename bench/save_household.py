"""Benchmark: saving a household of six (household, six persons with ID numbers, outbox, audit, search keys) in
one transaction on the 30,000-household township — p95 (target under 20 ms) — beside a bare insert of the same
seven rows through sqlcipher3 with a commit, on the same file."""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import GridNode
from app.services.households import register_household
from bench.common import PASSPHRASE, benchmark_township, percentiles, report

ROLES = [("02", 1958), ("10", 1960), ("20", 1984), ("97", 1986), ("40", 2010), ("40", 2014)]


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        path = folder / "ledger.db"
        shutil.copyfile(benchmark_township(), path)
        ledger = Ledger.open(path, PASSPHRASE, actor="bench")
        with ledger.read() as session:
            grid = session.scalar(select(GridNode.id).where(GridNode.kind == "grid").order_by(GridNode.code))
        assert grid is not None
        samples = []
        seq = 0
        for n in range(200):
            members = []
            for relation, year in ROLES:
                seq += 1
                number = make_id_number("620521", date(year, 1 + seq % 12, 1 + seq % 28), seq % 1000)
                members.append({"name": f"测试{n}号{relation}", "id_number": number, "relation": relation})
            started = time.perf_counter()
            with ledger.write() as tx:
                register_household(tx, grid_id=grid, address=f"基准村{n}号", members=members)
            samples.append((time.perf_counter() - started) * 1000)
        raw_conn = ledger.engine.raw_connection()
        cur = raw_conn.cursor()
        bare = []
        for n in range(200):
            started = time.perf_counter()
            cur.execute("BEGIN IMMEDIATE")
            for k in range(7):
                cur.execute(
                    "INSERT INTO audit_entry(at, actor, action, entity, record_id, fields, summary) "
                    "VALUES ('2026-01-01', 'bench', 'create', 'bare', ?, '[]', '')",
                    (f"{n}-{k}",),
                )
            cur.execute("COMMIT")
            bare.append((time.perf_counter() - started) * 1000)
        raw_conn.close()
        ledger.close()
        figures = percentiles(samples[20:])
        bare_figures = percentiles(bare[20:])
        report(
            "save_household",
            {
                "household_of_six": figures,
                "target_p95_ms": 20,
                "bare_seven_row_commit": bare_figures,
                "ratio_p95_to_bare": round(figures["p95_ms"] / max(bare_figures["p95_ms"], 1e-6), 1),
            },
        )
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
