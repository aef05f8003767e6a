"""A program killed in the middle of saving (SIGKILL) leaves the ledger whole: every household that was saved has
all its members, outbox operations, audit entries and search keys; nothing half-saved is visible.

SIGKILL is not a power cut (the OS cache survives it); against power loss the ledger relies on
``synchronous=FULL``, which tests/unit/test_storage.py asserts is set on every connection."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from app import db
from app.ledger import Ledger
from app.models import AuditEntry, Household, OutboxOp, Person, SearchKey
from tests.conftest import PASSPHRASE, build_township

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import sys
from datetime import date
from app.idcard import make_id_number
from app.ledger import Ledger
from app.services.households import register_household
ledger = Ledger.open(sys.argv[1], sys.argv[2], actor="crash")
n = 0
while True:
    n += 1
    members = [
        {"name": f"崩溃{n}号{k}", "relation": "02" if k == 0 else "20",
         "id_number": make_id_number("620502", date(1950 + k * 10, 1 + n % 12, 1 + n % 28), (n * 7 + k) % 1000)}
        for k in range(4)
    ]
    try:
        with ledger.write() as tx:
            register_household(tx, grid_id=sys.argv[3], address=f"崩溃村{n}号", members=members)
    except Exception:
        continue  # an ID number the generator repeats: skip, keep writing
    print(n, flush=True)
"""


def test_sigkill_while_saving_leaves_every_saved_household_whole(ledger: Ledger, tmp_path: Path) -> None:
    township = build_township(ledger)
    path = ledger.path
    ledger.close()
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), PASSPHRASE, township.grid_a.id],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    saved = 0
    deadline = time.monotonic() + 60
    while saved < 15 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        saved += 1
    time.sleep(0.037)  # land somewhere inside a later save
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert saved >= 15, proc.stderr.read() if proc.stderr else ""

    reopened = Ledger.open(path, PASSPHRASE, actor="check")
    try:
        assert db.integrity_check(reopened.engine) == []
        with reopened.read() as session:
            households = session.scalar(select(func.count()).select_from(Household)) or 0
            people = session.scalar(select(func.count()).select_from(Person)) or 0
            assert households >= saved
            assert people == 4 * households
            for model in (Household, Person):
                # every record has exactly one create operation and one create audit entry
                ids = set(session.scalars(select(model.id)))
                ops = session.scalars(select(OutboxOp.record_id).where(OutboxOp.kind == "create")).all()
                audits = session.scalars(
                    select(AuditEntry.record_id).where(AuditEntry.action == "create")
                ).all()
                assert ids <= set(ops) and ids <= set(audits)
            keyed = session.scalar(select(func.count(func.distinct(SearchKey.person_id)))) or 0
            assert keyed == people
    finally:
        reopened.close()
