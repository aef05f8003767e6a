"""Make the fixture ledger of the current schema version: ``python -m tests.migrations.make_fixture``.

Run once when a schema version is released; the file is committed and never regenerated, so that every later
program is tested against ledgers exactly as that version wrote them. Synthetic data only.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from app import db
from app.idcard import make_id_number
from app.ledger import Ledger
from app.services import households, work
from tests.conftest import build_township

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSPHRASE = "fixture"


def main() -> int:
    revision = db.head_revision()
    path = FIXTURES / f"ledger-{revision}.db"
    if path.exists():
        print(f"{path} exists: fixtures of released versions are never regenerated")
        return 1
    ledger = Ledger.open(path, PASSPHRASE, actor="fixture", create=True)
    township = build_township(ledger)
    with ledger.write() as tx:
        households.register_household(
            tx,
            grid_id=township.grid_a.id,
            address="李家村三组12号",
            members=[
                {
                    "name": "曾建华",
                    "id_number": make_id_number("620502", date(1961, 3, 8), 15),
                    "relation": "02",
                },
                {
                    "name": "单秀兰",
                    "id_number": make_id_number("620502", date(1963, 9, 21), 28),
                    "relation": "10",
                },
            ],
        )
        event = work.report_event(
            tx, grid_id=township.grid_a.id, title="排水沟纠纷", occurred_on=date(2026, 5, 6)
        )
        work.act_on_event(tx, event, "report", on=date(2026, 5, 6))
    with ledger.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    ledger.close()
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
