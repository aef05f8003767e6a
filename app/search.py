"""Finding people: by name (any part, two-character names included), pinyin initials, full pinyin, the last
digits of an ID number, a phone fragment, and address.

Names, pinyin and ID numbers are prefix ranges on one index: ``search_key`` holds, per person, the suffixes of the
name (a prefix of a suffix is any substring, so "三丰" finds 张三丰 without scanning), the initials and
syllable-suffixes of the pinyin, and the reversed ID number (so the last digits are a prefix). Phone numbers and
addresses are matched anywhere through an FTS5 trigram index (three characters or more). Both are kept by the write
path in the same transaction as the person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, select, text
from sqlalchemy.orm import Session

from app.models import Household, Person, SearchKey
from app.pinyin import read_name
from app.writer import WriteTx, insert_rows, register_indexer

TOP = "\U0010ffff"
CANDIDATES_PER_RESULT = 2
"""How many candidates each way of matching may bring per result wanted: exact keys sort first in a prefix
range, so the best candidates are always among them; the rest only cost loading."""


def _suffixes(value: str, minimum: int = 1) -> list[str]:
    return [value[i:] for i in range(len(value) - minimum + 1)]


def person_keys(name: str, former_name: str, id_number: str | None) -> set[str]:
    """Every search key of one person."""
    keys: set[str] = set()
    for n in filter(None, (name, former_name)):
        n = "".join(n.split())
        keys.update("n:" + s for s in _suffixes(n))
        reading = read_name(n)
        for syllables in filter(None, (reading.syllables, reading.alternative)):
            keys.add("i:" + "".join(s[0] for s in syllables if s))
            keys.update("p:" + "".join(syllables[i:]) for i in range(len(syllables)))
    if id_number:
        keys.add("d:" + id_number[::-1])
    return keys


def _index_people(tx: WriteTx, rows: Sequence[Mapping[str, Any]], fresh: bool) -> None:
    session = tx.session
    if not fresh:
        for chunk in _chunks([r["id"] for r in rows], 500):
            ids = {"ids": chunk}
            session.execute(delete(SearchKey).where(SearchKey.person_id.in_(chunk)))
            session.execute(
                text(
                    "DELETE FROM person_text_fts WHERE rowid IN "
                    "(SELECT fts_rowid FROM person_text_map WHERE person_id IN :ids)"
                ).bindparams(bindparam("ids", expanding=True)),
                ids,
            )
            session.execute(
                text("DELETE FROM person_text_map WHERE person_id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                ids,
            )
    key_rows: list[dict[str, str]] = []
    texts: list[tuple[str, str, str]] = []
    for r in rows:
        if r.get("deleted"):
            continue
        for key in person_keys(r["name"], r.get("former_name") or "", r.get("id_number")):
            key_rows.append({"key": key, "person_id": r["id"]})
        address = r.get("residence_address") or ""
        phone = re.sub(r"\D", "", r.get("phone") or "")
        if address or phone:
            texts.append((r["id"], address, phone))
    insert_rows(session, cast(Table, SearchKey.__table__), key_rows)
    if texts:
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        start = cur.execute("SELECT coalesce(max(rowid), 0) FROM person_text_fts").fetchone()[0]
        cur.executemany(
            "INSERT INTO person_text_fts(rowid, address, phone) VALUES (?, ?, ?)",
            [(start + i + 1, a, p) for i, (_pid, a, p) in enumerate(texts)],
        )
        cur.executemany(
            "INSERT INTO person_text_map(person_id, fts_rowid) VALUES (?, ?)",
            [(pid, start + i + 1) for i, (pid, _a, _p) in enumerate(texts)],
        )


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


register_indexer("person", _index_people)


@dataclass(frozen=True)
class PersonHit:
    """One person found, with what a list row shows; ``matched`` says which way it was found."""

    matched: str  # name, initials, pinyin, id, phone, address
    id: str
    name: str
    sex: str
    birth_date: date | None
    id_number: str | None
    phone: str
    household_id: str | None
    household_number: str | None
    address: str
    grid_id: str | None


def normalise_query(raw: str) -> str:
    """Full-width letters and digits to ASCII, spaces removed, letters lower-cased (x of an ID upper)."""
    text_ = unicodedata.normalize("NFKC", raw)
    text_ = "".join(text_.split())
    return text_


_DIGITS = re.compile(r"[0-9]+[xX]?")
_LATIN = re.compile(r"[a-zA-Z]+")


def plan(query: str) -> list[tuple[str, str]]:
    """The (key prefix, matched-as) pairs a query is looked up by."""
    q = normalise_query(query)
    if not q:
        return []
    if _DIGITS.fullmatch(q):
        return [("d:" + q.upper()[::-1], "id")]
    if _LATIN.fullmatch(q):
        q = q.lower()
        return [("i:" + q, "initials"), ("p:" + q, "pinyin")]
    return [("n:" + q, "name")]


def search_people(conn: Connection | Session, query: str, limit: int = 50) -> list[PersonHit]:
    """People matching ``query``, best first: exact name, then name starting with it, then the rest by name."""
    q = normalise_query(query)
    matched: dict[str, str] = {}
    candidates = limit * CANDIDATES_PER_RESULT
    for prefix, how in plan(q):
        rows = conn.execute(
            select(SearchKey.person_id)
            .where(SearchKey.key >= prefix, SearchKey.key < prefix + TOP)
            .limit(candidates)
        ).scalars()
        for pid in rows:
            matched.setdefault(pid, how)
    if len(q) >= 3 and q.isdigit():
        for pid in _text_matches(conn, "phone", q, candidates):
            matched.setdefault(pid, "phone")
    elif len(q) >= 3 and not _DIGITS.fullmatch(q) and not _LATIN.fullmatch(q):
        for pid in _text_matches(conn, "address", q, candidates):
            matched.setdefault(pid, "address")
    if not matched:
        return []
    hits = _load_hits(conn, matched)
    hits.sort(key=lambda h: _rank(h, q))
    return hits[:limit]


def _text_matches(conn: Connection | Session, column: str, q: str, limit: int) -> list[str]:
    """Persons whose ``column`` (address or phone) contains ``q`` anywhere (FTS5 trigram, 3+ characters)."""
    phrase = column + ' : "' + q.replace('"', '""') + '"'
    rows = conn.execute(
        text(
            "SELECT m.person_id FROM person_text_fts f JOIN person_text_map m ON m.fts_rowid = f.rowid "
            "WHERE person_text_fts MATCH :q LIMIT :n"
        ),
        {"q": phrase, "n": limit},
    ).scalars()
    return list(rows)


def _load_hits(conn: Connection | Session, matched: Mapping[str, str]) -> list[PersonHit]:
    hits: list[PersonHit] = []
    for chunk in _chunks(list(matched), 500):
        rows: Sequence[Any] = conn.execute(
            select(
                Person.id,
                Person.name,
                Person.sex,
                Person.birth_date,
                Person.id_number,
                Person.phone,
                Person.household_id,
                Household.number,
                Person.residence_address,
                Person.grid_id,
            )
            .outerjoin(Household, Household.id == Person.household_id)
            .where(Person.id.in_(chunk), Person.deleted.is_(False))
        ).all()
        hits.extend(PersonHit(matched[row[0]], *row) for row in rows)
    return hits


def _rank(hit: PersonHit, q: str) -> tuple[int, str, str]:
    if hit.name == q:
        tier = 0
    elif hit.name.startswith(q):
        tier = 1
    elif hit.matched in ("id", "phone", "initials", "pinyin"):
        tier = 2
    else:
        tier = 3
    return (tier, hit.name, hit.id)
