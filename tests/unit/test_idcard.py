"""GB 11643-1999 identity numbers: clean-up, checks, messages, 15→18 conversion, region names, synthetic numbers.

All numbers are synthetic: the standard's own example 11010519491231002X, or built with make_id_number.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import ValidationError
from app.idcard import (
    IdNumberInfo,
    check_digit,
    make_id_number,
    normalise_id_number,
    parse_id_number,
    region_name,
    region_names,
)

STANDARD = "11010519491231002X"  # the example printed in GB 11643-1999
TODAY = date(2025, 6, 1)
TIANSHUI = ["620502", "620503", "620521", "620522", "620523", "620524", "620525"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check(first17: str) -> str:
    """A number whose check character is right, so that only the defect under test is wrong."""
    return first17 + check_digit(first17)


def reference_check_digit(first17: str) -> str:
    """The check character exactly as DOMAIN.md states it: "10X98765432"[Σ aᵢ·wᵢ mod 11]."""
    return "10X98765432"[sum(int(a) * w for a, w in zip(first17, WEIGHTS, strict=True)) % 11]


def problem_of(raw: str, today: date = TODAY) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_id_number(raw, today=today)
    error = caught.value
    assert error.field == "id_number"
    assert error.label == "身份证号"
    assert error.message == f"身份证号：{error.problem}"
    return error.problem


# --- normalise -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (STANDARD, STANDARD),
        ("11010519491231002x", STANDARD),
        ("１１０１０５１９４９１２３１００２Ｘ", STANDARD),
        ("１１０１０５１９４９１２３１００２ｘ", STANDARD),
        (" 110105 19491231 002x ", STANDARD),
        ("110105\u300019491231\u3000002X", STANDARD),
        ("\t110105194912\n31002X\r\n", STANDARD),
        ("\u00a0110105\u200b19491231002X\ufeff", STANDARD),
        ("'11010519491231002X", STANDARD),
        ("", ""),
        ("   \u3000", ""),
        ("6.20502E+17", "6.20502E+17"),  # cleaned, not checked
        ("1101O5", "1101O5"),
    ],
)
def test_normalise_id_number(raw: str, expected: str) -> None:
    assert normalise_id_number(raw) == expected


# --- check character -------------------------------------------------------------------------------------


def test_check_digit_of_the_standard_example_worked_by_hand() -> None:
    # 1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5 + 0·8 + 0·4 + 2·2
    # = 7 + 9 + 0 + 5 + 0 + 20 + 2 + 9 + 24 + 27 + 7 + 18 + 30 + 5 + 0 + 0 + 4 = 167; 167 mod 11 = 2 → "X"
    assert check_digit("11010519491231002") == "X"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_matches_the_weighted_sum(first17: str) -> None:
    assert check_digit(first17) == reference_check_digit(first17)


@pytest.mark.parametrize(
    "bad", ["", "1101051949123100", "110105194912310021", "1101051949123100X", "１" * 17]
)
def test_check_digit_needs_17_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)


# --- accepted numbers ------------------------------------------------------------------------------------


def test_standard_example() -> None:
    info = parse_id_number(STANDARD, today=TODAY)
    assert info == IdNumberInfo(
        number=STANDARD,
        birth_date=date(1949, 12, 31),
        sex="2",
        region_code="110105",
        region_name="北京市朝阳区",  # GB/T 2260: 110102 is 西城区, 110105 is 朝阳区
        converted_from_15=False,
        original=STANDARD,
    )


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        " 1101 0519 4912 3100 2x ",
        "110105\u300019491231\u3000002ｘ",
    ],
)
def test_messy_input_is_accepted_and_normalised(raw: str) -> None:
    info = parse_id_number(raw, today=TODAY)
    assert info.number == STANDARD
    assert info.original == raw
    assert not info.converted_from_15


def test_15_digit_number_is_converted() -> None:
    # The standard's example in its old 15-digit form: drop "19" from the year and the check character.
    # 110105 491231 002 → 110105 19 491231 002 + check; the check of 11010519491231002 is X (worked above).
    info = parse_id_number("110105491231002", today=TODAY)
    assert info.number == STANDARD
    assert info.converted_from_15
    assert info.original == "110105491231002"
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "2"
    assert info.region_name == "北京市朝阳区"


@pytest.mark.parametrize(
    ("region", "birth", "sequence"),
    [("620502", date(1985, 6, 15), 123), ("620525", date(1952, 2, 29), 8), ("620521", date(1900, 1, 1), 999)],
)
def test_15_digit_form_of_a_made_number(region: str, birth: date, sequence: int) -> None:
    full = make_id_number(region, birth, sequence)
    old = full[:6] + full[8:17]
    info = parse_id_number(old, today=TODAY)
    assert (info.number, info.birth_date, info.converted_from_15) == (full, birth, True)


@pytest.mark.parametrize(
    ("sequence", "sex"),
    [(0, "2"), (1, "1"), (2, "2"), (123, "1"), (998, "2"), (999, "1")],
)
def test_sex_from_sequence(sequence: int, sex: str) -> None:
    assert parse_id_number(make_id_number("620502", date(1990, 1, 1), sequence), today=TODAY).sex == sex


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("620502", "甘肃省天水市秦州区"),  # "[1985-2003]秦城区,[2004-]秦州区": newest name
        ("620503", "甘肃省天水市麦积区"),  # "[1985-2003]北道区,[2004-]麦积区"
        ("620525", "甘肃省天水市张家川回族自治县"),
        ("620500", "甘肃省天水市"),
        ("620000", "甘肃省"),
        ("110102", "北京市西城区"),  # municipality: the "市辖区" level is left out
        ("429004", "湖北省仙桃市"),  # "省直辖县级行政单位" is left out
        ("622101", "甘肃省酒泉地区玉门市"),  # historical: 酒泉地区 was abolished in 2002
        ("999999", ""),
    ],
)
def test_region_name(code: str, name: str) -> None:
    assert region_name(code) == name


def test_the_region_table_is_public_read_only_and_agrees_with_region_name() -> None:
    table = region_names()
    assert table["620502"] == "甘肃省天水市秦州区" and table["622101"] == "甘肃省酒泉地区玉门市"
    assert "999999" not in table and len(table) > 3000
    assert all(region_name(code) == name for code, name in table.items())
    with pytest.raises(TypeError):
        table["999999"] = "某地"  # type: ignore[index]
    assert region_name("999999") == "" and region_names() is table  # read once per process


def test_only_app_idcard_uses_its_private_region_table() -> None:
    root = Path(__file__).resolve().parents[2]
    users = [
        str(path.relative_to(root))
        for folder in ("app", "ui", "sync", "server", "bench", "scripts")
        for path in sorted((root / folder).rglob("*.py"))
        if path.name != "idcard.py" and "_region_names" in path.read_text(encoding="utf-8")
    ]
    assert users == []


def test_historical_region_code_is_accepted() -> None:
    number = make_id_number("622101", date(1960, 5, 5), 17)
    info = parse_id_number(number, today=TODAY)
    assert (info.region_code, info.region_name) == ("622101", "甘肃省酒泉地区玉门市")


def test_code_older_than_the_region_name_is_accepted() -> None:
    # Born in 1950, number issued by 秦州区 (named so since 2004): birth year must not restrict the code.
    info = parse_id_number(make_id_number("620502", date(1950, 3, 3), 11), today=TODAY)
    assert info.region_name == "甘肃省天水市秦州区"


@pytest.mark.parametrize("birth", [date(1890, 1, 1), date(2000, 2, 29), TODAY])
def test_birth_date_bounds_are_inclusive(birth: date) -> None:
    assert parse_id_number(make_id_number("620502", birth, 5), today=TODAY).birth_date == birth


def test_today_defaults_to_the_system_date() -> None:
    assert parse_id_number(STANDARD).birth_date == date(1949, 12, 31)
    assert "将来" in problem_of(make_id_number("620502", date(9999, 12, 31), 1), today=date.today())


@given(
    region=st.sampled_from(TIANSHUI),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_make_id_number_round_trip(region: str, birth: date, sequence: int) -> None:
    number = make_id_number(region, birth, sequence)
    info = parse_id_number(number, today=date(2026, 1, 1))
    assert info.number == number
    assert info.birth_date == birth
    assert info.sex == ("1" if sequence % 2 else "2")
    assert info.region_code == region
    assert info.region_name.startswith("甘肃省天水市")


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
    position=st.integers(min_value=0, max_value=16),
    shift=st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_typo_is_rejected(birth: date, sequence: int, position: int, shift: int) -> None:
    number = make_id_number("620502", birth, sequence)
    typo = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    with pytest.raises(ValidationError):
        parse_id_number(typo, today=date(2026, 1, 1))


@pytest.mark.parametrize(
    ("region", "sequence"),
    [("62050", 1), ("6205021", 1), ("62O502", 1), ("999999", 1), ("620502", -1), ("620502", 1000)],
)
def test_make_id_number_rejects_bad_arguments(region: str, sequence: int) -> None:
    with pytest.raises(ValueError):
        make_id_number(region, date(1990, 1, 1), sequence)


# --- rejected numbers: one message per defect ------------------------------------------------------------

VALID = make_id_number("620502", date(1985, 6, 15), 123)  # 620502198506151239
ENDS_000 = "62050219900101100" + "0"  # check should be 8


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        # empty
        ("", ["未填写", "18位"]),
        (" \u3000\t", ["未填写"]),
        # Excel scientific notation
        ("6.20502E+17", ["6.20502E+17", "表格", "丢失", "文本", "18位"]),
        ("6.20502e+17", ["6.20502e+17", "文本"]),
        ("620502E+12", ["620502E+12", "文本"]),
        ("6.20502198506151E+17", ["文本"]),
        ("６.２０５０２E+17", ["6.20502E+17", "文本"]),
        # illegal characters: which one and where
        ("1101O519491231002X", ["第5位", "“O”", "数字 0"]),
        ("110105-19491231-002X", ["第7位", "“-”", "只能由数字和末位的X组成"]),
        ("11010519491231002Y", ["第18位", "“Y”"]),
        ("110105194912３１00２X,", ["第19位", "“,”"]),
        ("11010519491231002\x00", ["第18位", "U+0000"]),
        # wrong length
        ("1101051949123100", ["输入了16位", "18位", "15位"]),
        ("11010519491231002", ["输入了17位", "18位"]),
        (STANDARD + "1", ["输入了19位", "18位"]),
        ("6205", ["输入了4位"]),
        # X in the wrong place
        ("1101051949123100X2", ["第17位是X", "第18位"]),
        ("X10105194912310021", ["第1位是X"]),
        ("11010549123100X", ["15位", "不应有X"]),
        # birth date not a calendar date: names the 8 digits and why
        (with_check("62050219990230123"), ["第7–14位", "“19990230”", "1999年2月只有28天", "没有30日"]),
        (with_check("62050219000229123"), ["“19000229”", "1900年2月只有28天"]),
        (with_check("62050219991301123"), ["“19991301”", "月份13不存在"]),
        (with_check("62050219990001123"), ["“19990001”", "月份00不存在"]),
        (with_check("62050219990100123"), ["“19990100”", "日不能为00"]),
        (with_check("62050219990431123"), ["“19990431”", "4月只有30天"]),
        ("620502990230123", ["第7–12位", "“990230”", "19990230", "只有28天"]),
        # birth date out of range
        (with_check("62050218891231123"), ["“18891231”", "早于1890年1月1日"]),
        (with_check("62050200000101123"), ["“00000101”", "早于1890年1月1日"]),
        (make_id_number("620502", date(2025, 6, 2), 123), ["“20250602”", "晚于今天", "20250601", "将来"]),
        # region
        (with_check("00050219850615123"), ["前2位“00”", "省级行政区划代码"]),
        (with_check("83000019850615123"), ["前2位“83”"]),
        (with_check("99050219850615123"), ["前2位“99”"]),
        (with_check("62059919850615123"), ["“620599”", "甘肃省", "查不到"]),
        (with_check("11019919850615123"), ["“110199”", "北京市"]),
        # check character
        ("110105194912310025", ["第18位校验码应为 X，输入的是 5", "核对"]),
        ("11010519491231002１", ["第18位校验码应为 X，输入的是 1"]),
        (VALID[:17] + "X", ["第18位校验码应为 9，输入的是 X"]),
        (VALID[:14] + VALID[15] + VALID[14] + VALID[16:], ["第18位校验码应为", "颠倒"]),
        (ENDS_000, ["第18位校验码应为 8，输入的是 0", "000结尾", "文本"]),
    ],
)
def test_rejected_with_specific_message(raw: str, fragments: list[str]) -> None:
    problem = problem_of(raw)
    for fragment in fragments:
        assert fragment in problem


def test_check_message_has_no_excel_hint_without_trailing_zeros() -> None:
    assert "文本" not in problem_of("110105194912310025")


def test_field_label_and_record_can_be_named_by_the_caller() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_id_number(
            "110105194912310025", today=TODAY, field="owner_id", label="房主身份证号", record="张三户"
        )
    error = caught.value
    assert (error.field, error.label, error.record) == ("owner_id", "房主身份证号", "张三户")
    assert error.message.startswith("张三户的房主身份证号：第18位校验码应为 X")


def test_info_is_frozen() -> None:
    info = parse_id_number(STANDARD, today=TODAY)
    with pytest.raises(AttributeError):
        info.sex = "1"  # type: ignore[misc]
