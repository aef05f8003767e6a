"""Indexes set aside for a bulk load: the plain ones dropped and noted in the same transaction, the unique ones and
those serving a foreign key kept, all built again by the load's end or, after a load cut short, before a schema
upgrade."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import text

from app import db
from app.bulk import SET_ASIDE, restore_indexes, set_aside_indexes
from app.ledger import Ledger
from app.models import SyncState

FIXTURES = Path(__file__).resolve().parents[1] / "migrations" / "fixtures"


def index_sql(ledger: Ledger) -> dict[str, str]:
    with ledger.read() as session:
        rows = session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        )
        return {name: sql for name, sql in rows}


def test_plain_indexes_are_set_aside_once_and_built_again(ledger: Ledger) -> None:
    before = index_sql(ledger)
    with ledger.write() as tx:
        dropped = set_aside_indexes(tx.session)
        assert set_aside_indexes(tx.session) == 0, "once per load"
    left = index_sql(ledger)
    gone = set(before) - set(left)
    assert (
        len(gone) == dropped and {"ix_person_name_id", "ix_household_number_id", "ix_place_kind_id"} <= gone
    )
    assert "uq_person_live_id_number" in left, "a unique index keeps guarding every insert"
    assert "ix_person_household_id" in left and "ix_person_grid_id" in left, "foreign keys keep their index"
    assert not {n for n in gone if n.startswith(("ix_outbox_op", "ix_search_key", "ix_audit"))}, (
        "records only"
    )
    with ledger.read() as session:
        noted = session.get(SyncState, SET_ASIDE)
        assert noted is not None and {name for name, _sql in noted.value} == gone
    with ledger.write() as tx:
        assert restore_indexes(tx.session) == dropped
    assert index_sql(ledger) == before
    with ledger.read() as session:
        assert session.get(SyncState, SET_ASIDE) is None


def test_a_ledger_upgraded_after_a_load_cut_short_gets_its_indexes_first(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    shutil.copyfile(FIXTURES / "ledger-0004.db", path)
    engine = db.make_engine(path, "fixture")
    with db.write_connection(engine) as conn:
        sql = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'ix_person_name_id'")
        ).scalar_one()
        conn.execute(text("DROP INDEX ix_person_name_id"))
        conn.execute(
            text("INSERT INTO sync_state(key, value) VALUES (:key, :value)"),
            {"key": SET_ASIDE, "value": json.dumps([["ix_person_name_id", sql]])},
        )
    engine.dispose()
    ledger = Ledger.open(path, "fixture", actor="it")
    try:
        assert db.schema_status(ledger.engine).up_to_date
        assert index_sql(ledger)["ix_person_name_id"] == sql
        with ledger.read() as session:
            assert session.get(SyncState, SET_ASIDE) is None
    finally:
        ledger.close()
