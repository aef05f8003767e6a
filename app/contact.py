"""Phone numbers as written in village ledgers: mobiles (11 digits, 1[3-9]…) and landlines (区号-本地号码).

Canonical forms: a mobile is its 11 digits ("13809381234"); a landline is "area-local" ("0938-8212345").
A bare 7–8 digit local number gets the default area code (Tianshui 0938). Every failure raises
:class:`app.errors.ValidationError` with a Chinese message that says what is wrong and what to do.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from app.errors import ValidationError

__all__ = ["PhoneInfo", "PhoneKind", "normalise_phone", "validate_phone"]

FIELD = "phone"
LABEL = "联系电话"
DEFAULT_AREA_CODE = "0938"  # 天水

PhoneKind = Literal["mobile", "landline"]

_DIGITS = frozenset("0123456789")
_MOBILE_SECOND_DIGITS = frozenset("3456789")
_DASHES = "-‐‑‒–—―−－"  # ASCII hyphen, Unicode hyphens and dashes, minus sign, full-width hyphen
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_TRANSLATE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "＋": "+",
        "（": "(",
        "）": ")",
        **dict.fromkeys(_DASHES + _INVISIBLE),
    }
)
_EXCEL_FLOAT = re.compile(r"([0-9]+)\.0+")
_AREA_IN_PARENS = re.compile(r"\((0[0-9]{2,3})\)")
_MOBILE_WITH_COUNTRY = re.compile(r"(?:\+|00)?86(1[0-9]{10})")
_LANDLINE_WITH_COUNTRY = re.compile(r"(?:\+|00)86(?:\(0\)|0)?([2-9][0-9]{8,10})")
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]*)?E[+]?[0-9]+", re.IGNORECASE)
_AREA_CODE = re.compile(r"0[0-9]{2,3}")


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    """A checked phone number."""

    number: str
    """Canonical form: "13809381234" (mobile) or "0938-8212345" (landline)."""
    kind: PhoneKind
    area_code: str
    """The landline's area code with its leading 0 ("0938"); "" for a mobile."""


def normalise_phone(raw: str | int | float) -> str:
    """Clean up a phone number without checking it.

    Removes whitespace (full-width too), hyphens/dashes and invisible characters, makes full-width digits,
    ＋ and （） ASCII, turns a spreadsheet float ("13809381234.0", or the float itself) back into digits,
    unwraps an area code in brackets ("(0938)8212345" → "09388212345") and drops a +86 / 0086 / 86 country
    prefix (a landline written "+86 938 8212345" becomes "09388212345").
    """
    is_whole_float = isinstance(raw, float) and math.isfinite(raw) and raw.is_integer()
    text = str(int(raw)) if is_whole_float else str(raw)
    text = "".join(text.split()).translate(_TRANSLATE)
    if text.startswith("'"):  # Excel's "store as text" marker
        text = text[1:]
    if match := _EXCEL_FLOAT.fullmatch(text):
        text = match.group(1)
    if match := _AREA_IN_PARENS.match(text):
        text = match.group(1) + text[match.end() :]
    if match := _MOBILE_WITH_COUNTRY.fullmatch(text):
        return match.group(1)
    if match := _LANDLINE_WITH_COUNTRY.fullmatch(text):
        return "0" + match.group(1)
    return text


def validate_phone(
    raw: str | int | float,
    *,
    default_area_code: str = DEFAULT_AREA_CODE,
    field: str = FIELD,
    label: str = LABEL,
    record: str = "",
) -> PhoneInfo:
    """Check a mobile or landline number and return its canonical form.

    ``default_area_code`` is given to a bare 7–8 digit local number. ``field``, ``label`` and ``record`` name
    the input in the raised :class:`~app.errors.ValidationError`.
    """
    if not _AREA_CODE.fullmatch(default_area_code):
        raise ValueError(f"default_area_code must be 0 and 2–3 digits, got {default_area_code!r}")

    def fail(problem: str) -> ValidationError:
        return ValidationError(field, label, problem, record)

    digits = normalise_phone(raw)
    if not digits:
        raise fail("未填写，请输入11位手机号或带区号的固定电话（如0938-8212345）")

    if not _DIGITS.issuperset(digits):
        if _SCIENTIFIC.fullmatch(digits):
            raise fail(
                f"“{digits}”是被表格软件（Excel/WPS）转换成数字后的号码，后面的数字已经丢失，无法还原。"
                "请先把该列单元格格式设置为“文本”，再重新输入完整的号码"
            )
        position, char = next((i, c) for i, c in enumerate(digits, start=1) if c not in _DIGITS)
        raise fail(_bad_character(char, position))

    count = len(digits)
    if count < 7:
        raise fail(
            f"号码太短，只有{count}位数字：手机号应为11位，固定电话本地号码应为7–8位，请核对后重新输入"
        )
    if digits[0] == "1":
        if count != 11:
            raise fail(f"手机号应为11位，输入了{count}位，请核对是否漏输或多输")
        if digits[1] not in _MOBILE_SECOND_DIGITS:
            raise fail(f"“{digits[:2]}”开头不是有效的手机号段（手机号以13–19开头），请核对前两位")
        return PhoneInfo(number=digits, kind="mobile", area_code="")

    if digits[0] == "0":
        if digits[1] == "0":
            raise fail(f"“{digits}”不是有效的国内电话号码，固定电话请写成“区号-号码”，如0938-8212345")
        area_length = 3 if digits[1] in "12" else 4
        area, local = digits[:area_length], digits[area_length:]
        if digits[1] == "1" and area != "010":
            raise fail(f"区号“{area}”不存在（01开头的区号只有010），请核对区号")
        return PhoneInfo(number=f"{area}-{_local(local, area, fail)}", kind="landline", area_code=area)

    if count > 8:
        raise fail(
            f"输入了{count}位数字，不是有效的电话号码：手机号以1开头、共11位；"
            "固定电话本地号码为7–8位，如带区号，区号应以0开头（如0938-8212345）"
        )
    local = _local(digits, default_area_code, fail)
    return PhoneInfo(number=f"{default_area_code}-{local}", kind="landline", area_code=default_area_code)


def _local(local: str, area: str, fail: Callable[[str], ValidationError]) -> str:
    """Check the local part of a landline number (7–8 digits, not starting with 0 or 1)."""
    if len(local) < 7:
        raise fail(f"号码太短：区号{area}后只有{len(local)}位，固定电话本地号码应为7–8位，请核对后重新输入")
    if len(local) > 8:
        raise fail(f"号码太长：区号{area}后有{len(local)}位，固定电话本地号码应为7–8位，请核对后重新输入")
    if local[0] in "01":
        raise fail(f"本地号码“{local}”不能以{local[0]}开头，请核对区号和号码")
    return local


def _bad_character(char: str, position: int) -> str:
    if not char.isprintable():
        shown, kind = f"U+{ord(char):04X}", "不可见字符"
    elif (char.isascii() and char.isalpha()) or unicodedata.name(char, "").startswith("FULLWIDTH LATIN"):
        shown, kind = char, "字母"
    elif unicodedata.category(char) == "Lo":
        shown, kind = char, "文字"
    else:
        shown, kind = char, "字符"
    return (
        f"第{position}位是{kind}“{shown}”，电话号码只能填写数字；"
        "一栏只填一个号码，分机号或备注请写在备注栏，没有电话请留空"
    )
