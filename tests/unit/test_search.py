"""Finding people: two-character names, any part of a name, surnames read as surnames, rare characters outside
the BMP, the last digits of an ID number, a phone fragment, an address."""

from __future__ import annotations

from datetime import date

import pytest

from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import Person
from app.pinyin import read_name
from app.search import person_keys, search_people
from app.services import persons
from tests.conftest import Township

PEOPLE = [
    ("曾国华", "13809381234", "玉泉镇李家村三组12号"),
    ("单丽", "", "玉泉镇李家村一组3号"),
    ("朴志勇", "", ""),
    ("解放", "0938-8212345", ""),
    ("仇红梅", "", ""),
    ("区建国", "", ""),
    ("欧阳娜", "", ""),
    ("张𠀾", "", "道北街道建设路社区3号楼"),
    ("张三", "", ""),
    ("张三丰", "", ""),
    ("王张三", "", ""),
]


@pytest.fixture
def people(ledger: Ledger, township: Township) -> dict[str, Person]:
    out = {}
    with ledger.write() as tx:
        for i, (name, phone, address) in enumerate(PEOPLE):
            out[name] = persons.register_person(
                tx,
                grid_id=township.grid_a.id,
                name=name,
                id_number=make_id_number("620502", date(1970 + i, 1 + i, 1 + i), 101 + i),
                phone=phone,
                residence_address=address,
            ).record
    return out


def names(ledger: Ledger, query: str) -> list[str]:
    with ledger.read() as session:
        return [h.name for h in search_people(session, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zgh", "曾国华"),  # 曾 as a surname is zeng …
        ("cgh", "曾国华"),  # … but people also type the common reading
        ("zengguohua", "曾国华"),
        ("sl", "单丽"),
        ("shanli", "单丽"),
        ("pzy", "朴志勇"),
        ("piao", "朴志勇"),
        ("xief", "解放"),
        ("qhm", "仇红梅"),
        ("ouj", "区建国"),
        ("oyn", "欧阳娜"),
        ("ouyangna", "欧阳娜"),
        ("张𠀾", "张𠀾"),
        ("𠀾", "张𠀾"),
        ("国华", "曾国华"),  # any part of a name
        ("1234", "曾国华"),  # phone fragment
        ("0938", "曾国华"),
        ("8212345", "解放"),
        ("建设路社区", "张𠀾"),  # address
        ("三组12号", "曾国华"),
    ],
)
def test_finds_by_every_way_a_person_is_looked_up(
    ledger: Ledger, people: dict[str, Person], query: str, expected: str
) -> None:
    assert expected in names(ledger, query)


def test_two_character_name_ranks_exact_then_prefix_then_contains(
    ledger: Ledger, people: dict[str, Person]
) -> None:
    assert names(ledger, "张三") == ["张三", "张三丰", "王张三"]


def test_last_digits_of_an_id_number(ledger: Ledger, people: dict[str, Person]) -> None:
    number = people["仇红梅"].id_number
    assert number is not None
    assert names(ledger, number[-6:]) == ["仇红梅"]
    assert names(ledger, number) == ["仇红梅"]


def test_changes_and_deletions_update_the_index_in_the_same_transaction(
    ledger: Ledger, people: dict[str, Person]
) -> None:
    with ledger.write() as tx:
        persons.update_person(tx, tx.session.get(Person, people["张三"].id), name="李四")  # type: ignore[arg-type]
        persons.delete_person(tx, tx.session.get(Person, people["王张三"].id))  # type: ignore[arg-type]
    assert names(ledger, "张三") == ["张三丰"]
    assert names(ledger, "ls") == ["李四"]


def test_a_query_that_matches_nothing_returns_nothing(ledger: Ledger, people: dict[str, Person]) -> None:
    assert names(ledger, "不存在的人") == []
    assert names(ledger, "   ") == []


def test_surname_readings() -> None:
    assert read_name("曾国藩").full == "zengguofan"
    assert read_name("单田芳").initials == "stf"
    assert read_name("欧阳修").syllables == ("ou", "yang", "xiu")
    assert read_name("李长青").full == "lichangqing"
    assert "i:cgf" in person_keys("曾国藩", "", None)


def test_a_person_created_and_changed_twice_in_one_transaction_is_indexed_once(
    ledger: Ledger, township: Township
) -> None:
    with ledger.write() as tx:
        person = persons.register_person(tx, grid_id=township.grid_a.id, name="赵一").record
        persons.update_person(tx, person, name="赵二")
        persons.update_person(tx, person, name="赵三", phone="13912345678")
    assert names(ledger, "赵三") == ["赵三"]
    assert names(ledger, "赵一") == [] and names(ledger, "zs") == ["赵三"]
    assert names(ledger, "2345") == ["赵三"]
