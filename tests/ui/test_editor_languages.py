"""The editors' own refusals speak the UI's language: English with the English UI (no Chinese but the record's own
data), the same Chinese sentences as the services' with zh_CN; and no Chinese text is left in the editors' code
outside tr() except domain values kept in the ledger."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.idcard import make_id_number
from app.ledger import Ledger
from app.services import households
from tests.conftest import Township
from tests.ui.keyboard import type_text
from ui import forms
from ui.household_editor import HouseholdEditor
from ui.i18n import install_translators
from ui.organisation_editor import OrganisationEditor
from ui.person_editor import PersonEditor, SpecialGroupDialog
from ui.place_editor import PlaceEditor

ROOT = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
"""Chinese characters and Chinese (full-width) punctuation: none may show in the English UI."""

HEAD_ID = make_id_number("620502", date(1992, 11, 30), 2)
NEWCOMER_ID = make_id_number("620503", date(1992, 11, 30), 64)


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The UI language of the test: English (no translator, as the app with "en") or zh_CN."""
    locale = QLocale()
    translators = install_translators(qapp, request.param)
    if request.param == "zh_CN":
        assert len(translators) == 2, "qtbase_zh_CN and griddesk_zh_CN both load"
    yield request.param
    for translator in translators:
        qapp.removeTranslator(translator)
    QLocale.setDefault(locale)


def show(qtbot: QtBot, dialog: forms.RecordDialog) -> forms.RecordDialog:
    def forget_typing(widget: QWidget) -> None:
        if isinstance(widget, forms.RecordDialog):
            widget.dirty = False

    qtbot.addWidget(dialog, before_close_func=forget_typing)
    dialog.show()
    return dialog


def refused(qtbot: QtBot, dialog: forms.RecordDialog) -> str:
    """Press Enter in the form: the save must be refused; what the form says."""
    assert not dialog.save_now()
    assert dialog.isVisible() and dialog.error.isVisible()
    return dialog.error.text()


# -- each refusal of an editor's own: (the message, the record's data in it) --------------------------------------
def person_joining_without_relation(qtbot: QtBot, ledger: Ledger, township: Township) -> tuple[str, str]:
    with ledger.write() as tx:
        household = households.register_household(
            tx, grid_id=township.grid_a.id, members=[{"name": "王建国", "relation": "02"}]
        ).record
    dialog = show(qtbot, PersonEditor(ledger, context={"household_id": household.id}))
    assert isinstance(dialog, PersonEditor)
    type_text(qtbot, dialog.name, "王芳")
    return refused(qtbot, dialog), "王芳"


def person_without_grid(qtbot: QtBot, ledger: Ledger, township: Township) -> tuple[str, str]:
    dialog = show(qtbot, PersonEditor(ledger))
    assert isinstance(dialog, PersonEditor)
    type_text(qtbot, dialog.name, "王芳")
    return refused(qtbot, dialog), "王芳"


def person_with_a_wrong_birth_date(qtbot: QtBot, ledger: Ledger, township: Township) -> tuple[str, str]:
    dialog = show(qtbot, PersonEditor(ledger, context={"grid_id": township.grid_a.id}))
    assert isinstance(dialog, PersonEditor)
    type_text(qtbot, dialog.name, "王芳")
    dialog.birth_date.setText("1992-13-40")
    message = refused(qtbot, dialog)
    assert dialog.focusWidget() is dialog.birth_date
    return message, "王芳"


def person_with_a_namesake(qtbot: QtBot, ledger: Ledger, township: Township) -> tuple[str, str]:
    with ledger.write() as tx:
        households.register_household(
            tx,
            grid_id=township.grid_a.id,
            number="6205021012010010007",
            members=[{"name": "王芳", "relation": "02", "id_number": HEAD_ID}],
        )
    dialog = show(qtbot, PersonEditor(ledger, context={"grid_id": township.grid_a.id}))
    assert isinstance(dialog, PersonEditor)
    type_text(qtbot, dialog.name, "王芳")
    qtbot.keyClicks(dialog.id_number, NEWCOMER_ID)
    seen: list[str] = []

    def back_to_the_form() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        default = box.defaultButton()
        assert default is not None
        default.click()

    QTimer.singleShot(50, back_to_the_form)
    assert not dialog.save_now()
    assert len(seen) == 1
    return seen[0], "王芳"


def household_without_grid(qtbot: QtBot, ledger: Ledger, township: Township) -> tuple[str, str]:
    dialog = show(qtbot, HouseholdEditor(ledger))
    return refused(qtbot, dialog), ""


def household_member_with_a_wrong_birth_date(
    qtbot: QtBot, ledger: Ledger, township: Township
) -> tuple[str, str]:
    dialog = show(qtbot, HouseholdEditor(ledger, context={"grid_id": township.grid_a.id}))
    assert isinstance(dialog, HouseholdEditor)
    row = dialog.rows[0]
    type_text(qtbot, row.name, "张三丰")
    row.birth_date.setText("19680230")
    message = refused(qtbot, dialog)
    assert dialog.focusWidget() is row.birth_date
    return message, "张三丰"


def place_without_type(qtbot: QtBot, ledger: Ledger, township: Township) -> tuple[str, str]:
    dialog = show(qtbot, PlaceEditor(ledger, context={"grid_id": township.grid_a.id}))
    assert isinstance(dialog, PlaceEditor)
    type_text(qtbot, dialog.name_edit, "李家村小卖部")
    dialog.kind_picker.setEditText("")
    message = refused(qtbot, dialog)
    assert dialog.focusWidget() in (dialog.kind_picker, dialog.kind_picker.lineEdit())
    return message, "李家村小卖部"


def place_without_grid(qtbot: QtBot, ledger: Ledger, township: Township) -> tuple[str, str]:
    dialog = show(qtbot, PlaceEditor(ledger))
    assert isinstance(dialog, PlaceEditor)
    type_text(qtbot, dialog.name_edit, "李家村小卖部")
    return refused(qtbot, dialog), "李家村小卖部"


def organisation_without_type(qtbot: QtBot, ledger: Ledger, township: Township) -> tuple[str, str]:
    dialog = show(qtbot, OrganisationEditor(ledger, context={"grid_id": township.village.id}))
    assert isinstance(dialog, OrganisationEditor)
    type_text(qtbot, dialog.name_edit, "李家村议事会")
    return refused(qtbot, dialog), "李家村议事会"


def organisation_without_grid(qtbot: QtBot, ledger: Ledger, township: Township) -> tuple[str, str]:
    dialog = show(qtbot, OrganisationEditor(ledger, context={"kind": "council"}))
    assert isinstance(dialog, OrganisationEditor)
    type_text(qtbot, dialog.name_edit, "李家村议事会")
    return refused(qtbot, dialog), "李家村议事会"


Case = Callable[[QtBot, Ledger, Township], tuple[str, str]]
CASES: list[tuple[Case, str, str]] = [
    (
        person_joining_without_relation,
        "relation to head",
        "人员“王芳”的与户主关系：加入户时必须选择与户主关系。",
    ),
    (person_without_grid, "grid", "人员“王芳”的所属网格：请先在左侧选择网格再登记人员。"),
    (
        person_with_a_wrong_birth_date,
        "birth date",
        "人员“王芳”的出生日期：“1992-13-40”不是有效日期，请按 1980-03-05 的格式输入。",
    ),
    (
        person_with_a_namesake,
        "same name and birth date",
        "已有同名同出生日期的人员：王芳（1992-11-30，户号 6205021012010010007），请确认不是同一人。",
    ),
    (household_without_grid, "grid", "新登记的户的所属网格：请先在左侧选择网格再登记户。"),
    (
        household_member_with_a_wrong_birth_date,
        "birth date",
        "人员“张三丰”的出生日期：“19680230”不是有效日期，请按 1980-03-05 的格式输入。",
    ),
    (
        place_without_type,
        "place type",
        "场所“李家村小卖部”的场所类型：请选择场所类型（出租屋、复杂场所、服务点……）。",
    ),
    (
        place_without_grid,
        "grid",
        "场所“李家村小卖部”的所属网格：未指定。请先在网格树中选中场所所在的网格，再新建场所。",
    ),
    (
        organisation_without_type,
        "organisation type",
        "组织“李家村议事会”的组织类别：请选择组织类别（村民议事会、护村联防队……）。",
    ),
    (
        organisation_without_grid,
        "village (grid)",
        "组织“李家村议事会”的所属村（网格）：未指定。请先在网格树中选中组织所在的村或网格，再新建组织。",
    ),
]


@pytest.mark.parametrize(("case", "english", "chinese"), CASES, ids=[c[0].__name__ for c in CASES])
def test_an_editor_s_own_refusal_is_in_the_ui_language(
    qtbot: QtBot,
    ledger: Ledger,
    township: Township,
    language: str,
    case: Case,
    english: str,
    chinese: str,
) -> None:
    message, data = case(qtbot, ledger, township)
    if language == "en":
        assert english in message
        assert not CHINESE.findall(message.replace(data, "") if data else message), message
    else:
        assert message == chinese


def test_a_member_row_s_id_number_problem_names_the_row(
    qtbot: QtBot, ledger: Ledger, township: Township, language: str
) -> None:
    dialog = show(qtbot, HouseholdEditor(ledger, context={"grid_id": township.grid_a.id}))
    assert isinstance(dialog, HouseholdEditor)
    wrong = HEAD_ID[:17] + ("0" if HEAD_ID[17] != "0" else "1")
    qtbot.keyClicks(dialog.rows[0].id_number, wrong)
    problem = dialog.rows[0].id_number.problem
    assert problem  # the services' own message: Chinese by design
    expected = f"Row 1: {problem}" if language == "en" else f"第1行：{problem}"
    assert dialog.row_problem.text() == expected


def test_concern_levels_are_the_national_table_s_in_either_language(qtbot: QtBot, language: str) -> None:
    """关注程度 is a GB/T 31000 code table, shown like the group and help situation beside it: code and name."""
    dialog = SpecialGroupDialog(None)
    qtbot.addWidget(dialog)
    shown = [dialog.concern.itemText(i) for i in range(dialog.concern.count())]
    assert shown == ["01 高", "02 中", "03 低"]
    dialog.concern.set_code("02")
    assert dialog.entry().concern_level == "02"


# -- no Chinese left in the desk's code but domain values ----------------------------------------------------------
UI_MODULES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py"))
DOMAIN_VALUES = {
    # tags and roles are values kept in the ledger and synced: the same words in every language
    *("低保户", "五保户", "脱贫户", "防返贫监测户", "留守", "独居老人", "残疾人", "军属"),
    *("低保", "五保", "退役军人"),
    "成员",
    "查看特殊人群信息",  # what the audit log records: the township reads it, whatever the laptop's language
    "人员“",  # how the services name a person in their refusals (matched, not shown)
    "户主",  # warms pypinyin's dictionary (ui.widgets.preload)
    r"^(\d{4})\s*[-./年\s]\s*(\d{1,2})\s*[-./月\s]\s*(\d{1,2})\s*日?$",  # dates typed as 2026年3月5日
    "中文（简体）",  # the language menu names each language in itself
    "网",  # the width of one Chinese character, for sizes that grow with the font (ui.settings)
}


def _chinese_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each string constant with Chinese in it that is neither a docstring nor a tr() source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):  # docstrings: a string statement, in a body or after an assignment
            for statement in body:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                    skip.add(id(statement.value))
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("tr", "translate"):
                skip.update(id(arg) for arg in node.args)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and re.search(r"[\u4e00-\u9fff]", node.value)
        and node.value not in DOMAIN_VALUES
    ]


@pytest.mark.parametrize("module", UI_MODULES)
def test_no_chinese_text_is_shown_from_the_desks_code(module: str) -> None:
    assert _chinese_literals(ROOT / module) == []


def test_the_literal_check_finds_chinese_outside_tr(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""模块说明"""\n'
        "def f(self):\n"
        '    """函数说明"""\n'
        '    self.say(self.tr("Saved"))\n'
        '    self.say("加入户时必须选择与户主关系。")\n'
        '    return f"户号 {self.number}"\n',
        encoding="utf-8",
    )
    found = sorted(text for _line, text in _chinese_literals(sample))
    assert found == sorted(["加入户时必须选择与户主关系。", "户号 "])
