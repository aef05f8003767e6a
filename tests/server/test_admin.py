"""The township administrator's commands, for real: township files (JSON and xlsx) published into the server's
database, the real server as a subprocess on loopback (SQLite and PostgreSQL), and new laptops (encrypted
ledgers) that receive what was published on their first sync. Publishing the same file again adds nothing to the
change log; an edited file publishes only what changed; a bad file names each row and column to fix and
publishes nothing. Then new epochs, backup and restore."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import requests
from sqlalchemy import create_engine, delete, event, func, inspect, select, update
from sqlalchemy import text as sql

from app.ledger import Ledger
from app.models import CodeEntry, DeadlineRule, ErrandItem, GridNode, GridPost, Staff
from app.services import errands
from app.services.reference import deadline_rules, load_calendar
from server import admin
from server import store as store_module
from server.publish import calendar_from_package
from server.store import SCHEMA_KEY, SCHEMA_VERSION, Store, StoreError, change_log, meta, records
from sync.client import SyncClient
from sync.engine import SyncReport, enrol, read_state, run_sync
from tests.conftest import PASSPHRASE
from tests.server.conftest import GRID_A
from tests.sync.conftest import Server, start_server

# -- the township of the files below, as a laptop must end up holding it -------------------------------------
TREE = {
    "620502101000": ("玉泉镇", 1, "township", False, None),
    "620502101A01": ("第一包片区域", 2, "area", False, "620502101000"),
    "620502101201": ("李家村", 3, "village", False, "620502101A01"),
    "620502101201001": ("李家村第一网格", 4, "grid", False, "620502101201"),
    "620502101201002": ("李家村第二网格", 4, "grid", False, "620502101201"),
    "620503002000": ("道北街道", 1, "street", True, None),
    "620503002001": ("北关社区", 2, "community", True, "620503002000"),
    "620503002001001": ("北关社区第一网格", 3, "grid", True, "620503002001"),
}
"""code → (name, level, kind, urban, parent code)"""
STAFF = {
    "13900000001": ("王采集", "13900000001"),
    "13900000002": ("李协管", "13900000002"),
    "13900000003": ("赵值班", "13900000003"),
    "wangshequ": ("钱社区", ""),
}
"""login → (name, phone)"""
POSTS = {
    ("13900000001", "620502101201001", "manager"),
    ("13900000001", "620502101201001", "collector"),
    ("13900000002", "620502101201001", "assistant"),
    ("13900000003", "620502101000", "duty"),
    ("wangshequ", "620503002001001", "manager"),
}
"""(login, node code, post)"""
GRID_1 = "620502101201001"
RECORDS = len(TREE) + len(STAFF) + len(POSTS)


def township_document() -> dict[str, Any]:
    """The township as a JSON file: the rural part nested, the urban part as flat rows with level numbers."""
    return {
        "grids": [
            {"code": "620502101000", "name": "玉泉镇", "level": "乡镇", "children": [
                {"code": "620502101A01", "name": "第一包片区域", "level": "片区", "children": [
                    {"code": "620502101201", "name": "李家村", "children": [
                        {"code": "620502101201001", "name": "李家村第一网格"},
                        {"code": "620502101201002", "name": "李家村第二网格"},
                    ]},
                ]},
            ]},
            {"code": "620503002000", "name": "道北街道", "level": 1},
            {"code": "620503002001", "name": "北关社区", "level": 2, "parent": "620503002000"},
            {"编码": "620503002001001", "名称": "北关社区第一网格", "层级": 3, "上级编码": "620503002001"},
        ],
        "staff": [
            {"name": "王采集", "phone": "13900000001", "post": "网格管理员、信息采集员", "grid": GRID_1},
            {"name": "李协管", "phone": "139 0000 0002", "post": "协管员", "grid": GRID_1},
            {"name": "赵值班", "phone": "13900000003", "post": "乡镇值班人员", "grid": "620502101000"},
            {"姓名": "钱社区", "登录名": "wangshequ", "岗位": "管理员", "网格编码": "620503002001001"},
        ],
    }  # fmt: skip


GRID_ROWS: list[tuple[Any, ...]] = [
    ("编码", "名称", "层级", "上级编码"),
    (620502101000, "玉泉镇", "乡镇", None),
    ("620502101A01", "第一包片区域", "领导包片区域", 620502101000),
    ("620502101201", "李家村", "行政村", "620502101A01"),
    ("620502101201001", "李家村第一网格", "网格", "620502101201"),
    (620502101201002, "李家村第二网格", 4, "620502101201"),
    ("620503002000", "道北街道", "街道", ""),
    ("620503002001", "北关社区", "社区", "620503002000"),
    ("620503002001001", "北关社区第一网格", "网格", "620503002001"),
]
STAFF_ROWS: list[tuple[Any, ...]] = [
    ("姓名", "手机", "岗位", "网格编码", "登录名"),
    ("王采集", 13900000001, "网格管理员，信息采集员", GRID_1, None),
    ("李协管", "13900000002", "网格协管员", GRID_1, None),
    ("赵值班", "13900000003", "乡镇值班人员", "620502101000", None),
    ("钱社区", None, "网格管理员", "620503002001001", "wangshequ"),
]


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def write_workbook(path: Path, sheets: dict[str, list[tuple[Any, ...]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def run_admin(url: str, *args: str) -> tuple[int, str, str]:
    """``python -m server admin ARGS --url URL`` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = admin.main(["admin", *args, "--url", url])
    return code, out.getvalue(), err.getvalue()


def logged(url: str) -> list[tuple[str, str]]:
    """(entity, changed_by) of every change-log row, in order."""
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(change_log.c.entity, change_log.c.changed_by).order_by(change_log.c.seq)
            )
            return [(r.entity, r.changed_by) for r in rows]
    finally:
        store.close()


# -- what a laptop holds --------------------------------------------------------------------------------------
def tree(ledger: Ledger) -> dict[str, tuple[Any, ...]]:
    with ledger.read() as session:
        nodes = session.scalars(select(GridNode).where(GridNode.deleted.is_(False))).all()
    code = {n.id: n.code for n in nodes}
    return {n.code: (n.name, n.level, n.kind, n.urban, code.get(n.parent_id or "")) for n in nodes}


def staff(ledger: Ledger) -> dict[str, tuple[str, str]]:
    with ledger.read() as session:
        people = session.scalars(select(Staff).where(Staff.deleted.is_(False))).all()
    return {p.login: (p.name, p.phone) for p in people}


def posts(ledger: Ledger) -> set[tuple[str, str, str]]:
    with ledger.read() as session:
        rows = session.execute(
            select(Staff.login, GridNode.code, GridPost.post)
            .join(Staff, Staff.id == GridPost.staff_id)
            .join(GridNode, GridNode.id == GridPost.grid_id)
            .where(GridPost.deleted.is_(False))
        ).all()
    return {(r[0], r[1], r[2]) for r in rows}


def sync_with_restarted(db: str, ledger: Ledger) -> SyncReport:
    """One sync of ``ledger`` with the server on ``db`` started again (on another port)."""
    restarted = start_server(db)
    with ledger.read() as session:
        token = read_state(session)["token"]
    client = SyncClient(restarted.url, token)
    try:
        return run_sync(ledger, client)
    finally:
        client.close()
        restarted.stop()


# -- fixtures -----------------------------------------------------------------------------------------------
@pytest.fixture
def server(database: str) -> Iterator[Server]:
    running = start_server(database)
    try:
        yield running
    finally:
        running.stop()


Laptop = Callable[..., Ledger]


@pytest.fixture
def laptop(tmp_path: Path, empty_ledger_file: Path) -> Iterator[Laptop]:
    """New laptops: copies of the empty ledger, enrolled with ``server`` (``grids`` codes, else the township)."""
    opened: list[Ledger] = []

    def make(server: Server, name: str, *grids: str) -> Ledger:
        path = tmp_path / name / "ledger.db"
        path.parent.mkdir()
        shutil.copyfile(empty_ledger_file, path)
        ledger = Ledger.open(path, PASSPHRASE, actor=name)
        opened.append(ledger)
        code = (
            server.admin("enrol-code", "--grids", *grids)
            if grids
            else server.admin("enrol-code", "--township")
        )
        enrol(ledger, server.url, code, name)
        return ledger

    yield make
    for ledger in opened:
        ledger.close()


# -- the township file --------------------------------------------------------------------------------------
def test_a_published_township_reaches_new_laptops_and_publishing_it_again_changes_nothing(
    server: Server, laptop: Laptop, tmp_path: Path
) -> None:
    township = write_json(tmp_path / "township.json", township_document())
    out = server.admin("init", "--township-file", str(township))
    assert f"新增 {RECORDS} 条，修改 0 条，删除 0 条" in out
    assert logged(server.db) == [(entity, "乡镇管理员") for entity, _ in logged(server.db)]

    office = laptop(server, "office")
    assert run_sync(office).pulled == RECORDS
    assert (tree(office), staff(office), posts(office)) == (TREE, STAFF, POSTS)
    # A grid's laptop, enrolled by the grid's code: the whole tree and staff directory, its grid's posts only.
    village = laptop(server, "village", GRID_1)
    run_sync(village)
    assert (tree(village), staff(village)) == (TREE, STAFF)
    assert posts(village) == {p for p in POSTS if p[1] == GRID_1}
    store = Store(server.db)
    with office.read() as session:
        grids = session.scalars(select(GridNode.id).where(GridNode.kind == "grid")).all()
    assert sorted(store.township_grids()) == sorted(grids)
    store.close()

    before = logged(server.db)
    again = server.admin("init", "--township-file", str(township))
    assert f"没有变化（{RECORDS} 条与服务器上相同）" in again
    assert logged(server.db) == before
    assert run_sync(office).pulled == 0

    # Edited: the second grid renamed, 李协管's post moved to it. Only those rows change.
    edited = township_document()
    edited["grids"][0]["children"][0]["children"][0]["children"][1]["name"] = "李家村二组网格"
    edited["staff"][1]["grid"] = "620502101201002"
    server.admin("init", "--township-file", str(write_json(tmp_path / "edited.json", edited)))
    assert [entity for entity, _ in logged(server.db)[len(before) :]] == [
        "grid_node",
        "grid_post",
        "grid_post",
    ]
    assert run_sync(office).pulled == 3
    assert tree(office) == TREE | {"620502101201002": ("李家村二组网格", *TREE["620502101201002"][1:])}
    moved = ("13900000002", "620502101201002", "assistant")
    assert posts(office) == POSTS - {("13900000002", GRID_1, "assistant")} | {moved}
    run_sync(village)
    assert posts(village) == {p for p in POSTS if p[1] == GRID_1} - {("13900000002", GRID_1, "assistant")}


def test_a_workbook_publishes_the_same_township_as_its_json(database: str, tmp_path: Path) -> None:
    workbook = write_workbook(tmp_path / "township.xlsx", {"网格": GRID_ROWS, "人员": STAFF_ROWS})
    code, out, err = run_admin(database, "init", "--township-file", str(workbook))
    assert code == 0 and f"新增 {RECORDS} 条" in out
    assert err.splitlines() == [  # not a refusal: grids may get their staff later
        "提示：网格“北关社区第一网格”（620503002001001）还没有网格协管员、信息采集员（一网三员），可以以后补上",
        "提示：网格“李家村第二网格”（620502101201002）还没有网格管理员、网格协管员、信息采集员（一网三员），可以以后补上",
    ]
    code, out, _ = run_admin(database, "init", "--township-file", str(tmp_path / "same.json"))
    assert code == 1  # no such file yet: said, nothing done
    same = write_json(tmp_path / "same.json", township_document())
    code, out, _ = run_admin(database, "init", "--township-file", str(same))
    assert code == 0 and "没有变化" in out
    code, out, _ = run_admin(database, "grids")
    assert out.count("已登记") == 3 and "620502101A01\t领导包片区域\t第一包片区域" in out


def test_a_bad_township_file_names_every_row_and_column_to_fix_and_publishes_nothing(
    database: str, tmp_path: Path
) -> None:
    grids = [
        ("编码", "名称", "层级", "上级编码"),
        ("620502101000", "玉泉镇", "乡镇", None),  # 2
        ("620502101A01", "第一包片区域", "片区", "620502101000"),  # 3
        ("620502101201", "李家村", "行政村", "620502101A01"),  # 4
        ("620502101201001", "李家村第一网格", "网格", "620502101201"),  # 5
        ("620502101201001", "重复的网格", "网格", "620502101201"),  # 6
        ("620502101001001", "没有上级的网格", "网格", "620502101001"),  # 7
        ("62050210120", "少一位村", "行政村", "620502101A01"),  # 8
        ("620502101202", "错挂的社区", "社区", "620502101A01"),  # 9
        ("620502101203", "某村", "县", "620502101A01"),  # 10
        ("620502101201009", "", "网格", "620502101201"),  # 11
        ("6.20502E+14", "被改成科学计数法的网格", "网格", "620502101201"),  # 12
    ]
    people = [
        ("姓名", "手机", "岗位", "网格编码"),
        ("王采集", "13900000001", "网格管理员", "620502101201001"),  # 2
        ("李协管", "1390000", "协管员", "620502101201001"),  # 3
        ("赵某", "13900000005", "村长", "620502101201001"),  # 4
        ("钱某", "13900000006", "信息采集员", "620502101201"),  # 5
        ("孙某", "13900000007", "网格管理员", "620502109999001"),  # 6
    ]
    workbook = write_workbook(tmp_path / "bad.xlsx", {"网格": grids, "人员": people})
    code, out, err = run_admin(database, "init", "--township-file", str(workbook))
    assert code == 1 and out == ""
    expected = [
        "有 11 处需要改正，什么都没有发布",
        "“网格”表第 6 行“编码”620502101201001 与“网格”表第 5 行重复",
        "“网格”表第 7 行“上级编码”620502101001 在表中不存在（服务器上也没有），请先填上级网格那一行",
        "“网格”表第 8 行“编码”62050210120 应为 12 位统计用区划代码（县 6 位 + 乡镇 3 位 + 村/社区 3 位），现在是 11 位",
        "“网格”表第 9 行“层级”社区不能挂在领导包片区域“第一包片区域”之下",
        "“网格”表第 10 行“层级”“县”不认识，请填 乡镇、街道、领导包片区域、行政村、社区、网格 之一",
        "“网格”表第 11 行“名称”为空，请填写",
        "“网格”表第 12 行“编码”6.20502E+14 被 Excel 改成了科学计数法",
        "“人员”表第 3 行“手机”1390000 不是 11 位手机号",
        "“人员”表第 4 行“岗位”“村长”不认识，请填 网格管理员、网格协管员、信息采集员、代办员、乡镇值班人员 之一",
        "“人员”表第 5 行“岗位”信息采集员应在最末一级网格，而“网格编码”620502101201 是行政村“李家村”",
        "“人员”表第 6 行“网格编码”620502109999001 在“网格”表中不存在",
    ]
    for text in expected:
        assert text in err
    store = Store(database)
    try:
        with pytest.raises(StoreError, match="尚未初始化"):
            store.epoch()
        assert store.township_grids() == []
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(records)).scalar_one() == 0
    finally:
        store.close()


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"grids": [{"code": "620502101201001", "name": "网格", "level": "网格"}]},
         "“grids”第 1 条“上级编码”为空，但“层级”是网格：只有乡镇、街道可以没有上级，请填上级编码"),
        ({"grids": [{"code": "620502101000", "name": "玉泉镇", "level": 2}]},
         "“grids”第 1 条“层级”2 与上级不衔接：没有上级编码，应为第 1 级（乡镇或街道），这里应为 1"),
        ({"grids": [{"code": "620502101001", "name": "玉泉镇"}]},
         "“grids”第 1 条“编码”620502101001 是乡镇的区划代码，末 3 位应为 000"),
        ({"grids": [{"code": "620502101000", "name": "玉泉镇", "children": [
            {"code": "620502101A01", "name": "片区", "children": [{"code": "620599101201", "name": "外乡的村"}]}]}]},
         "“grids”第 3 条“编码”620599101201 应以所属乡镇（街道）代码的前 9 位 620502101 开头"),
        ({"grids": [{"code": "620503002000", "name": "道北街道", "children": [
            {"code": "620503002001", "name": "北关社区", "children": [{"code": "6205030020011", "name": "网格"}]}]}]},
         "“grids”第 3 条“编码”6205030020011 应为上级社区“北关社区”的代码 620503002001 后加 3 位数字"),
        ({"staff": []}, "JSON 文件里没有“grids”（网格）列表"),
        ([1, 2], "JSON 文件里没有“grids”（网格）列表"),
    ],
)  # fmt: skip
def test_township_file_problems_are_named_in_chinese(tmp_path: Path, document: Any, problem: str) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    code, out, err = run_admin(url, "init", "--township-file", str(write_json(tmp_path / "t.json", document)))
    assert code == 1 and out == ""
    assert problem in err


def test_a_township_file_of_another_format_or_broken_json_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    csv = tmp_path / "township.csv"
    csv.write_text("编码,名称\n", encoding="utf-8")
    assert (
        "不认识“.csv”格式，请用 .json 或 .xlsx 文件" in run_admin(url, "init", "--township-file", str(csv))[2]
    )
    broken = tmp_path / "township.json"
    broken.write_text('{"grids": [\n{"code": 1,}\n]}', encoding="utf-8")
    assert "第 2 行第 12 列不是合法的 JSON" in run_admin(url, "init", "--township-file", str(broken))[2]
    sheets = write_workbook(tmp_path / "sheets.xlsx", {"Sheet1": [("编码",)]})
    err = run_admin(url, "init", "--township-file", str(sheets))[2]
    assert "文件里没有“网格”工作表（现有：Sheet1），请把网格表所在的工作表改名为“网格”" in err
    columns = write_workbook(tmp_path / "columns.xlsx", {"网格": [("编码", "名称")]})
    err = run_admin(url, "init", "--township-file", str(columns))[2]
    assert "“网格”工作表缺少列“层级”“上级编码”" in err


# -- calendar, codes, errand items, users -------------------------------------------------------------------
def test_a_published_holiday_calendar_reaches_laptops_and_corrects_the_bundled_one(
    server: Server, laptop: Laptop, tmp_path: Path
) -> None:
    server.admin("init", "--grids", "0190a1b2-0000-7000-8000-00000000000a")
    office = laptop(server, "office")
    run_sync(office)
    days = [("日期", "是否上班", "名称"), (date(2027, 1, 1), "否", "元旦")]
    days += [(f"2027-02-{d:02d}", "否", "春节") for d in range(6, 13)]
    days += [("2027/2/14", "是", "春节调休"), ("2027年2月20日", "是", "春节调休")]  # Sunday, Saturday
    file_2027 = write_workbook(tmp_path / "2027.xlsx", {"节假日": days})
    code, out, _ = run_admin(server.db, "publish", "calendar", "2027", str(file_2027))
    assert code == 0 and "新增 11 条" in out
    assert run_sync(office).pulled == 11
    with office.read() as session:
        calendar = load_calendar(session)
    assert 2027 in calendar.published_years
    assert not calendar.is_workday(date(2027, 2, 8)) and calendar.holiday_name(date(2027, 2, 8)) == "春节"
    assert calendar.is_workday(date(2027, 2, 14)) and calendar.is_workday(date(2027, 2, 20))
    assert "没有变化" in run_admin(server.db, "publish", "calendar", "2027", str(file_2027))[1]
    assert run_sync(office).pulled == 0

    # The package's own years are on every laptop already; a year it lacks is refused with what to do.
    assert (
        "没有变化（40 条" in run_admin(server.db, "publish", "calendar", "2026", "--from-chinesecalendar")[1]
    )
    code, _, err = run_admin(server.db, "publish", "calendar", "2028", "--from-chinesecalendar")
    assert code == 1 and "chinesecalendar 包没有 2028 年的节假日安排" in err
    assert run_sync(office).pulled == 0

    # A correction of a bundled year: one holiday renamed, one make-up working day dropped.
    bundled = calendar_from_package(2026)
    renamed = next(d for d in bundled if not d.is_workday)
    dropped = next(d for d in bundled if d.is_workday)
    assert dropped.day.weekday() >= 5  # a weekend that was a working day, ordinary again after the correction
    rows = [
        {"day": d.day.isoformat(), "workday": d.is_workday, "name": "新年" if d is renamed else d.name}
        for d in bundled
        if d is not dropped
    ]
    code, out, _ = run_admin(
        server.db, "publish", "calendar", "2026", str(write_json(tmp_path / "c.json", rows))
    )
    assert (
        code == 0 and "修改 2 条，删除 1 条" in out
    )  # the day, the year (now the township's), the dropped day
    run_sync(office)
    with office.read() as session:
        calendar = load_calendar(session)
    assert calendar.holiday_name(renamed.day) == "新年"
    assert not calendar.is_workday(dropped.day)
    assert run_sync(office).pulled == 0


def test_a_calendar_file_with_mistakes_is_refused_row_by_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    Store(url).init_township([])
    days = [
        {"day": "2027-02-10", "workday": "是", "name": "调休"},
        {"day": "2026-02-10", "workday": "休", "name": ""},
        {"day": "二月", "workday": "否", "name": "春节"},
    ]
    code, _, err = run_admin(url, "publish", "calendar", "2027", str(write_json(tmp_path / "c.json", days)))
    assert code == 1
    for text in [
        "“days”第 1 条“日期”2027-02-10 是星期三，本来就上班，不用列出",
        "“days”第 2 条“日期”2026-02-10 不在 2027 年",
        "“days”第 2 条“是否上班”应填 是（调休上班）或 否（放假），现在是“休”",
        "“days”第 2 条“名称”为空，请填写",
        "“days”第 3 条“日期”“二月”不是日期，请写成 2027-02-06 这样的格式",
    ]:
        assert text in err


def test_codes_errand_items_and_users_published_reach_laptops_once(
    server: Server, laptop: Laptop, tmp_path: Path
) -> None:
    server.admin("init", "--township-file", str(write_json(tmp_path / "t.json", township_document())))
    office = laptop(server, "office")
    run_sync(office)

    codes = write_json(tmp_path / "codes.json", [
        {"table": "StaffPost", "code": "manager", "name": "网格长"},  # a bundled code renamed
        {"代码表": "EventCategory", "代码": "flood", "名称": "防汛事件", "排序": 9},
    ])  # fmt: skip
    assert "新增 1 条，修改 1 条" in run_admin(server.db, "publish", "codes", str(codes))[1]
    items = write_workbook(tmp_path / "items.xlsx", {"代办事项": [
        ("类别", "事项名称", "所需材料", "需本人办理", "办理单位"),
        ("民政", "低保申请", "身份证、户口本；收入证明", "否", "乡镇民政办"),
        ("social_security", "养老保险待遇认证", "身份证", "是", ""),
    ]})  # fmt: skip
    assert "新增 2 条" in run_admin(server.db, "publish", "errand-items", str(items))[1]
    added = ("users", "add", "孙新", "--phone", "13900000009", "--post", "信息采集员", "--post", "网格协管员",
             "--grid", "620502101201002")  # fmt: skip
    assert "新增 3 条" in run_admin(server.db, *added)[1]
    # 8: the renamed bundled code is the create every laptop has (version 1, skipped) and the update (version 2).
    assert run_sync(office).pulled == 8

    with office.read() as session:
        managers = session.scalars(
            select(CodeEntry.name).where(CodeEntry.table == "StaffPost", CodeEntry.code == "manager")
        ).all()
        flood = session.scalars(select(CodeEntry).where(CodeEntry.code == "flood")).one()
        catalogue = {
            (i.category, i.name, tuple(i.materials), i.in_person, i.office)
            for i in session.scalars(select(ErrandItem)).all()
        }
    assert managers == ["网格长"]  # the bundled row updated, no twin
    assert (flood.table, flood.name, flood.sort_order) == ("EventCategory", "防汛事件", 9)
    assert catalogue == {
        ("civil", "低保申请", ("身份证", "户口本", "收入证明"), False, "乡镇民政办"),
        ("social_security", "养老保险待遇认证", ("身份证",), True, ""),
    }
    assert staff(office)["13900000009"] == ("孙新", "13900000009")
    assert {p for p in posts(office) if p[0] == "13900000009"} == {
        ("13900000009", "620502101201002", "collector"), ("13900000009", "620502101201002", "assistant"),
    }  # fmt: skip
    listing = run_admin(server.db, "users", "list")[1]
    assert (
        "孙新\t13900000009\t13900000009\t信息采集员 @ 李家村第二网格（620502101201002）；网格协管员 @ 李家村第二网格"
        in listing
    )

    # The laptop works with what was published: an errand for the published item in a published grid.
    with office.read() as session:
        item = session.scalars(select(ErrandItem.id).where(ErrandItem.name == "低保申请")).one()
        grid = session.scalars(select(GridNode.id).where(GridNode.code == GRID_1)).one()
    with office.write() as tx:
        errands.register_errand(
            tx, grid_id=grid, item_id=item, applicant_name="曾广才", registered_on=date.today()
        )
    assert run_sync(office).applied == 1  # the errand, accepted by the server

    before = logged(server.db)
    for again in (("publish", "codes", str(codes)), ("publish", "errand-items", str(items)), added):
        assert "没有变化" in run_admin(server.db, *again)[1]
    assert logged(server.db) == before
    assert run_sync(office).pulled == 0

    code, _, err = run_admin(server.db, "users", "add", "周某", "--phone", "123", "--post", "网格管理员",
                             "--grid", "620502101201")  # fmt: skip
    assert code == 1
    assert "“手机”123 不是 11 位手机号" in err
    assert "“岗位”网格管理员应在最末一级网格，而“网格编码”620502101201 是行政村“李家村”" in err


def test_the_users_command_says_staff_records_are_the_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # one line per paragraph: argparse wraps Chinese anywhere
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit):
        admin.main(["admin", "users", "--help"])
    assert "工作人员记录就是用户：服务器不另设登录账号，笔记本凭登记时得到的设备令牌同步" in out.getvalue()


def test_a_code_file_with_mistakes_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    Store(url).init_township([])
    rows = [
        ("代码表", "代码", "名称", "排序"),
        ("性别", "1", "男", "一"),
        ("Sex", "1", "男", 1),
        ("Sex", "1", "男", 2),
    ]
    code, _, err = run_admin(
        url, "publish", "codes", str(write_workbook(tmp_path / "c.xlsx", {"代码": rows}))
    )
    assert code == 1
    assert "“代码”表第 2 行“代码表”应为代码表的英文名（如 Sex、EventType），现在是“性别”" in err
    assert "“代码”表第 2 行“排序”应为整数，现在是“一”" in err
    assert "“代码”表第 4 行代码表 Sex 的“代码”1 与“代码”表第 3 行重复" in err


def test_publishing_before_init_says_to_run_init(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    code, _, err = run_admin(url, "publish", "calendar", "2026", "--from-chinesecalendar")
    assert code == 1 and "乡镇服务器尚未初始化，请先运行 admin init" in err


# -- epochs, backup and restore ---------------------------------------------------------------------------
def test_a_new_epoch_makes_laptops_pull_again_and_resend_what_they_had_sent(
    server: Server, laptop: Laptop, tmp_path: Path
) -> None:
    server.admin("init", "--township-file", str(write_json(tmp_path / "t.json", township_document())))
    office = laptop(server, "office")
    with office.write() as tx:
        errands.add_errand_item(tx, category="civil", name="临时救助", materials=["申请书"])
    assert run_sync(office).applied == 1
    old = Store(server.db).epoch()
    code, out, _ = run_admin(server.db, "new-epoch")
    assert code == 0 and out.strip() != old and len(out.strip()) == 32
    assert code == 0 and run_admin(server.db, "epoch")[1].strip() == out.strip()
    server.stop()
    report = sync_with_restarted(server.db, office)
    assert report.epoch_changed
    assert report.duplicates == 1  # sent again, deduped
    assert report.pulled == RECORDS + 1  # from the start


def test_new_epoch_before_init_is_refused(tmp_path: Path) -> None:
    code, _, err = run_admin(f"sqlite:///{tmp_path / 'server.db'}", "new-epoch")
    assert code == 1 and "乡镇服务器尚未初始化（还没有纪元），请先运行 admin init" in err


def test_a_running_server_announces_a_new_epoch_without_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    url = f"sqlite:///{db}"
    store = Store(url)
    store.init_township([])
    code = store.create_enrol_code([], township=True)
    store.close()
    running = start_server(db)
    try:
        token = requests.post(f"{running.url}/v1/enrol", json={"code": code, "device_name": "x"}, timeout=10)
        headers = {"Authorization": f"Bearer {token.json()['token']}"}
        first = requests.get(f"{running.url}/v1/pull", headers=headers, timeout=10).json()
        epoch = run_admin(url, "new-epoch")[1].strip()
        assert epoch != first["epoch"]
        page = requests.get(f"{running.url}/v1/pull", headers=headers, timeout=10).json()
    finally:
        running.stop()
    assert page["epoch"] == epoch


def test_backup_and_restore_of_a_sqlite_server(tmp_path: Path, laptop: Laptop) -> None:
    db = tmp_path / "server.db"
    url = f"sqlite:///{db}"
    assert (
        run_admin(url, "init", "--township-file", str(write_json(tmp_path / "t.json", township_document())))[
            0
        ]
        == 0
    )
    server = start_server(db)
    office = laptop(server, "office")
    run_sync(office)
    saved = tmp_path / "backups" / "server-1.db"
    code, out, _ = run_admin(url, "backup", str(saved))
    assert code == 0 and f"已备份到 {saved}（1 台设备，{RECORDS} 条记录，变更序号到 {RECORDS}）" in out
    code, _, err = run_admin(url, "backup", str(saved))
    assert code == 1 and "已存在：备份不覆盖已有文件" in err

    # After the backup: the laptop adds a catalogue item, the township publishes a code.
    with office.write() as tx:
        errands.add_errand_item(tx, category="civil", name="临时救助", materials=["申请书"])
    assert run_sync(office).applied == 1
    codes = write_json(
        tmp_path / "codes.json", [{"table": "EventCategory", "code": "flood", "name": "防汛事件"}]
    )
    run_admin(url, "publish", "codes", str(codes))

    code, out, err = run_admin(url, "restore", str(saved))  # while the server runs
    assert code == 0, err
    epoch = out.split("新纪元 ")[1].split("：")[0]
    kept = Path(out.split("恢复前的数据库另存为 ")[1].split("\n")[0])
    assert (
        f"（1 台设备，{RECORDS + 2} 条记录"
        in run_admin(f"sqlite:///{kept}", "backup", str(tmp_path / "k.db"))[1]
    )
    server.stop()
    report = sync_with_restarted(url, office)
    assert report.epoch_changed and report.duplicates == 0 and report.applied == 1  # the item sent again
    store = Store(url)
    try:
        assert store.epoch() == epoch
        with store.engine.connect() as conn:
            kinds = conn.execute(select(records.c.entity, func.count()).group_by(records.c.entity)).all()
    finally:
        store.close()
    # The code published after the backup is gone from the server; the laptop's item came back with its resend.
    assert dict((k, n) for k, n in kinds) == {"grid_node": 8, "staff": 4, "grid_post": 5, "errand_item": 1}


def test_backup_and_restore_refuse_postgresql_and_say_what_to_use(tmp_path: Path) -> None:
    url = "postgresql+psycopg://griddesk:secret@127.0.0.1:9/griddesk"
    for action in ("backup", "restore"):
        code, _, err = run_admin(url, action, str(tmp_path / "x.db"))
        assert code == 1
        assert "请用 pg_dump 备份、pg_restore 恢复；恢复后运行 python -m server admin new-epoch" in err


def test_restore_refuses_a_file_that_is_not_a_server_backup(tmp_path: Path, empty_ledger_file: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    Store(url).init_township([])
    text = tmp_path / "notes.db"
    text.write_text("not a database", encoding="utf-8")
    assert "不是 SQLite 数据库或无法读取" in run_admin(url, "restore", str(text))[2]
    other = tmp_path / "other.db"
    Store(f"sqlite:///{other}").close()  # a server database never initialised
    assert "还没有初始化（没有纪元），不能用来恢复" in run_admin(url, "restore", str(other))[2]
    assert "找不到备份文件" in run_admin(url, "restore", str(tmp_path / "missing.db"))[2]
    newer = tmp_path / "newer.db"
    store = Store(f"sqlite:///{newer}")
    store.init_township([])
    with store.engine.begin() as conn:
        conn.execute(update(meta).where(meta.c.key == SCHEMA_KEY).values(value=str(SCHEMA_VERSION + 1)))
    store.close()
    code, _, err = run_admin(url, "restore", str(newer))
    assert code == 1 and f"的数据结构版本为 {SCHEMA_VERSION + 1}，本程序只能使用版本 {SCHEMA_VERSION}" in err
    assert not list(tmp_path.glob("server.db.before-restore-*")), "the live database was not touched"


def test_event_deadlines_published_reach_laptops_and_set_due_dates(
    server: Server, laptop: Laptop, tmp_path: Path
) -> None:
    server.admin("init", "--township-file", str(write_json(tmp_path / "t.json", township_document())))
    office = laptop(server, "office")
    run_sync(office)
    rules = write_workbook(tmp_path / "deadlines.xlsx", {"办理时限": [
        ("事件类别", "工作日"),
        ("矛盾纠纷", 5),  # a bundled rule changed (bundled: 3)
        ("hazard", "４"),  # full-width digit (bundled: 2)
        ("incident", 1),  # as bundled: nothing to publish
    ]})  # fmt: skip
    assert "修改 2 条" in run_admin(server.db, "publish", "deadlines", str(rules))[1]
    run_sync(office)
    with office.read() as session:
        published = dict(session.execute(select(DeadlineRule.category, DeadlineRule.working_days)).all())
        assert session.scalar(select(func.count()).select_from(DeadlineRule)) == len(published)
    assert published["dispute"] == 5 and published["hazard"] == 4, "bundled rows updated, no twins"
    assert deadline_rules_of(office)["dispute"] == 5 and deadline_rules_of(office)["incident"] == 1
    assert run_admin(server.db, "publish", "deadlines", str(rules))[0] == 0
    assert run_sync(office).pulled == 0, "publishing the same file again changes nothing"
    rows = [{"category": "台风", "working_days": 3}, {"category": "hard", "working_days": 40}]
    bad = write_json(tmp_path / "bad.json", rows)
    code, _, err = run_admin(server.db, "publish", "deadlines", str(bad))
    assert code == 1 and "“事件类别”“台风”不认识" in err and "“工作日”应为 1 到 15 的整数，现在是“40”" in err


def deadline_rules_of(ledger: Ledger) -> dict[str, int]:
    with ledger.read() as session:
        return deadline_rules(session)


# -- the layout of the server's tables ----------------------------------------------------------------------------
def test_a_database_of_a_newer_layout_is_refused_by_every_command_and_left_as_it_was(database: str) -> None:
    store = Store(database)
    store.init_township([GRID_A])
    with store.engine.begin() as conn:
        assert conn.scalar(select(meta.c.value).where(meta.c.key == SCHEMA_KEY)) == str(SCHEMA_VERSION)
        conn.execute(update(meta).where(meta.c.key == SCHEMA_KEY).values(value=str(SCHEMA_VERSION + 1)))
        conn.execute(sql("DROP INDEX ix_change_log_grid_id_seq"))  # an older program would make it again
    store.close()
    refusal = f"此数据库的数据结构版本为 {SCHEMA_VERSION + 1}，本程序（griddesk-server）只能使用版本 {SCHEMA_VERSION}"
    code, _, err = run_admin(database, "enrol-code", "--township")
    assert code == 1 and refusal in err and "请安装最新版本的 griddesk-server" in err
    out, err_ = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err_):
        assert admin.main(["serve", "--url", database, "--host", "127.0.0.1", "--port", "0"]) == 1
    assert refusal in err_.getvalue()
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            assert "ix_change_log_grid_id_seq" not in {
                i["name"] for i in inspect(conn).get_indexes("change_log")
            }
            assert conn.scalar(select(meta.c.value).where(meta.c.key == SCHEMA_KEY)) == str(
                SCHEMA_VERSION + 1
            )
    finally:
        engine.dispose()


def test_a_database_made_before_the_layout_was_numbered_opens_with_its_data_and_gets_the_number(
    database: str,
) -> None:
    store = Store(database)
    epoch = store.init_township([GRID_A])
    with store.engine.begin() as conn:
        conn.execute(delete(meta).where(meta.c.key == SCHEMA_KEY))
    store.close()
    store = Store(database)
    try:
        assert store.epoch() == epoch and store.township_grids() == [GRID_A]
        with store.engine.connect() as conn:
            assert conn.scalar(select(meta.c.value).where(meta.c.key == SCHEMA_KEY)) == str(SCHEMA_VERSION)
    finally:
        store.close()


def test_two_processes_stamping_a_new_database_at_once_both_open_it(database: str) -> None:
    """A server and an admin command started together on a new database: the second stamp loses, quietly."""
    first = store_module._make_engine(database)
    other = store_module._make_engine(database)
    raced: list[bool] = []

    @event.listens_for(first, "before_cursor_execute")
    def stamp_first(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO meta") and not raced:
            raced.append(True)
            store_module.create_schema(other)  # the other process, between our read and our insert

    try:
        store_module.create_schema(first)
        assert raced == [True]
        with first.connect() as conn:
            assert conn.scalar(select(meta.c.value).where(meta.c.key == SCHEMA_KEY)) == str(SCHEMA_VERSION)
    finally:
        first.dispose()
        other.dispose()
