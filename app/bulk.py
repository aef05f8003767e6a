"""Filling an empty ledger with a whole township's records at once (a first full pull): the plain indexes of the
record tables are set aside while the rows go in and built again at the end, each by one sort, instead of taking
200,000 rows one by one into a dozen growing indexes.

Only plain indexes are set aside: unique ones (an ID number lives once, each primary key) stay and keep guarding
every insert, and so do the indexes on a foreign key's column. A page may bring a household before the person who
heads it; while such a reference waits (foreign keys are checked at commit), SQLite looks for the records that
point at each new row, which without that index is a walk of the whole table per row. What was set aside is written down (``SET_ASIDE`` in sync_state) in the transaction that drops it,
so a load cut short by a crash or a lost connection still knows what to build: the next pull ends by building it,
and a schema upgrade builds it first (a migration may expect its indexes).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from app.models import ENTITY_BY_NAME, SyncState

SET_ASIDE = "indexes_set_aside"
"""SyncState key: [name, CREATE INDEX statement] of each index dropped for a bulk load and not yet built again."""


def set_aside_indexes(session: Session) -> int:
    """Drop the plain indexes of every record table (once per load), noting them to be built again; how many."""
    if session.get(SyncState, SET_ASIDE) is not None:
        return 0
    found = [index for table in sorted(ENTITY_BY_NAME) for index in _plain_indexes(session, table)]
    session.add(SyncState(key=SET_ASIDE, value=[[name, sql] for name, sql in found]))
    session.flush()
    for name, _sql in found:
        session.execute(text(f'DROP INDEX "{name}"'))
    return len(found)


def _plain_indexes(session: Session, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes of ``table`` that neither make rows unique nor serve a foreign key
    (a full index whose first column is a referencing column)."""

    def pragma(sql: str) -> list[Any]:
        return list(session.execute(text(sql)).all())

    referencing = {row[3] for row in pragma(f'PRAGMA foreign_key_list("{table}")')}
    out = []
    for _seq, name, unique, origin, partial in pragma(f'PRAGMA index_list("{table}")'):
        if unique or origin != "c":
            continue
        first = pragma(f'PRAGMA index_info("{name}")')[0][2]
        if partial or first not in referencing:
            sql = session.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"), {"name": name}
            ).scalar_one()
            out.append((name, sql))
    return sorted(out)


def restore_indexes(db: Session | Connection) -> int:
    """Build again every index set aside (those still missing); how many were built. Plain SQL, so it runs on a
    ledger of an older schema too, before it is upgraded."""

    def found(sql: str, **params: str) -> list[tuple[str, ...]]:
        return [tuple(r) for r in db.execute(text(sql), params).all()]

    if not found("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sync_state'"):
        return 0
    entry = found("SELECT value FROM sync_state WHERE key = :key", key=SET_ASIDE)
    if not entry:
        return 0
    built = 0
    for name, sql in json.loads(entry[0][0]):
        if not found("SELECT name FROM sqlite_master WHERE type = 'index' AND name = :name", name=name):
            db.execute(text(sql))
            built += 1
    db.execute(text("DELETE FROM sync_state WHERE key = :key"), {"key": SET_ASIDE})
    return built
