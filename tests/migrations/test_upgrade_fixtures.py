"""Every released schema version's fixture ledger opens in today's program: upgraded (copied aside first when
there is anything to do), its data intact, its search index working."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import db
from app.ledger import Ledger
from app.models import Event, OutboxOp, Person
from app.models.bookkeeping import BlobPart
from app.search import search_people

FIXTURES = sorted((Path(__file__).resolve().parent / "fixtures").glob("ledger-*.db"))


def test_there_is_a_fixture_for_the_current_schema() -> None:
    assert f"ledger-{db.head_revision()}.db" in {p.name for p in FIXTURES}


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_upgrades_to_head_with_its_data(fixture: Path, tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    shutil.copyfile(fixture, path)
    ledger = Ledger.open(path, "fixture", actor="it")
    try:
        assert db.schema_status(ledger.engine).up_to_date
        assert db.integrity_check(ledger.engine) == []
        with ledger.read() as session:
            assert session.scalar(select(func.count()).select_from(Person)) == 2
            assert session.scalar(select(Event.state)) == "reported"
            assert session.scalar(select(func.count()).select_from(OutboxOp))
            assert [h.name for h in search_people(session, "zjh")] == ["曾建华"]
            # 0005: attachment downloads under way are kept to resume (none yet)
            assert session.scalar(select(func.count()).select_from(BlobPart)) == 0
    finally:
        ledger.close()
