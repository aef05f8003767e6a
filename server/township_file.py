"""Files the township publishes from the server's admin command, read and checked before anything is published.

Every file is ``.json`` or ``.xlsx``. In a workbook each kind of row has its own sheet and the first row names the
columns (the Chinese names below; the JSON keys work as column names too); other columns are ignored. In JSON
the same rows are objects, with the JSON key or the Chinese column name as the key.

Township file (``admin init --township-file``):
    sheet 网格 / key ``grids``: 编码 ``code``, 名称 ``name``, 层级 ``level``, 上级编码 ``parent`` (blank for a
    township or street). 层级 is the node kind (乡镇, 街道, 领导包片区域 or 片区, 行政村 or 村, 社区, 网格), its
    number (1–4), or blank (one below the parent; a node without a parent is a 乡镇, or a 街道 when its name ends
    in 街道). Rural: 乡镇 → 领导包片区域 → 行政村 → 网格; urban: 街道 → 社区 → 网格. Township, street,
    village and community codes are 12-digit statistical division codes (6 county + 3 township + 3 village or
    community; a township's ends in 000); a grid's code is its village's or community's code plus 3 digits; an
    area's code starts with its township's first 9 digits. In JSON a node may instead list its children under
    ``children`` (then ``parent`` and ``level`` may be left out).
    sheet 人员 / key ``staff`` (may be left out): 姓名 ``name``, 手机 ``phone``, 岗位 ``post``, 网格编码 ``grid``,
    optional 登录名 ``login`` (default: the phone number). One row per person and grid; 岗位 may list several
    posts separated by 、 (网格管理员, 网格协管员, 信息采集员, 代办员, 乡镇值班人员, or the short 管理员 …).
Code tables (``admin publish codes``): sheet 代码 / key ``codes``: 代码表 ``table``, 代码 ``code``, 名称 ``name``,
    optional 排序 ``order``.
Holiday calendar (``admin publish calendar YEAR``): sheet 节假日 / key ``days``: 日期 ``day`` (2027-02-06),
    是否上班 ``workday`` (是 for a make-up working day 调休, 否 for a holiday), 名称 ``name``. The file is the
    whole year: a special day of that year not in it becomes an ordinary day again.
Errand catalogue (``admin publish errand-items``): sheet 代办事项 / key ``items``: 类别 ``category``, 事项名称
    ``name``, 所需材料 ``materials`` (separated by 、 or a list in JSON), 需本人办理 ``in_person`` (是/否),
    办理单位 ``office``, optional 排序 ``order``.

Problems are collected, not raised one at a time: the administrator gets every row to fix in one go, each naming
the sheet, the row, the column and what to do.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app import codes

# -- rows as read ------------------------------------------------------------------------------------------


class FileProblems(Exception):
    """The file cannot be published as it is; ``problems`` are the Chinese sentences saying what to fix."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        head = f"{self.path} 有 {len(self.problems)} 处需要改正，什么都没有发布："
        return "\n".join([head, *(f"  {n}. {p}" for n, p in enumerate(self.problems, start=1))])


@dataclass(frozen=True)
class Sheet:
    """One kind of row: its sheet name in a workbook, its key in JSON, and its columns (key → Chinese name)."""

    name: str
    key: str
    columns: dict[str, str]
    required: tuple[str, ...]
    """Columns a workbook sheet must have (a blank cell may still be allowed)."""
    aliases: dict[str, str] = field(default_factory=dict)
    """More column names people write (Chinese) → key."""

    def label(self, key: str) -> str:
        return self.columns[key]


@dataclass
class Row:
    """One row of a sheet (or one object of a JSON list): where it is, for messages, and its cells by key."""

    where: str
    cells: dict[str, Any]

    def raw(self, key: str) -> Any:
        return self.cells.get(key)


GRIDS = Sheet(
    "网格",
    "grids",
    {"code": "编码", "name": "名称", "level": "层级", "parent": "上级编码"},
    ("code", "name", "level", "parent"),
    {"网格编码": "code", "代码": "code", "上级": "parent", "上级代码": "parent"},
)
STAFF = Sheet(
    "人员",
    "staff",
    {"name": "姓名", "phone": "手机", "post": "岗位", "grid": "网格编码", "login": "登录名"},
    ("name", "phone", "post", "grid"),
    {"手机号": "phone", "电话": "phone", "联系电话": "phone", "网格": "grid"},
)
CODES = Sheet(
    "代码",
    "codes",
    {"table": "代码表", "code": "代码", "name": "名称", "order": "排序"},
    ("table", "code", "name"),
)
DAYS = Sheet(
    "节假日",
    "days",
    {"day": "日期", "workday": "是否上班", "name": "名称"},
    ("day", "workday", "name"),
    {"上班": "workday"},
)
ITEMS = Sheet(
    "代办事项",
    "items",
    {
        "category": "类别",
        "name": "事项名称",
        "materials": "所需材料",
        "in_person": "需本人办理",
        "office": "办理单位",
        "order": "排序",
    },
    ("category", "name"),
    {"事项类别": "category", "名称": "name", "材料": "materials", "排序号": "order"},
)


DEADLINES = Sheet(
    "办理时限",
    "deadlines",
    {"category": "事件类别", "working_days": "工作日"},
    ("category", "working_days"),
    {"类别": "category", "时限": "working_days", "办理时限": "working_days"},
)


def read_sheets(path: Path, sheets: Iterable[Sheet], optional: Iterable[Sheet] = ()) -> dict[str, list[Row]]:
    """The rows of each sheet in ``path`` (.json or .xlsx), by sheet key. Raises FileProblems."""
    wanted = list(sheets)
    maybe = list(optional)
    if not path.is_file():
        raise FileProblems(path, [f"找不到文件 {path}，请检查路径"])
    suffix = path.suffix.lower()
    problems: list[str] = []
    if suffix == ".json":
        found = _json_sheets(path, wanted, maybe, problems)
    elif suffix in (".xlsx", ".xlsm"):
        found = _workbook_sheets(path, wanted, maybe, problems)
    else:
        problems.append(f"不认识“{path.suffix or path.name}”格式，请用 .json 或 .xlsx 文件")
        found = {}
    if problems:
        raise FileProblems(path, problems)
    return found


def _column_key(sheet: Sheet, header: str) -> str | None:
    text = unicodedata.normalize("NFKC", header).strip()
    for key, label in sheet.columns.items():
        if text in (key, label):
            return key
    return sheet.aliases.get(text)


def _workbook_sheets(
    path: Path, wanted: list[Sheet], maybe: list[Sheet], problems: list[str]
) -> dict[str, list[Row]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        problems.append(f"无法打开 Excel 文件 {path}（{exc}），请用 Excel 或 WPS 另存为 .xlsx 后重试")
        return {}
    try:
        found: dict[str, list[Row]] = {}
        names = list(book.sheetnames)
        for sheet in [*wanted, *maybe]:
            title = sheet.name if sheet.name in names else None
            if title is None and len(wanted) == 1 and not maybe and len(names) == 1:
                title = names[
                    0
                ]  # a one-sheet file for a one-sheet publication: the sheet's name does not matter
            if title is None:
                if sheet in wanted:
                    problems.append(
                        f"文件里没有“{sheet.name}”工作表（现有：{'、'.join(names)}），"
                        f"请把{sheet.name}表所在的工作表改名为“{sheet.name}”"
                    )
                continue
            rows = list(book[title].iter_rows(values_only=True))
            found[sheet.key] = _table_rows(sheet, title, rows, problems)
        return found
    finally:
        book.close()


def _table_rows(sheet: Sheet, title: str, rows: list[tuple[Any, ...]], problems: list[str]) -> list[Row]:
    if not rows:
        problems.append(f"“{title}”工作表是空的：第 1 行应为列名（{'、'.join(sheet.columns.values())}）")
        return []
    keys = [_column_key(sheet, str(h)) if h is not None else None for h in rows[0]]
    missing = [sheet.label(k) for k in sheet.required if k not in keys]
    if missing:
        problems.append(
            f"“{title}”工作表缺少列“{'”“'.join(missing)}”：第 1 行应为列名"
            f"（{'、'.join(sheet.columns.values())}），请补上这些列"
        )
        return []
    found: list[Row] = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {k: v for k, v in zip(keys, values, strict=False) if k is not None}
        if all(_blank(v) for v in cells.values()):
            continue
        found.append(Row(f"“{title}”表第 {number} 行", cells))
    return found


def _json_sheets(
    path: Path, wanted: list[Sheet], maybe: list[Sheet], problems: list[str]
) -> dict[str, list[Row]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        problems.append(f"{path} 不是 UTF-8 编码的文本，请另存为 UTF-8 后重试")
        return {}
    except json.JSONDecodeError as exc:
        problems.append(f"{path} 第 {exc.lineno} 行第 {exc.colno} 列不是合法的 JSON（{exc.msg}），请改正")
        return {}
    found: dict[str, list[Row]] = {}
    for sheet in [*wanted, *maybe]:
        if isinstance(document, list) and len(wanted) == 1 and not maybe:
            items: Any = document
        elif isinstance(document, dict):
            items = document.get(sheet.key, document.get(sheet.name))
        else:
            items = None
        if items is None:
            if sheet in wanted:
                problems.append(f"JSON 文件里没有“{sheet.key}”（{sheet.name}）列表，请按说明补上")
            continue
        if not isinstance(items, list):
            problems.append(f"JSON 文件里的“{sheet.key}”应是一个列表（[ … ]），请改正")
            continue
        rows: list[Row] = []
        for number, item in enumerate(_flatten(items, None), start=1):
            where = f"“{sheet.key}”第 {number} 条"
            if not isinstance(item, dict):
                problems.append(f'{where}应是一个对象（{{"{next(iter(sheet.columns))}": …}}），请改正')
                continue
            cells = {key: v for k, v in item.items() if (key := _column_key(sheet, str(k))) is not None}
            rows.append(Row(where, cells))
        found[sheet.key] = rows
    return found


def _flatten(items: list[Any], parent: Any) -> Iterator[Any]:
    """JSON objects in document order; a node's ``children`` follow it with ``parent`` filled in."""
    for item in items:
        if not isinstance(item, dict):
            yield item
            continue
        children = item.get("children", item.get("下级"))
        own = {k: v for k, v in item.items() if k not in ("children", "下级")}
        if parent is not None and not any(k in own for k in ("parent", "上级编码")):
            own["parent"] = parent
        yield own
        if isinstance(children, list):
            yield from _flatten(children, own.get("code", own.get("编码")))


# -- cell values -------------------------------------------------------------------------------------------
def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """A cell as text: numbers without a trailing .0, dates in ISO form, surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def code_text(value: Any) -> str:
    """A code or number cell: full-width digits made ASCII, spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text(value)))


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE][+]?\d+$")

_YES = {"是", "y", "yes", "true", "1", "√", "需要", "要"}
_NO = {"否", "n", "no", "false", "0", "", "不需要", "不要"}


def yes_no(value: Any) -> bool | None:
    word = code_text(value).lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


class Checker:
    """Collects problems, each naming the row, the column and what to fix."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, row: Row | str, message: str) -> None:
        where = row.where if isinstance(row, Row) else row
        self.problems.append(f"{where}{message}")

    def required(self, row: Row, sheet: Sheet, key: str, value: str, max_length: int) -> bool:
        label = sheet.label(key)
        if not value:
            self.add(row, f"“{label}”为空，请填写")
            return False
        if len(value) > max_length:
            self.add(row, f"“{label}”最多 {max_length} 个字，现在是 {len(value)} 个字，请精简")
            return False
        return True

    def code(self, row: Row, sheet: Sheet, key: str, max_length: int = 18) -> str:
        """A code cell; empty when missing or spoilt (a problem is noted)."""
        raw = row.raw(key)
        value = code_text(raw)
        label = sheet.label(key)
        if (isinstance(raw, float) and not raw.is_integer()) or _SCIENTIFIC.match(value):
            self.add(
                row,
                f"“{label}”{value} 被 Excel 改成了科学计数法，请把这一列设为“文本”格式后重新填写完整的编码",
            )
            return ""
        if self.required(row, sheet, key, value, max_length):
            return value
        return ""

    def coded(self, row: Row, sheet: Sheet, key: str, table: str) -> str | None:
        """A cell naming a code of ``table`` by its code or its Chinese name; None (a problem noted) otherwise."""
        word = text(row.raw(key))
        entries = codes.table(table).codes
        found = {c.code: c.code for c in entries} | {c.name: c.code for c in entries}
        if word in found:
            return found[word]
        what = f"“{word}”不认识" if word else "为空"
        self.add(row, f"“{sheet.label(key)}”{what}，请填 {'、'.join(c.name for c in entries)} 之一")
        return None

    def order(self, row: Row, sheet: Sheet, key: str = "order") -> int | None:
        value = code_text(row.raw(key))
        if not value:
            return None
        if not re.fullmatch(r"-?\d+", value):
            self.add(row, f"“{sheet.label(key)}”应为整数，现在是“{value}”，请改正或留空")
            return None
        return int(value)

    def fail_if_any(self, path: Path | str) -> None:
        if self.problems:
            raise FileProblems(path, self.problems)


# -- the grid tree -----------------------------------------------------------------------------------------
KIND_LABEL = {
    "township": "乡镇",
    "street": "街道",
    "area": "领导包片区域",
    "village": "行政村",
    "community": "社区",
    "grid": "网格",
}
_KIND_WORDS = {
    **{label: kind for kind, label in KIND_LABEL.items()},
    **{kind: kind for kind in KIND_LABEL},
    "乡": "township",
    "镇": "township",
    "街道办事处": "street",
    "片区": "area",
    "包片区域": "area",
    "村": "village",
}
CHILD_KINDS = {
    "township": ("area",),
    "street": ("community",),
    "area": ("village",),
    "village": ("grid",),
    "community": ("grid",),
    "grid": (),
}
"""Rural: 乡镇 → 领导包片区域 → 行政村 → 网格; urban: 街道 → 社区 → 网格."""
_TREE_RULE = "农村为 乡镇 → 领导包片区域 → 行政村 → 网格，城市为 街道 → 社区 → 网格"
_DIVISION_KINDS = ("township", "street", "village", "community")
"""Nodes with a 12-digit statistical division code."""


@dataclass(frozen=True)
class KnownNode:
    """A grid node the server already has (so a file may hang new nodes under it)."""

    code: str
    name: str
    kind: str
    level: int
    urban: bool


@dataclass
class Node:
    """A checked row of the 网格 sheet."""

    where: str
    code: str
    name: str
    kind: str
    level: int
    urban: bool
    parent: str | None
    """The parent's code."""
    sort_order: int


@dataclass
class PostRow:
    """A checked row of the 人员 sheet: a person (by login) and one post in one node."""

    where: str
    name: str
    phone: str
    login: str
    post: str
    grid: str
    """The node's code."""


@dataclass
class TownshipFile:
    nodes: list[Node]
    """Parents before children."""
    posts: list[PostRow]


def read_township(path: Path, known: Mapping[str, KnownNode]) -> TownshipFile:
    """Read and check a township file; ``known`` are the server's grid nodes by code. Raises FileProblems."""
    sheets = read_sheets(path, [GRIDS], [STAFF])
    checker = Checker()
    rows = sheets[GRIDS.key]
    nodes = check_tree(rows, known, checker)
    by_code: dict[str, KnownNode] = dict(known)
    by_code.update({n.code: KnownNode(n.code, n.name, n.kind, n.level, n.urban) for n in nodes})
    listed = {code_text(r.raw("code")) for r in rows}
    posts = check_staff(sheets.get(STAFF.key, []), by_code, checker, listed)
    checker.fail_if_any(path)
    return TownshipFile(nodes, posts)


@dataclass
class _Draft:
    row: Row
    code: str
    name: str
    level_text: str
    parent: str


def check_tree(rows: list[Row], known: Mapping[str, KnownNode], checker: Checker) -> list[Node]:
    """The grid tree of a file, checked against itself and the nodes the server already has."""
    drafts: dict[str, _Draft] = {}
    for row in rows:
        code = checker.code(row, GRIDS, "code")
        name = text(row.raw("name"))
        checker.required(row, GRIDS, "name", name, 64)
        level_text = code_text(row.raw("level"))
        parent = code_text(row.raw("parent"))
        if not code:
            continue
        if code in drafts:
            checker.add(
                row,
                f"“编码”{code} 与{drafts[code].row.where}重复，同一个编码只能出现一次，请删去一行或改正编码",
            )
            continue
        drafts[code] = _Draft(row, code, name, level_text, parent)
    if not drafts and not checker.problems:
        checker.add(f"“{GRIDS.name}”表", "没有任何网格，请至少填乡镇（街道）一行")

    done: dict[str, Node | None] = {}

    def resolve(draft: _Draft, chain: tuple[str, ...]) -> Node | None:
        if draft.code in done:
            return done[draft.code]
        done[draft.code] = None  # until worked out: a cycle finds None and stops
        parent_node: Node | KnownNode | None = None
        if draft.parent:
            if draft.parent == draft.code or draft.parent in chain:
                checker.add(draft.row, f"“上级编码”{draft.parent} 形成了循环（上级又是自己的下级），请改正")
                return None
            if draft.parent in drafts:
                parent_node = resolve(drafts[draft.parent], (*chain, draft.code))
                if parent_node is None:
                    return None  # the parent's own row has the problem
            elif draft.parent in known:
                parent_node = known[draft.parent]
            else:
                checker.add(
                    draft.row,
                    f"“上级编码”{draft.parent} 在表中不存在（服务器上也没有），请先填上级网格那一行，或改正上级编码",
                )
                return None
        done[draft.code] = node = _node(draft, parent_node, checker)
        return node

    nodes: list[Node] = []
    siblings: dict[str | None, int] = {}
    for draft in drafts.values():
        node = resolve(draft, ())
        if node is not None:
            siblings[node.parent] = node.sort_order = siblings.get(node.parent, 0) + 1
            nodes.append(node)
    nodes.sort(key=lambda n: n.level)  # stable: file order within a level, parents before children
    return nodes


def _node(draft: _Draft, parent: Node | KnownNode | None, checker: Checker) -> Node | None:
    row = draft.row
    word = draft.level_text
    kind = _KIND_WORDS.get(word)
    if kind is None and word and not word.isdigit():
        checker.add(
            row,
            f"“层级”“{word}”不认识，请填 乡镇、街道、领导包片区域、行政村、社区、网格 之一（或层级数字 1–4）",
        )
        return None
    if kind is None:
        number = int(word) if word else (1 if parent is None else parent.level + 1)
        expected = 1 if parent is None else parent.level + 1
        if number != expected:
            above = (
                "没有上级编码，应为第 1 级（乡镇或街道）"
                if parent is None
                else f"上级“{parent.name}”是第 {parent.level} 级"
            )
            checker.add(
                row, f"“层级”{number} 与上级不衔接：{above}，这里应为 {expected}，请改正“层级”或“上级编码”"
            )
            return None
        kind = _kind_for_level(number, draft.name, parent)
        if kind is None:
            checker.add(row, f"“层级”{number} 超出了网格树的层数（{_TREE_RULE}），请改正“层级”或“上级编码”")
            return None
    if parent is None:
        if kind not in ("township", "street"):
            checker.add(
                row,
                f"“上级编码”为空，但“层级”是{KIND_LABEL[kind]}：只有乡镇、街道可以没有上级，请填上级编码",
            )
            return None
        level, urban = 1, kind == "street"
    else:
        if kind not in CHILD_KINDS[parent.kind]:
            allowed = (
                "、".join(KIND_LABEL[k] for k in CHILD_KINDS[parent.kind])
                or "（网格是最末一级，不能再有下级）"
            )
            checker.add(
                row,
                f"“层级”{KIND_LABEL[kind]}不能挂在{KIND_LABEL[parent.kind]}“{parent.name}”之下"
                f"（{_TREE_RULE}；这里只能是 {allowed}），请改正“层级”或“上级编码”",
            )
            return None
        level, urban = parent.level + 1, parent.urban or kind in ("street", "community")
    if not _code_fits(draft, kind, parent, checker):
        return None
    return Node(row.where, draft.code, draft.name, kind, level, urban, parent.code if parent else None, 0)


def _kind_for_level(level: int, name: str, parent: Node | KnownNode | None) -> str | None:
    if parent is None:
        return "street" if name.endswith(("街道", "街道办事处")) else "township"
    allowed = CHILD_KINDS[parent.kind]
    return allowed[0] if allowed and level == parent.level + 1 else None


def _code_fits(draft: _Draft, kind: str, parent: Node | KnownNode | None, checker: Checker) -> bool:
    code, row = draft.code, draft.row
    if kind in _DIVISION_KINDS:
        if not re.fullmatch(r"\d{12}", code):
            checker.add(
                row,
                f"“编码”{code} 应为 12 位统计用区划代码（县 6 位 + 乡镇 3 位 + 村/社区 3 位），现在是 {len(code)} 位，请改正",
            )
            return False
        if kind in ("township", "street") and not code.endswith("000"):
            checker.add(row, f"“编码”{code} 是{KIND_LABEL[kind]}的区划代码，末 3 位应为 000，请改正")
            return False
    if kind in ("village", "community", "area") and parent is not None:
        prefix = _township_prefix(parent)
        if prefix and not code.startswith(prefix):
            checker.add(
                row,
                f"“编码”{code} 应以所属乡镇（街道）代码的前 9 位 {prefix} 开头，请核对编码或上级编码",
            )
            return False
        if kind in ("village", "community") and code.endswith("000"):
            checker.add(row, f"“编码”{code} 末 3 位是 000，那是乡镇（街道）本身的代码，请填村（社区）的代码")
            return False
    if kind == "area" and len(code) > 18:
        checker.add(row, f"“编码”{code} 最多 18 位，请精简")
        return False
    if kind == "grid" and parent is not None and not re.fullmatch(re.escape(parent.code) + r"\d{3}", code):
        checker.add(
            row,
            f"“编码”{code} 应为上级{KIND_LABEL[parent.kind]}“{parent.name}”的代码 {parent.code} 后加 3 位数字"
            f"（例如 {parent.code}001），请改正",
        )
        return False
    return True


def _township_prefix(parent: Node | KnownNode) -> str:
    """The first 9 digits of the township (street) above a village, community or area."""
    if parent.kind in ("township", "street", "area"):
        return parent.code[:9]
    return ""


# -- staff and posts ---------------------------------------------------------------------------------------
POST_WORDS: dict[str, str] = {
    **{c.code: c.code for c in codes.table("StaffPost").codes},
    **{c.name: c.code for c in codes.table("StaffPost").codes},
    "管理员": "manager",
    "网格长": "manager",
    "协管员": "assistant",
    "采集员": "collector",
    "值班人员": "duty",
    "值班员": "duty",
}
GRID_POSTS = ("manager", "assistant", "collector")
"""一网三员: posts held in a grid itself (the leaf of the tree)."""
_MOBILE = re.compile(r"1[3-9]\d{9}")


def missing_posts(township: TownshipFile) -> list[str]:
    """一网三员: a sentence for each grid of the file that lacks a 管理员, 协管员 or 信息采集员 in it."""
    held: dict[str, set[str]] = {}
    for row in township.posts:
        held.setdefault(row.grid, set()).add(row.post)
    found = []
    for node in township.nodes:
        lacking = [
            post_label(p) for p in GRID_POSTS if node.kind == "grid" and p not in held.get(node.code, ())
        ]
        if lacking:
            found.append(
                f"网格“{node.name}”（{node.code}）还没有{'、'.join(lacking)}（一网三员），可以以后补上"
            )
    return found


def post_label(post: str) -> str:
    return codes.table("StaffPost").label(post) or post


def split_list(value: Any) -> list[str]:
    """A list cell: a JSON list, or text separated by 、，,；; or new lines."""
    if isinstance(value, list):
        return [text(v) for v in value if text(v)]
    return [part.strip() for part in re.split(r"[、，,；;\n/]+", text(value)) if part.strip()]


def check_person(row: Row, checker: Checker) -> tuple[str, str, str] | None:
    """Name, phone and login of a 人员 row (or of ``admin users add``); None when something is wrong."""
    name = text(row.raw("name"))
    ok = checker.required(row, STAFF, "name", name, 32)
    phone = re.sub(r"[-－—]", "", code_text(row.raw("phone")))
    if phone.startswith("+86"):
        phone = phone[3:]
    login = text(row.raw("login"))
    if phone and not _MOBILE.fullmatch(phone):
        checker.add(row, f"“手机”{phone} 不是 11 位手机号，请改正")
        ok = False
    if not phone and not login:
        checker.add(row, "“手机”为空，请填写（手机号同时作登录名；不想用手机号时请填“登录名”）")
        ok = False
    login = login or phone
    if len(login) > 64:
        checker.add(row, f"“登录名”最多 64 个字，现在是 {len(login)} 个字，请精简")
        ok = False
    return (name, phone, login) if ok else None


def check_posts(row: Row, checker: Checker) -> list[str]:
    posts: list[str] = []
    for word in split_list(row.raw("post")) or [""]:
        post = POST_WORDS.get(word)
        if post is None:
            known = "、".join(c.name for c in codes.table("StaffPost").codes)
            what = f"“{word}”不认识" if word else "为空"
            checker.add(row, f"“岗位”{what}，请填 {known} 之一（多个岗位用、分开）")
        elif post not in posts:
            posts.append(post)
    return posts


def check_staff(
    rows: list[Row], nodes: Mapping[str, KnownNode], checker: Checker, listed: Iterable[str] = ()
) -> list[PostRow]:
    """Posts of the 人员 sheet; ``nodes`` are every good grid node by code (the file's and the server's),
    ``listed`` the codes of the 网格 sheet (a post in a node whose own row has a problem is not reported again)."""
    in_file = set(listed)
    found: list[PostRow] = []
    first: dict[str, PostRow] = {}
    for row in rows:
        person = check_person(row, checker)
        posts = check_posts(row, checker)
        grid = checker.code(row, STAFF, "grid")
        node = nodes.get(grid) if grid else None
        if grid and node is None and grid not in in_file:
            checker.add(
                row,
                f"“网格编码”{grid} 在“网格”表中不存在（服务器上也没有），请先在“网格”表填这个网格，或改正编码",
            )
        if node is None:
            continue
        held = []
        for post in posts:
            if post in GRID_POSTS and node.kind != "grid":
                kind = KIND_LABEL.get(node.kind, node.kind)
                checker.add(
                    row,
                    f"“岗位”{post_label(post)}应在最末一级网格，而“网格编码”{grid} 是{kind}“{node.name}”，请填具体网格的编码",
                )
            else:
                held.append(post)
        if person is None or len(held) < len(posts) or not held:
            continue
        name, phone, login = person
        earlier = first.get(login)
        if earlier is not None and (earlier.name, earlier.phone) != (name, phone):
            checker.add(
                row,
                f"登录名 {login} 在{earlier.where}是“{earlier.name}”（{earlier.phone or '无手机'}），这里是"
                f"“{name}”（{phone or '无手机'}）：同一个人的姓名和手机应一致，请改正",
            )
            continue
        for post in held:
            entry = PostRow(row.where, name, phone, login, post, grid)
            first.setdefault(login, entry)
            found.append(entry)
    return found


# -- code tables, holiday calendar, errand catalogue ---------------------------------------------------------
@dataclass
class CodeRow:
    where: str
    table: str
    code: str
    name: str
    order: int | None
    """None: keep the order the code has (on the server or bundled), else its place in the file."""
    position: int


def read_codes(path: Path) -> list[CodeRow]:
    rows = read_sheets(path, [CODES])[CODES.key]
    checker = Checker()
    found: list[CodeRow] = []
    seen: dict[tuple[str, str], str] = {}
    positions: dict[str, int] = {}
    for row in rows:
        table = code_text(row.raw("table"))
        ok = checker.required(row, CODES, "table", table, 40)
        if ok and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", table):
            checker.add(row, f"“代码表”应为代码表的英文名（如 Sex、EventType），现在是“{table}”，请改正")
            ok = False
        code = checker.code(row, CODES, "code", 16)
        name = text(row.raw("name"))
        ok = checker.required(row, CODES, "name", name, 100) and ok and bool(code)
        order = checker.order(row, CODES)
        if not ok:
            continue
        if (table, code) in seen:
            checker.add(row, f"代码表 {table} 的“代码”{code} 与{seen[(table, code)]}重复，请删去一行")
            continue
        seen[(table, code)] = row.where
        positions[table] = positions.get(table, -1) + 1
        found.append(CodeRow(row.where, table, code, name, order, positions[table]))
    if not found and not checker.problems:
        checker.add(f"“{CODES.name}”表", "没有任何代码，请填写后再发布")
    checker.fail_if_any(path)
    return found


@dataclass
class DayRow:
    where: str
    day: date
    is_workday: bool
    name: str


def read_calendar(path: Path, year: int) -> list[DayRow]:
    """A year's special days: holidays (否) and make-up working days (是)."""
    rows = read_sheets(path, [DAYS])[DAYS.key]
    checker = Checker()
    found: list[DayRow] = []
    seen: dict[date, str] = {}
    for row in rows:
        raw = row.raw("day")
        day = _date(raw)
        if day is None:
            checker.add(row, f"“日期”“{text(raw)}”不是日期，请写成 {year}-02-06 这样的格式")
        elif day.year != year:
            checker.add(row, f"“日期”{day.isoformat()} 不在 {year} 年，请核对（每个文件只发布一年）")
            day = None
        workday = yes_no(row.raw("workday"))
        if workday is None or not code_text(row.raw("workday")):
            checker.add(
                row, f"“是否上班”应填 是（调休上班）或 否（放假），现在是“{text(row.raw('workday'))}”，请改正"
            )
        name = text(row.raw("name"))
        ok = checker.required(row, DAYS, "name", name, 32)
        if day is None or workday is None or not ok:
            continue
        if day in seen:
            checker.add(row, f"“日期”{day.isoformat()} 与{seen[day]}重复，请删去一行")
            continue
        if workday and day.weekday() < 5:
            weekday = "一二三四五"[day.weekday()]
            checker.add(
                row,
                f"“日期”{day.isoformat()} 是星期{weekday}，本来就上班，不用列出；放假的日子“是否上班”请填 否",
            )
            continue
        seen[day] = row.where
        found.append(DayRow(row.where, day, workday, name))
    checker.fail_if_any(path)
    return found


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    word = code_text(value).replace("/", "-").replace(".", "-")
    match = re.fullmatch(r"(\d{4})(?:-|年)(\d{1,2})(?:-|月)(\d{1,2})日?", word)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


@dataclass
class ItemRow:
    where: str
    category: str
    name: str
    materials: list[str]
    in_person: bool
    office: str
    order: int


def read_errand_items(path: Path) -> list[ItemRow]:
    rows = read_sheets(path, [ITEMS])[ITEMS.key]
    checker = Checker()
    categories = codes.table("ErrandCategory")
    found: list[ItemRow] = []
    seen: dict[tuple[str, str], str] = {}
    for position, row in enumerate(rows, start=1):
        category = checker.coded(row, ITEMS, "category", "ErrandCategory")
        name = text(row.raw("name"))
        ok = checker.required(row, ITEMS, "name", name, 100)
        materials = split_list(row.raw("materials"))
        in_person = yes_no(row.raw("in_person"))
        if in_person is None:
            checker.add(
                row, f"“需本人办理”应填 是 或 否（或留空），现在是“{text(row.raw('in_person'))}”，请改正"
            )
        office = text(row.raw("office"))
        if len(office) > 100:
            checker.add(row, f"“办理单位”最多 100 个字，现在是 {len(office)} 个字，请精简")
            ok = False
        order = checker.order(row, ITEMS)
        if category is None or in_person is None or not ok:
            continue
        if (category, name) in seen:
            checker.add(
                row,
                f"“{categories.label(category)}”类的“事项名称”{name} 与{seen[(category, name)]}重复，请删去一行",
            )
            continue
        seen[(category, name)] = row.where
        found.append(ItemRow(row.where, category, name, materials, in_person, office, order or position))
    if not found and not checker.problems:
        checker.add(f"“{ITEMS.name}”表", "没有任何事项，请填写后再发布")
    checker.fail_if_any(path)
    return found


@dataclass
class DeadlineRow:
    where: str
    category: str
    working_days: int


def read_deadlines(path: Path) -> list[DeadlineRow]:
    """Event deadlines in working days per category (sheet 办理时限: 事件类别, 工作日)."""
    from app.rules.events import MAX_WORKING_DAYS

    rows = read_sheets(path, [DEADLINES])[DEADLINES.key]
    checker = Checker()
    categories = codes.table("EventCategory")
    found: list[DeadlineRow] = []
    seen: dict[str, str] = {}
    for row in rows:
        category = checker.coded(row, DEADLINES, "category", "EventCategory")
        days_text = code_text(row.raw("working_days"))
        days = int(days_text) if days_text.isdigit() else 0
        if not 1 <= days <= MAX_WORKING_DAYS:
            checker.add(row, f"“工作日”应为 1 到 {MAX_WORKING_DAYS} 的整数，现在是“{days_text}”，请改正")
            continue
        if category is None:
            continue
        if category in seen:
            checker.add(row, f"“{categories.label(category)}”与{seen[category]}重复，请删去一行")
            continue
        seen[category] = row.where
        found.append(DeadlineRow(row.where, category, days))
    if not found and not checker.problems:
        checker.add(f"“{DEADLINES.name}”表", "没有任何时限，请填写后再发布")
    checker.fail_if_any(path)
    return found
