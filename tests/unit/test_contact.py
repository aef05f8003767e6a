"""Phone numbers: clean-up, mobile/landline recognition, canonical forms and the messages for bad input.

All numbers are synthetic.
"""

from __future__ import annotations

import pytest

from app.contact import PhoneInfo, normalise_phone, validate_phone
from app.errors import ValidationError

MOBILE = PhoneInfo(number="13809381234", kind="mobile", area_code="")
TIANSHUI_LANDLINE = PhoneInfo(number="0938-8212345", kind="landline", area_code="0938")


def problem_of(raw: str | int | float) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_phone(raw)
    error = caught.value
    assert error.field == "phone"
    assert error.label == "联系电话"
    assert error.message == f"联系电话：{error.problem}"
    return error.problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13809381234", "13809381234"),
        (" 138 0938 1234 ", "13809381234"),
        ("138-0938-1234", "13809381234"),
        ("138\u30000938\u30001234", "13809381234"),
        ("１３８０９３８１２３４", "13809381234"),
        ("138—0938–1234", "13809381234"),
        ("+86 138 0938 1234", "13809381234"),
        ("＋８６１３８０９３８１２３４", "13809381234"),
        ("0086-138-0938-1234", "13809381234"),
        ("8613809381234", "13809381234"),
        ("13809381234.0", "13809381234"),
        (13809381234.0, "13809381234"),
        (13809381234, "13809381234"),
        ("'13809381234", "13809381234"),
        ("\u200b13809381234", "13809381234"),
        ("0938-8212345", "09388212345"),
        ("(0938)8212345", "09388212345"),
        ("（０９３８）８２１２３４５", "09388212345"),
        ("+86 938 8212345", "09388212345"),
        ("+86 (0)938 8212345", "09388212345"),
        ("86123456", "86123456"),  # a local number that happens to start with 86 keeps it
        ("", ""),
        ("abc", "abc"),
    ],
)
def test_normalise_phone(raw: str | int | float, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13809381234", MOBILE),
        ("138 0938 1234", MOBILE),
        ("+8613809381234", MOBILE),
        ("008613809381234", MOBILE),
        ("13809381234.0", MOBILE),
        (13809381234.0, MOBILE),
        ("１３８０９３８１２３４", MOBILE),
        ("14709381234", PhoneInfo("14709381234", "mobile", "")),
        ("19909381234", PhoneInfo("19909381234", "mobile", "")),
        ("0938-8212345", TIANSHUI_LANDLINE),
        ("09388212345", TIANSHUI_LANDLINE),
        ("(0938)8212345", TIANSHUI_LANDLINE),
        ("（0938）8212345", TIANSHUI_LANDLINE),
        ("0938 821 2345", TIANSHUI_LANDLINE),
        ("8212345", TIANSHUI_LANDLINE),
        ("821-2345", TIANSHUI_LANDLINE),
        ("+86 938 8212345", TIANSHUI_LANDLINE),
        ("0938-82123456", PhoneInfo("0938-82123456", "landline", "0938")),
        ("010-62345678", PhoneInfo("010-62345678", "landline", "010")),
        ("02162345678", PhoneInfo("021-62345678", "landline", "021")),
        ("0931-8123456", PhoneInfo("0931-8123456", "landline", "0931")),
    ],
)
def test_valid_numbers_get_their_canonical_form(raw: str | int | float, expected: PhoneInfo) -> None:
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "area", "expected"),
    [
        ("8123456", "0931", PhoneInfo("0931-8123456", "landline", "0931")),
        ("62345678", "010", PhoneInfo("010-62345678", "landline", "010")),
        ("0938-8212345", "0931", TIANSHUI_LANDLINE),  # an explicit area code wins
    ],
)
def test_default_area_code(raw: str, area: str, expected: PhoneInfo) -> None:
    assert validate_phone(raw, default_area_code=area) == expected


@pytest.mark.parametrize("area", ["938", "09381", "0", "", "O938"])
def test_bad_default_area_code_is_a_programming_error(area: str) -> None:
    with pytest.raises(ValueError):
        validate_phone("8212345", default_area_code=area)


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        # empty
        ("", ["未填写", "11位"]),
        (" \u3000", ["未填写"]),
        # mobile with the wrong digit count: say how many
        ("1380938123", ["手机号应为11位", "输入了10位"]),
        ("138093812345", ["手机号应为11位", "输入了12位"]),
        ("13809381234.5", ["第12位", "“.”"]),
        # unknown mobile prefix
        ("12809381234", ["“12”开头", "手机号段", "13–19"]),
        ("11809381234", ["“11”开头"]),
        ("10809381234", ["“10”开头"]),
        # letters and other characters
        ("1380938123a", ["第11位", "字母“a”", "只能填写数字"]),
        ("138O9381234", ["第4位", "字母“O”"]),
        ("138０９３８１２３ｘ", ["第11位", "字母“ｘ”"]),
        ("暂无", ["第1位", "文字“暂”", "留空"]),
        ("13809381234转801", ["第12位", "文字“转”", "分机号"]),
        ("13809381234/13909381234", ["第12位", "字符“/”", "一个号码"]),
        ("13809381234\x07", ["第12位", "U+0007"]),
        # Excel
        ("1.38094E+10", ["1.38094E+10", "文本", "丢失"]),
        ("1.38094e+10", ["文本"]),
        # too short
        ("12345", ["号码太短", "只有5位"]),
        ("821234", ["号码太短", "只有6位"]),
        ("0938", ["号码太短", "只有4位"]),
        ("0938-82123", ["号码太短", "区号0938后只有5位", "7–8位"]),
        ("010-623456", ["区号010后只有6位"]),
        # too long / malformed landlines
        ("0938-821234567", ["号码太长", "区号0938后有9位"]),
        ("9388212345", ["输入了10位数字", "区号应以0开头"]),
        ("0128212345", ["区号“012”不存在", "010"]),
        ("0938-0212345", ["本地号码“0212345”", "不能以0开头"]),
        ("0938-1212345", ["不能以1开头"]),
        ("00123456789", ["“00123456789”", "不是有效的国内电话号码"]),
    ],
)
def test_rejected_with_specific_message(raw: str, fragments: list[str]) -> None:
    problem = problem_of(raw)
    for fragment in fragments:
        assert fragment in problem


def test_field_label_and_record_can_be_named_by_the_caller() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_phone("1380938123", field="owner_phone", label="房主电话", record="张三户")
    error = caught.value
    assert (error.field, error.label, error.record) == ("owner_phone", "房主电话", "张三户")
    assert error.message == "张三户的房主电话：手机号应为11位，输入了10位，请核对是否漏输或多输"


def test_info_is_frozen() -> None:
    info = validate_phone("13809381234")
    with pytest.raises(AttributeError):
        info.kind = "landline"  # type: ignore[misc]
