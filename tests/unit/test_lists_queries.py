"""The lists' queries on a real ledger: keyset pages in every sort order, both directions, continuing across
pages exactly where the last one stopped; filters in SQL; rows read back by id after a save; the global search
of households, places and organisations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app import repositories
from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import Household, Person
from app.repositories import ListQuery, RecordList, SortKey
from app.search import search_everything, search_households, search_organisations, search_places
from app.services import households, persons, places
from tests.conftest import Township

FAMILIES = [
    # (address, tags, members as (name, sex, birth date))
    ("李家村一组1号", ["dibao"], [("张建国", "1", date(1958, 3, 2)), ("王秀英", "2", date(1960, 7, 9))]),
    ("李家村一组2号", [], [("李强", "1", date(1985, 1, 20)), ("赵丽", "2", date(1987, 5, 5)), ("李子轩", "1", date(2012, 9, 1))]),
    ("李家村二组3号", ["wubao"], [("孙桂兰", "2", date(1941, 12, 30))]),
    ("李家村二组4号", [], [("周志强", "1", date(1975, 6, 15)), ("吴敏", "2", date(1975, 6, 15))]),
    ("李家村三组5号", ["dibao", "liushou"], [("郑大山", "1", date(1950, 2, 2)), ("郑小雨", "2", date(2010, 4, 4))]),
    ("李家村三组6号", [], [("王建军", "1", date(1968, 8, 8))]),
    ("李家村三组7号", [], [("钱多多", "2", date(1999, 9, 9)), ("张三丰", "1", date(1970, 1, 1))]),
]  # fmt: skip
GRID_B_FAMILIES = [("李家村四组8号", [], [("冯远", "1", date(1980, 3, 3))])]


@dataclass
class Ledgered:
    township: Township
    households: dict[str, str]
    """Address → household id."""
    people: dict[str, str]
    """Name → person id."""
    places: dict[str, str]
    organisations: dict[str, str]


def fill_ledger(ledger: Ledger, township: Township) -> Ledgered:
    """Households with members in grid A (and one in grid B), a person with no birth date, places, organisations."""
    houses: dict[str, str] = {}
    people: dict[str, str] = {}
    sequence = 100
    with ledger.write() as tx:
        for grid, families in ((township.grid_a, FAMILIES), (township.grid_b, GRID_B_FAMILIES)):
            for address, tags, members in families:
                rows: list[dict[str, Any]] = []
                for i, (name, sex, born) in enumerate(members):
                    sequence += 2
                    rows.append({
                        "name": name, "sex": sex, "birth_date": born, "relation": "02" if i == 0 else "10",
                        "id_number": make_id_number("620502", born, sequence + (1 if sex == "1" else 0)),
                        "phone": f"1380938{sequence:04d}",
                    })  # fmt: skip
                saved = households.register_household(
                    tx, grid_id=grid.id, address=address, tags=tags, members=rows
                )
                houses[address] = saved.record.id
        with tx.session.no_autoflush:
            for person in tx.session.query(Person).all():
                people[person.name] = person.id
        lone = persons.register_person(tx, grid_id=township.grid_a.id, name="无名氏", id_number=None)
        people["无名氏"] = lone.record.id
        owner = tx.session.get(Person, people["张建国"])
        assert owner is not None
        rental = places.register_place(
            tx,
            grid_id=township.grid_a.id,
            kind="rental",
            name="张建国出租屋",
            address="李家村一组1号",
            owner_id=owner.id,
        )
        tenant = tx.session.get(Person, people["冯远"])
        assert tenant is not None
        places.add_tenant(tx, rental, tenant, date(2026, 1, 1))
        shop = places.register_place(
            tx, grid_id=township.grid_a.id, kind="complex", name="李家村综合超市", address="李家村二组3号"
        )
        mediation = places.register_organisation(
            tx,
            grid_id=township.grid_a.id,
            kind="mediation",
            name="李家村邻里纠纷调委会",
            leader_name="王建军",
        )
        patrol = places.register_organisation(
            tx, grid_id=township.grid_a.id, kind="patrol", name="李家村护村联防队", leader_name="周志强"
        )
        for name in ("周志强", "李强"):
            member = tx.session.get(Person, people[name])
            assert member is not None
            places.add_member(tx, patrol, member)
    return Ledgered(
        township,
        houses,
        people,
        {"张建国出租屋": rental.id, "李家村综合超市": shop.id},
        {"李家村邻里纠纷调委会": mediation.id, "李家村护村联防队": patrol.id},
    )


@pytest.fixture
def filled(ledger: Ledger, township: Township) -> Ledgered:
    return fill_ledger(ledger, township)


def grid_ids(township: Township) -> tuple[str, ...]:
    return (township.township.id, township.village.id, township.grid_a.id, township.grid_b.id)


def walk(session: Session, spec: RecordList[Any], query: ListQuery, limit: int) -> list[Any]:
    """Every row of a list, page by page of ``limit``, each page continuing after the last row of the one before."""
    out: list[Any] = []
    after: SortKey | None = None
    while True:
        page = repositories.list_page(session, spec, query, after, limit)
        out.extend(page)
        if len(page) < limit:
            return out
        after = page[-1].key


SORTS = [(spec, sort) for spec in repositories.LISTS.values() for sort in spec.sorts]


@pytest.mark.parametrize("spec, sort", SORTS, ids=[f"{s.kind}-{n}" for s, n in SORTS])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("few", [True, False], ids=["grid-index", "sort-index"])
def test_keyset_pages_walk_every_row_once_in_sql_order(
    ledger: Ledger,
    filled: Ledgered,
    spec: RecordList[Any],
    sort: str,
    descending: bool,
    few: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not few:  # the path a large township takes: walk the sort index, skip other grids row by row
        monkeypatch.setattr(repositories, "SMALL_SET", 1)
    query = ListQuery(grid_ids(filled.township), "", sort, descending)
    with ledger.read() as session:
        everything = repositories.list_page(session, spec, query, None, 1000)
        for limit in (1, 2, 3, 5):
            assert [r.id for r in walk(session, spec, query, limit)] == [r.id for r in everything]
    keys = [r.key for r in everything]
    assert keys == sorted(keys, reverse=descending)
    assert len(set(r.id for r in everything)) == len(everything) > 1


def test_people_sort_by_birth_date_puts_the_unknown_first_and_ties_by_id(
    ledger: Ledger, filled: Ledgered
) -> None:
    query = ListQuery(grid_ids(filled.township), "", "birth_date")
    with ledger.read() as session:
        rows = walk(session, repositories.PEOPLE, query, 2)
    assert rows[0].name == "无名氏" and rows[0].birth_date is None
    assert rows[1].name == "孙桂兰"
    twins = [r for r in rows if r.birth_date == date(1975, 6, 15)]
    assert [r.id for r in twins] == sorted(r.id for r in twins) and len(twins) == 2
    with ledger.read() as session:
        backwards = walk(session, repositories.PEOPLE, ListQuery(query.grid_ids, "", "birth_date", True), 2)
    assert [r.id for r in backwards] == [r.id for r in reversed(rows)]


def names(ledger: Ledger, spec: RecordList[Any], query: ListQuery) -> list[str]:
    with ledger.read() as session:
        rows = repositories.list_page(session, spec, query, None, 100)
    return [getattr(r, "name", None) or getattr(r, "address", "") for r in rows]


def test_people_filter_by_part_of_a_name_initials_id_tail(ledger: Ledger, filled: Ledgered) -> None:
    grids = grid_ids(filled.township)
    assert names(ledger, repositories.PEOPLE, ListQuery(grids, "建")) == ["张建国", "王建军"]
    assert names(ledger, repositories.PEOPLE, ListQuery(grids, "zsf")) == ["张三丰"]
    with ledger.read() as session:
        person = session.get(Person, filled.people["赵丽"])
        assert person is not None and person.id_number
        tail = person.id_number[-6:]
    assert names(ledger, repositories.PEOPLE, ListQuery(grids, tail)) == ["赵丽"]
    assert names(ledger, repositories.PEOPLE, ListQuery(grids, "没有这个人")) == []
    assert names(ledger, repositories.PEOPLE, ListQuery((filled.township.grid_b.id,), "冯")) == ["冯远"]
    assert names(ledger, repositories.PEOPLE, ListQuery((filled.township.grid_a.id,), "冯")) == []


def test_household_filter_by_tag_name_address_and_head(ledger: Ledger, filled: Ledgered) -> None:
    grids = grid_ids(filled.township)
    assert names(ledger, repositories.HOUSEHOLDS, ListQuery(grids, "低保")) == [
        "李家村一组1号",
        "李家村三组5号",
    ]
    assert names(ledger, repositories.HOUSEHOLDS, ListQuery(grids, "三组")) == [
        "李家村三组5号", "李家村三组6号", "李家村三组7号",
    ]  # fmt: skip
    assert names(ledger, repositories.HOUSEHOLDS, ListQuery(grids, "孙桂兰")) == ["李家村二组3号"]
    assert names(ledger, repositories.HOUSEHOLDS, ListQuery(grids, "100%")) == []


def test_place_and_organisation_rows_count_tenants_and_members(ledger: Ledger, filled: Ledgered) -> None:
    grids = grid_ids(filled.township)
    with ledger.read() as session:
        rental = repositories.list_rows(
            session, repositories.PLACES, ListQuery(grids), [filled.places["张建国出租屋"]]
        )
        orgs = repositories.list_page(session, repositories.ORGANISATIONS, ListQuery(grids, "", "kind"))
    assert [(r.owner, r.tenants, r.kind) for r in rental] == [("张建国", 1, "rental")]
    assert [(r.name, r.members) for r in orgs] == [("李家村邻里纠纷调委会", 0), ("李家村护村联防队", 2)]
    assert names(ledger, repositories.PLACES, ListQuery(grids, "出租屋")) == ["张建国出租屋"]
    assert names(ledger, repositories.ORGANISATIONS, ListQuery(grids, "联防")) == ["李家村护村联防队"]


def test_list_rows_reads_back_changed_rows_and_drops_those_that_left(
    ledger: Ledger, filled: Ledgered
) -> None:
    grid_a = (filled.township.grid_a.id,)
    ids = [filled.people["李强"], filled.people["赵丽"], filled.people["冯远"]]
    with ledger.write() as tx:
        li = tx.session.get(Person, filled.people["李强"])
        zhao = tx.session.get(Person, filled.people["赵丽"])
        assert li is not None and zhao is not None
        persons.update_person(tx, li, name="李刚")
        persons.delete_person(tx, zhao)
    with ledger.read() as session:
        rows = repositories.list_rows(session, repositories.PEOPLE, ListQuery(grid_a), ids)
        filtered = repositories.list_rows(session, repositories.PEOPLE, ListQuery(grid_a, "李强"), ids)
    assert [(r.name, r.key[0]) for r in rows] == [("李刚", "李刚")], (
        "deleted and other-grid rows are left out"
    )
    assert filtered == [], "a row that no longer matches the filter has left the list"


def test_outbox_states_say_which_records_wait(ledger: Ledger, filled: Ledgered) -> None:
    ids = list(filled.people.values())
    with ledger.read() as session:
        states = repositories.outbox_states(session, ids)
    assert set(states) == set(ids) and all(s == {"pending"} for s in states.values())


def test_search_finds_households_by_number_head_and_address(ledger: Ledger, filled: Ledgered) -> None:
    with ledger.read() as session:
        number = session.get(Household, filled.households["李家村二组4号"])
        assert number is not None
        by_number = search_households(session, number.number)
        by_tail = search_households(session, number.number[-4:])
        by_head = search_households(session, "周志强")
        by_initials = search_households(session, "zzq")
        by_address = search_households(session, "二组4号")
    assert by_number[0].id == number.id and by_number[0].matched == "number"
    assert number.id in [h.id for h in by_tail]
    assert [(h.address, h.matched, h.head_name) for h in by_head] == [("李家村二组4号", "head", "周志强")]
    assert [h.address for h in by_initials] == ["李家村二组4号"]
    assert [(h.address, h.matched) for h in by_address] == [("李家村二组4号", "address")]


def test_search_everything_groups_by_kind(ledger: Ledger, filled: Ledgered) -> None:
    with ledger.read() as session:
        found = search_everything(session, "张建国")
        assert [p.name for p in search_places(session, "超市")] == ["李家村综合超市"]
        assert [o.name for o in search_organisations(session, "王建军")] == ["李家村邻里纠纷调委会"]
        assert search_everything(session, "  ").people == []
    assert [p.name for p in found.people] == ["张建国"]
    assert [h.address for h in found.households] == ["李家村一组1号"]
    assert [p.name for p in found.places] == ["张建国出租屋"]
    assert found.organisations == [] and len(found) == 3
