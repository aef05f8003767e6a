"""Resident identity numbers (公民身份号码, GB 11643-1999): clean up, check, explain, convert and make.

An 18-character number is 6 digits of region (GB/T 2260), 8 digits of birth date (YYYYMMDD), a 3-digit
sequence (odd male, even female) and a check character (0–9 or X). Ledgers also hold 15-digit numbers issued
before 1999 (2-digit year, no check character); those are converted to 18 characters and accepted.

Every failure raises :class:`app.errors.ValidationError` with a Chinese message that says what is wrong and
what to do. Region names come from python-stdnum's GB/T 2260 table (``stdnum/cn/loc.dat``), historical codes
included, read once per process.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType

from app.errors import ValidationError

__all__ = [
    "IdNumberInfo",
    "check_digit",
    "make_id_number",
    "normalise_id_number",
    "parse_id_number",
    "region_name",
    "region_names",
]

FIELD = "id_number"
LABEL = "身份证号"

_DIGITS = frozenset("0123456789")
_ALLOWED = frozenset("0123456789X")
_EARLIEST_BIRTH = date(1890, 1, 1)

# GB/T 2260 province codes; 83 (Taiwan residents' residence permits) is deliberately not accepted.
PROVINCE_CODES = frozenset(
    f"{n:02d}"
    for n in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    )
)

# Full-width digits and X/x → ASCII; x → X.  Invisible characters that come along with copy-paste from
# spreadsheets and web pages (zero-width space/joiners, word joiner, BOM) are removed like whitespace.
_TRANSLATE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "Ｘ": "X",
        "ｘ": "X",
        "x": "X",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
# What Excel/WPS shows (or exports) once it has stored an ID number as a floating-point number.
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]*)?E[+]?[0-9]+", re.IGNORECASE)
# Letters people type by mistake for digits.
_LOOKALIKES = {"O": "0", "o": "0", "Ｏ": "0", "〇": "0", "I": "1", "l": "1", "Ｉ": "1", "ｌ": "1"}
# Parent entries (XXYY00) that are groupings rather than places; they are left out of region names.
_NON_PLACE_PARENTS = frozenset({"市辖区", "县", "林区"})
_DATED_NAME = re.compile(r"\[(\d*)-(\d*)\](.*)")


@dataclass(frozen=True, slots=True)
class IdNumberInfo:
    """A checked identity number and what it says."""

    number: str
    """The normalised 18-character form (15-digit numbers converted)."""
    birth_date: date
    sex: str
    """GB/T 2261.1 code: "1" male, "2" female."""
    region_code: str
    """The first 6 digits (GB/T 2260 administrative division code of the issuing place)."""
    region_name: str
    """Best-effort place name such as "甘肃省天水市秦州区" (newest name of the code)."""
    converted_from_15: bool
    original: str
    """The text as entered, before any clean-up."""


def normalise_id_number(raw: str) -> str:
    """Return ``raw`` with all whitespace removed (full-width and inner spaces too), full-width digits and
    Ｘ/ｘ made ASCII and x made X. A leading apostrophe (Excel's "store as text" marker) is dropped.

    Nothing is checked: the result may still be invalid.
    """
    cleaned = "".join(raw.split()).translate(_TRANSLATE)
    if cleaned.startswith("'"):
        cleaned = cleaned[1:]
    return cleaned


def check_digit(first17: str) -> str:
    """The GB 11643-1999 check character ("0"–"9" or "X") for the first 17 digits of a number."""
    if len(first17) != 17 or not _DIGITS.issuperset(first17):
        raise ValueError(f"check_digit needs exactly 17 ASCII digits, got {first17!r}")
    # S = Σ aᵢ·wᵢ with wᵢ = 2^(18-i) mod 11, i.e. S ≡ 2·(the 17 digits read in base 13, as 13 ≡ 2 mod 11);
    # "10X98765432"[S mod 11] is (1 - S) mod 11 with 10 written X.  One int() call instead of 17 products.
    value = (1 - 2 * int(first17, 13)) % 11
    return "X" if value == 10 else str(value)


def make_id_number(region: str, birth: date, sequence: int) -> str:
    """Build a valid 18-character number for synthetic test and demo data (never use it for real people).

    ``region`` is a 6-digit code from the GB/T 2260 table, ``sequence`` the 3-digit order code 0–999
    (odd = male, even = female).
    """
    if len(region) != 6 or not _DIGITS.issuperset(region):
        raise ValueError(f"region must be 6 ASCII digits, got {region!r}")
    if region not in _region_table():
        raise ValueError(f"region {region!r} is not in the GB/T 2260 table")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be 0–999, got {sequence}")
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return first17 + check_digit(first17)


def region_name(code: str) -> str:
    """The best-effort place name for a 6-digit region code ("" if the code is not in the table)."""
    return _region_names().get(code, "")


@lru_cache(maxsize=1)
def region_names() -> Mapping[str, str]:
    """The GB/T 2260 region table (行政区划代码): every 6-digit code an ID number may begin with → its full place
    name, e.g. "620502" → "甘肃省天水市秦州区" (province, city and county; historical codes included, under their
    newest name). Read once per process; the mapping is read-only."""
    return MappingProxyType(_region_names())


def parse_id_number(
    raw: str,
    *,
    today: date | None = None,
    field: str = FIELD,
    label: str = LABEL,
    record: str = "",
) -> IdNumberInfo:
    """Check an identity number as typed or pasted and return what it says.

    Accepts 18-character numbers and 15-digit pre-1999 numbers (converted, ``converted_from_15=True``),
    with any whitespace, full-width digits or lower-case x. ``today`` (default: the system date) bounds the
    birth date. ``field``, ``label`` and ``record`` name the input in the raised
    :class:`~app.errors.ValidationError`.
    """

    def fail(problem: str) -> ValidationError:
        return ValidationError(field, label, problem, record)

    number = normalise_id_number(raw)
    if not number:
        raise fail("未填写，请输入18位身份证号")

    all_allowed = _ALLOWED.issuperset(number)
    if not all_allowed and _SCIENTIFIC.fullmatch(number):
        raise fail(
            f"“{number}”是被表格软件（Excel/WPS）转换成数字后的号码，后面的数字已经丢失，无法还原。"
            "请先把该列单元格格式设置为“文本”，再重新输入或粘贴完整的18位身份证号"
        )

    for position, char in enumerate("" if all_allowed else number, start=1):
        if char not in _ALLOWED:
            shown = char if char.isprintable() else f"U+{ord(char):04X}"
            hint = f"（是否把数字 {_LOOKALIKES[char]} 输成了“{char}”？）" if char in _LOOKALIKES else ""
            raise fail(
                f"第{position}位“{shown}”不是有效字符{hint}，身份证号只能由数字和末位的X组成，请核对后重新输入"
            )

    length = len(number)
    if length not in (15, 18):
        raise fail(
            f"输入了{length}位，身份证号应为18位（1999年以前办理的老身份证为15位），请核对是否漏输或多输"
        )

    x_at = number.find("X")
    if x_at != -1 and (length == 15 or x_at != 17):
        where = (
            "15位老身份证号中不应有X" if length == 15 else f"第{x_at + 1}位是X，X只能出现在第18位（校验码）"
        )
        raise fail(f"{where}，请核对后重新输入")

    converted = length == 15
    if converted:
        first17 = number[:6] + "19" + number[6:]
        number = first17 + check_digit(first17)

    birth = _birth_date(number, converted, today or date.today(), fail)
    region_code = number[:6]
    names = _region_names()
    if region_code[:2] not in PROVINCE_CODES:
        raise fail(f"前2位“{region_code[:2]}”不是有效的省级行政区划代码，请核对第1–6位地址码")
    if region_code not in names:
        province = names.get(region_code[:2] + "0000", "")
        raise fail(f"前6位地址码“{region_code}”在{province}的行政区划代码表中查不到，请核对第1–6位是否输错")

    if not converted:
        expected = check_digit(number[:17])
        if number[17] != expected:
            extra = ""
            if number.endswith("000"):
                extra = "；号码以000结尾，可能是表格软件把它当成数字丢失了末几位，请先把该列设为“文本”格式"
            raise fail(
                f"第18位校验码应为 {expected}，输入的是 {number[17]}。"
                f"请逐位核对前17位（常见错误是输错一位或相邻两位颠倒）{extra}"
            )

    return IdNumberInfo(
        number=number,
        birth_date=birth,
        sex="1" if int(number[16]) % 2 else "2",
        region_code=region_code,
        region_name=names[region_code],
        converted_from_15=converted,
        original=raw,
    )


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _birth_date(number: str, converted: bool, today: date, fail: Callable[[str], ValidationError]) -> date:
    """The birth date in positions 7–14 of an 18-character number, or a ValidationError explaining why not."""
    digits = number[6:14]
    shown = f"第7–12位出生日期“{digits[2:]}”（即{digits}）" if converted else f"第7–14位出生日期“{digits}”"
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    why = ""
    if not 1 <= month <= 12:
        why = f"月份{digits[4:6]}不存在"
    elif day == 0:
        why = "日不能为00"
    elif day > _days_in_month(year, month):
        why = f"{year}年{month}月只有{_days_in_month(year, month)}天，没有{day}日"
    elif year < _EARLIEST_BIRTH.year:
        why = "早于1890年1月1日"
    if why:
        raise fail(f"{shown}不是有效的出生日期：{why}，请核对后重新输入")
    birth = date(year, month, day)
    if birth > today:
        raise fail(f"{shown}晚于今天（{today:%Y%m%d}），出生日期不能在将来，请核对后重新输入")
    return birth


def _newest_name(value: str) -> str:
    """The newest name in a loc.dat county value like "[1985-2003]秦城区,[2004-]秦州区" (→ "秦州区")."""
    best = ""
    best_key = (-1, -1)
    for part in value.split(","):
        match = _DATED_NAME.fullmatch(part)
        if match is None:
            return part  # an undated name is current
        start, end, name = match.groups()
        key = (int(end) if end else 9999, int(start) if start else 0)
        if key > best_key:
            best, best_key = name, key
    return best


@lru_cache(maxsize=1)
def _region_table() -> dict[str, tuple[str, str]]:
    """Every 6-digit code in python-stdnum's GB/T 2260 table → (province, newest own name)."""
    from stdnum import numdb

    table: dict[str, tuple[str, str]] = {}
    for length, low, high, props, children in numdb.get("cn/loc").prefixes:
        if length != 2:
            continue
        province = str(props.get("province", ""))
        for province_code in _expand(low, high):
            for child_length, child_low, child_high, child_props, _ in children:
                if child_length != 4 or "county" not in child_props:
                    continue
                name = _newest_name(str(child_props["county"]))
                for rest in _expand(child_low, child_high):
                    table[province_code + rest] = (province, name)
    return table


def _expand(low: str, high: str) -> list[str]:
    if low == high:
        return [low]
    return [f"{n:0{len(low)}d}" for n in range(int(low), int(high) + 1)]


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    """Every 6-digit code → full place name, e.g. "620502" → "甘肃省天水市秦州区"."""
    table = _region_table()
    names: dict[str, str] = {}
    for code, (province, own) in table.items():
        top = table.get(code[:2] + "0000", (province, province))[1] or province
        if code.endswith("0000"):
            names[code] = top
            continue
        parent = table.get(code[:4] + "00", ("", ""))[1]
        if parent in _NON_PLACE_PARENTS or "直辖" in parent or parent == top:
            parent = ""
        if code.endswith("00"):
            names[code] = top + (own if own not in _NON_PLACE_PARENTS and "直辖" not in own else "")
        else:
            names[code] = top + parent + own
    return names
