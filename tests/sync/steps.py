"""Steps the sync fault tests share: a day's edits on a laptop, a client through the fault proxy, the ``griddesk``
command as its own process."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from datetime import date

from sqlalchemy import func, select

from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import OutboxOp, Person
from app.services import households, persons
from sync.client import Backoff, SyncClient
from sync.engine import read_state
from tests.conftest import PASSPHRASE
from tests.sync.conftest import ROOT, Laptops
from tests.sync.faultproxy import FaultProxy

PUSH = "/v1/push"
PULL = "/v1/pull"

_serial = itertools.count(1)


def family(ledger: Ledger, grid_id: str, size: int = 3) -> str:
    """Register a household of ``size`` with valid, never repeated synthetic ID numbers; returns its id."""
    n = next(_serial)
    members = [
        {
            "name": f"测试{n}{'甲乙丙丁戊'[i]}",
            "id_number": make_id_number("620502", date(1950 + n % 50, 1 + i, 1 + n % 28), (n * 7 + i) % 1000),
            "relation": "02" if i == 0 else "20",
        }
        for i in range(size)
    ]
    with ledger.write() as tx:
        house = households.register_household(
            tx, grid_id=grid_id, address=f"李家村{n}号", members=members
        ).record
    return house.id


def edit_phone(ledger: Ledger, person_id: str, phone: str) -> None:
    with ledger.write() as tx:
        person = tx.session.get(Person, person_id)
        assert person is not None
        persons.update_person(tx, person, phone=phone)


def first_person(ledger: Ledger) -> str:
    with ledger.read() as session:
        found = session.scalar(select(Person.id).where(Person.deleted.is_(False)).order_by(Person.id))
    assert found is not None
    return found


def pending(ledger: Ledger) -> int:
    with ledger.read() as session:
        query = select(func.count()).select_from(OutboxOp).where(OutboxOp.state == "pending")
        return int(session.scalar(query) or 0)


def everyone(laptops: Laptops) -> list[Ledger]:
    return [laptops.office, laptops.a, laptops.b]


def through(proxy: FaultProxy, ledger: Ledger, read_timeout: float = 5.0, attempts: int = 3) -> SyncClient:
    """A client of ``ledger``'s enrolment that talks through the fault proxy, with short waits."""
    with ledger.read() as session:
        token = read_state(session)["token"]
    return SyncClient(
        proxy.url, token, timeout=(2.0, read_timeout), backoff=Backoff(attempts=attempts, base=0.01, cap=2.0)
    )


def griddesk(
    ledger: Ledger, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.Popen[str]:
    """The ``griddesk`` command on ``ledger``'s profile, as its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "ui.entry", "--profile", str(ledger.path.parent), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT), "GRIDDESK_PASSPHRASE": PASSPHRASE} | (env or {}),
    )  # fmt: skip


def client_of(ledger: Ledger, url: str) -> SyncClient:
    with ledger.read() as session:
        token = read_state(session)["token"]
    return SyncClient(url, token, backoff=Backoff(attempts=2, base=0.01))
