"""Pinyin of personal names for search: surnames read as surnames (曾 zeng, 单 shan, 朴 piao, 解 xie …).

pypinyin reads characters as ordinary words; a surname often has its own reading. The surname is matched first
(compound surnames before single ones) and read from ``SURNAME_READINGS``; the given name is read per character.
A character pypinyin does not know (rare characters outside the BMP such as 𠀾) is kept as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    # Compound surnames (复姓).
    "欧阳": ("ou", "yang"), "司马": ("si", "ma"), "诸葛": ("zhu", "ge"), "上官": ("shang", "guan"),
    "东方": ("dong", "fang"), "皇甫": ("huang", "fu"), "令狐": ("ling", "hu"), "慕容": ("mu", "rong"),
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "长孙": ("zhang", "sun"), "澹台": ("tan", "tai"),
    "公孙": ("gong", "sun"), "夏侯": ("xia", "hou"), "宇文": ("yu", "wen"), "司徒": ("si", "tu"),
    "轩辕": ("xuan", "yuan"), "端木": ("duan", "mu"), "独孤": ("du", "gu"), "南宫": ("nan", "gong"),
    "西门": ("xi", "men"), "呼延": ("hu", "yan"), "单于": ("chan", "yu"), "申屠": ("shen", "tu"),
    # Single surnames whose surname reading differs from the common one.
    "曾": ("zeng",), "单": ("shan",), "朴": ("piao",), "解": ("xie",), "仇": ("qiu",), "区": ("ou",),
    "查": ("zha",), "盖": ("ge",), "覃": ("qin",), "乐": ("yue",), "缪": ("miao",), "翟": ("zhai",),
    "那": ("na",), "种": ("chong",), "繁": ("po",), "秘": ("bi",), "句": ("gou",), "员": ("yun",),
    "黑": ("he",), "召": ("shao",), "折": ("she",), "能": ("nai",), "重": ("chong",), "尉": ("yu",),
    "长": ("chang",), "藏": ("zang",), "宿": ("su",), "贾": ("jia",), "华": ("hua",), "任": ("ren",),
    "沈": ("shen",), "柏": ("bai",), "薄": ("bo",), "瞿": ("qu",), "冼": ("xian",), "隗": ("wei",),
    "阚": ("kan",),
}  # fmt: skip


@dataclass(frozen=True)
class NameReading:
    """How a name is read: syllables (surname first), the initials, and the plain reading when it differs."""

    syllables: tuple[str, ...]
    alternative: tuple[str, ...] | None

    @property
    def full(self) -> str:
        return "".join(self.syllables)

    @property
    def initials(self) -> str:
        return "".join(s[0] for s in self.syllables if s)


@lru_cache(maxsize=1)
def _pypinyin() -> ModuleType:
    """pypinyin, imported when a name is first read: its phrase dictionary costs a quarter second and 40 MB at
    start, which a window that only lists and searches never needs."""
    import pypinyin

    return pypinyin


def _lazy_pinyin(text: str, style: str, errors: str) -> list[str]:
    module: Any = _pypinyin()
    return list(module.lazy_pinyin(text, style=getattr(module.Style, style), errors=errors))


@lru_cache(maxsize=16384)
def _plain(text: str) -> tuple[str, ...]:
    """The plain reading of a surname or of one character: remembered, as a township's names share a few
    thousand characters (a first pull reads 17,000 names, 43,000 calls here)."""
    return tuple(s.lower() if s.isascii() else s for s in _lazy_pinyin(text, "NORMAL", "default"))


def first_letters(text: str) -> str:
    """The first letter of each character's reading (户主 → hz), for finding codes and places by initials."""
    return "".join(s[:1] for s in _lazy_pinyin(text, "FIRST_LETTER", "ignore"))


def _split_surname(name: str) -> tuple[str, str]:
    if len(name) >= 3 and name[:2] in SURNAME_READINGS:
        return name[:2], name[2:]
    return name[:1], name[1:]


@lru_cache(maxsize=65536)
def read_name(name: str) -> NameReading:
    """The reading of a personal name, surname by its surname reading."""
    name = "".join(name.split())
    if not name:
        return NameReading((), None)
    surname, given = _split_surname(name)
    plain_surname = _plain(surname)
    surname_syllables = SURNAME_READINGS.get(surname) or plain_surname
    given_syllables = _plain_per_char(given)
    syllables = surname_syllables + given_syllables
    plain = plain_surname + given_syllables
    return NameReading(syllables, plain if plain != syllables else None)


GIVEN_NAME_READINGS: dict[str, str] = {"长": "chang", "行": "xing", "重": "zhong", "朝": "zhao"}
"""Given-name characters whose usual reading in names differs from pypinyin's first reading."""


def _plain_per_char(text: str) -> tuple[str, ...]:
    # Given names are read a character at a time: phrase readings of common words mislead on names.
    out: list[str] = []
    for ch in text:
        out.extend([GIVEN_NAME_READINGS[ch]] if ch in GIVEN_NAME_READINGS else _plain(ch))
    return tuple(out)
