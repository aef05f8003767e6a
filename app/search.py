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
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from app.models import Household, Organisation, Person, Place, SearchKey
from app.pinyin import read_name
from app.writer import WriteTx, register_indexer

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
        keys.update(_name_keys(n))
    if id_number:
        keys.add("d:" + id_number[::-1])
    return keys


@lru_cache(maxsize=65536)
def _name_keys(name: str) -> frozenset[str]:
    """The keys a name gives (a township has far fewer names than people)."""
    n = "".join(name.split())
    keys = {"n:" + s for s in _suffixes(n)}
    reading = read_name(n)
    for syllables in filter(None, (reading.syllables, reading.alternative)):
        keys.add("i:" + "".join(s[0] for s in syllables if s))
        keys.update("p:" + "".join(syllables[i:]) for i in range(len(syllables)))
    return frozenset(keys)


def _index_people(tx: WriteTx, rows: Sequence[Mapping[str, Any]], fresh: bool, rebuild: bool = False) -> None:
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
    keys: list[tuple[str, str]] = []
    texts: list[tuple[str, str, str]] = []
    for r in rows:
        if r.get("deleted"):
            continue
        person_id = r["id"]
        keys.extend(
            (key, person_id) for key in person_keys(r["name"], r.get("former_name") or "", r.get("id_number"))
        )
        address = r.get("residence_address") or ""
        phone = re.sub(r"\D", "", r.get("phone") or "")
        if address or phone:
            texts.append((person_id, address, phone))
    # In key order: each insert lands next to the one before in the index (a first pull indexes 100,000 people).
    # Two stable sorts on one field each give (key, person) order in a third of the time of sorting the pairs.
    keys.sort(key=itemgetter(1))
    keys.sort(key=itemgetter(0))
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    cur = raw.cursor()
    # A rebuild makes the index by person once at the end (one sort), not through 700,000 scattered inserts.
    by_person = [row[0] for row in cur.execute(_SEARCH_KEY_INDEXES).fetchall()] if rebuild else []
    for ddl in by_person:
        cur.execute("DROP INDEX " + ddl.split(" ON ")[0].split()[-1])
    cur.executemany("INSERT INTO search_key(key, person_id) VALUES (?, ?)", keys)
    for ddl in by_person:
        cur.execute(ddl)
    if texts:
        start = cur.execute("SELECT coalesce(max(rowid), 0) FROM person_text_fts").fetchone()[0]
        cur.executemany(
            "INSERT INTO person_text_fts(rowid, address, phone) VALUES (?, ?, ?)",
            [(start + i + 1, a, p) for i, (_pid, a, p) in enumerate(texts)],
        )
        cur.executemany(
            "INSERT INTO person_text_map(person_id, fts_rowid) VALUES (?, ?)",
            [(pid, start + i + 1) for i, (pid, _a, _p) in enumerate(texts)],
        )


_SEARCH_KEY_INDEXES = (
    "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'search_key' AND sql IS NOT NULL"
)


def rebuild_person_index(tx: WriteTx) -> int:
    """Every person's search keys and text index again, from scratch and in key order: far faster than person by
    person into a growing index (a first full pull defers indexing to this). Returns the people indexed."""
    session = tx.session
    session.execute(delete(SearchKey))
    session.execute(text("DELETE FROM person_text_fts"))
    session.execute(text("DELETE FROM person_text_map"))
    columns = (
        Person.id,
        Person.name,
        Person.former_name,
        Person.id_number,
        Person.residence_address,
        Person.phone,
    )
    rows = [dict(r) for r in session.execute(select(*columns).where(Person.deleted.is_(False))).mappings()]
    _index_people(tx, rows, True, rebuild=True)
    return len(rows)


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


# -- households, places and organisations (the window's global search) ---------------------------------------


@dataclass(frozen=True)
class HouseholdHit:
    """One household found; ``matched`` says how: number, head (the head's name, pinyin or ID tail), address."""

    matched: str
    id: str
    number: str
    head_name: str
    address: str
    grid_id: str | None


@dataclass(frozen=True)
class PlaceHit:
    id: str
    name: str
    kind: str
    address: str
    owner_name: str
    grid_id: str | None


@dataclass(frozen=True)
class OrganisationHit:
    id: str
    name: str
    kind: str
    leader_name: str
    grid_id: str | None


@dataclass(frozen=True)
class Found:
    """What the global search found, by kind, each list best first."""

    people: list[PersonHit]
    households: list[HouseholdHit]
    places: list[PlaceHit]
    organisations: list[OrganisationHit]

    def __len__(self) -> int:
        return len(self.people) + len(self.households) + len(self.places) + len(self.organisations)


def _like(text_: str) -> str:
    return "%" + text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_households(conn: Connection | Session, query: str, limit: int = 10) -> list[HouseholdHit]:
    """Households by 户号 (start first, then any part), by the head's name, pinyin or ID tail, and by address."""
    q = normalise_query(query)
    if not q:
        return []
    found: dict[str, str] = {}

    def take(how: str, ids: Iterable[str]) -> None:
        for household_id in ids:
            if len(found) >= limit:
                return
            found.setdefault(household_id, how)

    live = Household.deleted.is_(False)
    if any(ch.isdigit() for ch in q):
        number = q.upper()
        take("number", conn.scalars(
            select(Household.id).where(Household.number >= number, Household.number < number + TOP, live)
            .order_by(Household.number).limit(limit)
        ))  # fmt: skip
        if len(found) < limit:
            take("number", conn.scalars(
                select(Household.id).where(Household.number.like(_like(number), escape="\\"), live).limit(limit)
            ))  # fmt: skip
    for prefix, _how in plan(q):
        if len(found) >= limit:
            break
        take("head", conn.scalars(
            select(Household.id)
            .join(SearchKey, SearchKey.person_id == Household.head_id)
            .where(SearchKey.key >= prefix, SearchKey.key < prefix + TOP, live)
            .limit(limit)
        ))  # fmt: skip
    if len(found) < limit and len(q) >= 2 and not q.isascii():
        take("address", conn.scalars(
            select(Household.id).where(Household.address.like(_like(q), escape="\\"), live).limit(limit)
        ))  # fmt: skip
    if not found:
        return []
    head = aliased(Person)
    rows = conn.execute(
        select(
            Household.id, Household.number, func.coalesce(head.name, ""), Household.address, Household.grid_id
        )
        .outerjoin(head, head.id == Household.head_id)
        .where(Household.id.in_(list(found)))
    ).all()
    order = {household_id: i for i, household_id in enumerate(found)}
    hits = [HouseholdHit(found[r[0]], r[0], r[1], r[2], r[3], r[4]) for r in rows]
    hits.sort(key=lambda h: (h.number != q.upper(), order[h.id]))
    return hits


def search_places(conn: Connection | Session, query: str, limit: int = 10) -> list[PlaceHit]:
    """Places whose name, address or owner contains the query; names starting with it first."""
    q = normalise_query(query)
    if not q:
        return []
    pattern = _like(q)
    rows = conn.execute(
        select(Place.id, Place.name, Place.kind, Place.address, Place.owner_name, Place.grid_id)
        .where(
            Place.deleted.is_(False),
            or_(
                Place.name.like(pattern, escape="\\"),
                Place.address.like(pattern, escape="\\"),
                Place.owner_name.like(pattern, escape="\\"),
            ),
        )
        .order_by(Place.name.like(q.replace("%", "") + "%").desc(), Place.name, Place.id)
        .limit(limit)
    ).all()
    return [PlaceHit(*r) for r in rows]


def search_organisations(conn: Connection | Session, query: str, limit: int = 10) -> list[OrganisationHit]:
    """Organisations whose name or leader contains the query; names starting with it first."""
    q = normalise_query(query)
    if not q:
        return []
    pattern = _like(q)
    rows = conn.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Organisation.leader_name,
            Organisation.grid_id,
        )
        .where(
            Organisation.deleted.is_(False),
            or_(
                Organisation.name.like(pattern, escape="\\"),
                Organisation.leader_name.like(pattern, escape="\\"),
            ),
        )
        .order_by(Organisation.name.like(q.replace("%", "") + "%").desc(), Organisation.name, Organisation.id)
        .limit(limit)
    ).all()
    return [OrganisationHit(*r) for r in rows]


def search_everything(conn: Connection | Session, query: str, limit: int = 8) -> Found:
    """The global search: up to ``limit`` people, households, places and organisations matching ``query``."""
    return Found(
        search_people(conn, query, limit),
        search_households(conn, query, limit),
        search_places(conn, query, limit),
        search_organisations(conn, query, limit),
    )
