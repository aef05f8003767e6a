"""Grid coverage report: households per grid against the urban/rural band, households in no grid, missing posts
(一网三员), and the .xlsx export read back — on a real encrypted ledger built through the services."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.errors import LedgerError
from app.idcard import make_id_number
from app.ledger import Ledger
from app.models import GridNode, GridPost, Household, Staff
from app.reports.coverage import (
    RURAL_BAND,
    URBAN_BAND,
    BandStatus,
    CoverageReport,
    Gap,
    band_status,
    grid_coverage,
    write_coverage_xlsx,
)
from app.services import grid as grid_service
from app.services.households import register_household
from app.writer import WriteTx
from tests.conftest import PASSPHRASE, open_copy


@dataclass(frozen=True)
class CoverageTownship:
    """Codes of the grids built by ``build_coverage_township`` and what each is meant to show."""

    rural_within = "620502101201001"  # 100 households (the band's lower end), all three posts, one person
    rural_under = "620502101201002"  # 1 household of 2 people, only a collector
    rural_over = "620502101202001"  # 301 households; assistant removed, collector no longer active
    urban_within = "620503002001001"  # 300 households: within the urban band, over the rural one
    urban_under = "620503002001002"  # 2 households (250 would still be under): no collector, an agent
    gone = "620502101202002"  # deleted grid, one household (with its head) still pointing at it


def _households(tx: WriteTx, grid_id: str, n: int, prefix: str) -> None:
    for i in range(n):
        register_household(tx, grid_id=grid_id, address=f"{prefix}{i + 1}号")


def _member(name: str, born: date, sequence: int, relation: str) -> dict[str, object]:
    return {"name": name, "id_number": make_id_number("620502", born, sequence), "relation": relation}


def build_coverage_township(ledger: Ledger) -> None:
    """A rural township (4 levels) and an urban street (3 levels) with grids under, within and over their bands,
    posts missing in several ways, and households in no grid: none given, on a village node, in a deleted grid."""
    with ledger.write() as tx:
        create = grid_service.create_grid_node
        town = create(tx, code="620502101000", name="玉泉镇", kind="township")
        area = create(tx, code="620502101A01", name="第一片区", kind="area", parent_id=town.id)
        li = create(tx, code="620502101201", name="李家村", kind="village", parent_id=area.id)
        wang = create(tx, code="620502101202", name="王家村", kind="village", parent_id=area.id)
        grids = {
            code: create(tx, code=code, name=name, kind="grid", parent_id=parent.id)
            for code, name, parent in (
                (CoverageTownship.rural_within, "李家村第一网格", li),
                (CoverageTownship.rural_under, "李家村第二网格", li),
                (CoverageTownship.rural_over, "王家村第一网格", wang),
                (CoverageTownship.gone, "王家村第二网格", wang),
            )
        }
        street = create(tx, code="620503002000", name="道北街道", kind="street")
        north = create(tx, code="620503002001", name="北园社区", kind="community", parent_id=street.id)
        for code, name in (
            (CoverageTownship.urban_within, "北园社区第一网格"),
            (CoverageTownship.urban_under, "北园社区第二网格"),
        ):
            grids[code] = create(tx, code=code, name=name, kind="grid", parent_id=north.id)
        gid = {code: node.id for code, node in grids.items()}

        staff = {
            login: grid_service.create_staff(tx, name=name, login=login)
            for login, name in (("wang", "王采集"), ("li", "李网格"), ("zhao", "赵协管"), ("sun", "孙离岗"))
        }
        for post in ("manager", "assistant", "collector"):  # 一员多能: one person, three posts
            grid_service.assign_post(tx, staff["wang"], gid[CoverageTownship.rural_within], post)
            grid_service.assign_post(tx, staff["li"], gid[CoverageTownship.urban_within], post)
        grid_service.assign_post(tx, staff["wang"], gid[CoverageTownship.rural_under], "collector")
        grid_service.assign_post(tx, staff["li"], gid[CoverageTownship.rural_over], "manager")
        removed = grid_service.assign_post(tx, staff["zhao"], gid[CoverageTownship.rural_over], "assistant")
        grid_service.remove_post(tx, removed)
        grid_service.assign_post(tx, staff["sun"], gid[CoverageTownship.rural_over], "collector")
        tx.update(staff["sun"], active=False)
        grid_service.assign_post(tx, staff["zhao"], gid[CoverageTownship.urban_under], "manager")
        grid_service.assign_post(tx, staff["zhao"], gid[CoverageTownship.urban_under], "assistant")
        grid_service.assign_post(tx, staff["wang"], gid[CoverageTownship.urban_under], "agent")

        register_household(
            tx,
            grid_id=gid[CoverageTownship.rural_within],
            address="李家村一组1号",
            members=[
                _member("李大山", date(1958, 3, 4), 11, "02"),
                _member("张桂兰", date(1960, 5, 6), 22, "10"),
                _member("李小军", date(1986, 7, 8), 33, "20"),
            ],
        )
        _households(tx, gid[CoverageTownship.rural_within], 99, "李家村一组")
        register_household(
            tx,
            grid_id=gid[CoverageTownship.rural_under],
            address="李家村二组1号",
            members=[
                _member("王秀英", date(1949, 1, 2), 44, "02"),
                _member("王强", date(1975, 2, 3), 55, "20"),
            ],
        )
        _households(tx, gid[CoverageTownship.rural_over], 301, "王家村一组")
        _households(tx, gid[CoverageTownship.urban_within], 300, "北园小区1栋")
        _households(tx, gid[CoverageTownship.urban_under], 2, "北园小区9栋")

        # In no grid: an imported household without a grid, one put on a village node, one in a deleted grid.
        tx.create(Household(number="DR0001", grid_id=None, address="无网格1号"))
        tx.create(Household(number="DR0002", grid_id=li.id, address="李家村村委会旁"))
        register_household(
            tx,
            grid_id=gid[CoverageTownship.gone],
            number="DR0003",
            address="王家村二组5号",
            members=[_member("赵铁柱", date(1970, 9, 9), 77, "02")],
        )
        tx.delete(grids[CoverageTownship.gone])


@pytest.fixture(scope="module")
def coverage_file(tmp_path_factory: pytest.TempPathFactory, empty_ledger_file: Path) -> Path:
    """The coverage township, built once per module; each test works on its own copy."""
    path = tmp_path_factory.mktemp("coverage") / "ledger.db"
    shutil.copyfile(empty_ledger_file, path)
    ledger = Ledger.open(path, PASSPHRASE, actor="collector1")
    try:
        build_coverage_township(ledger)
    finally:
        ledger.close()
    return path


@pytest.fixture
def coverage_ledger(coverage_file: Path, tmp_path: Path) -> Iterator[Ledger]:
    yield from open_copy(coverage_file, tmp_path)


def _report(ledger: Ledger) -> CoverageReport:
    with ledger.read() as session:
        return grid_coverage(session)


@pytest.mark.parametrize(
    ("households", "urban", "status"),
    [
        (0, False, BandStatus.UNDER),
        (99, False, BandStatus.UNDER),
        (100, False, BandStatus.WITHIN),
        (300, False, BandStatus.WITHIN),
        (301, False, BandStatus.OVER),
        (299, True, BandStatus.UNDER),
        (300, True, BandStatus.WITHIN),
        (500, True, BandStatus.WITHIN),
        (501, True, BandStatus.OVER),
    ],
)
def test_band_status_counts_both_ends_of_the_band_as_within(
    households: int, urban: bool, status: BandStatus
) -> None:
    assert band_status(households, urban) is status


def test_each_grid_is_measured_against_its_own_urban_or_rural_band(coverage_ledger: Ledger) -> None:
    report = _report(coverage_ledger)
    by_code = {g.code: g for g in report.grids}
    assert list(by_code) == sorted(by_code), "grids are listed by code"
    assert CoverageTownship.gone not in by_code, "a deleted grid is no longer a grid"
    expected = {
        CoverageTownship.rural_within: (False, "李家村", 100, RURAL_BAND, BandStatus.WITHIN),
        CoverageTownship.rural_under: (False, "李家村", 1, RURAL_BAND, BandStatus.UNDER),
        CoverageTownship.rural_over: (False, "王家村", 301, RURAL_BAND, BandStatus.OVER),
        CoverageTownship.urban_within: (True, "北园社区", 300, URBAN_BAND, BandStatus.WITHIN),
        CoverageTownship.urban_under: (True, "北园社区", 2, URBAN_BAND, BandStatus.UNDER),
    }
    assert {
        code: (g.urban, g.unit, g.households, g.band, g.status) for code, g in by_code.items()
    } == expected
    assert by_code[CoverageTownship.rural_within].people == 3
    assert by_code[CoverageTownship.rural_under].people == 2
    assert by_code[CoverageTownship.rural_over].people == 0
    assert by_code[CoverageTownship.rural_within].name == "李家村第一网格"
    assert {g.code for g in report.out_of_band} == {
        CoverageTownship.rural_under,
        CoverageTownship.rural_over,
        CoverageTownship.urban_under,
    }


def test_missing_posts_count_only_live_posts_of_active_staff(coverage_ledger: Ledger) -> None:
    report = _report(coverage_ledger)
    missing = {g.code: g.missing_posts for g in report.grids}
    assert missing == {
        CoverageTownship.rural_within: (),
        CoverageTownship.rural_under: ("manager", "assistant"),
        CoverageTownship.rural_over: ("assistant", "collector"),
        CoverageTownship.urban_within: (),
        CoverageTownship.urban_under: ("collector",),
    }
    labels = {g.code: g.missing_post_labels for g in report.grids_missing_posts}
    assert labels[CoverageTownship.rural_under] == ("网格管理员", "网格协管员")
    assert labels[CoverageTownship.urban_under] == ("信息采集员",)


def test_households_in_no_live_grid_are_listed_with_the_reason(coverage_ledger: Ledger) -> None:
    report = _report(coverage_ledger)
    assert [(h.number, h.head_name, h.address, h.gap, h.node_name) for h in report.ungridded] == [
        ("DR0001", "", "无网格1号", Gap.NO_GRID, ""),
        ("DR0002", "", "李家村村委会旁", Gap.NOT_A_GRID, "李家村"),
        ("DR0003", "赵铁柱", "王家村二组5号", Gap.GRID_MISSING, ""),
    ]


def test_totals_add_up_and_follow_changes(coverage_ledger: Ledger) -> None:
    totals = _report(coverage_ledger).totals
    assert (totals.grids, totals.under, totals.within, totals.over, totals.missing_posts) == (5, 2, 2, 1, 3)
    assert totals.households_in_grids == 100 + 1 + 301 + 300 + 2
    assert totals.households_without_grid == 3
    assert totals.households == 707
    assert totals.people_in_grids == 5

    # Fill the missing collector post and move the stray household into a grid: the report follows.
    with coverage_ledger.write() as tx:
        codes = [CoverageTownship.urban_under, CoverageTownship.rural_under]
        nodes = {n.code: n for n in tx.session.scalars(select(GridNode).where(GridNode.code.in_(codes)))}
        holder = tx.session.scalars(
            select(Staff).join(GridPost, GridPost.staff_id == Staff.id).where(GridPost.post == "agent")
        ).one()
        grid_service.assign_post(tx, holder, nodes[CoverageTownship.urban_under].id, "collector")
        stray = tx.session.scalars(select(Household).where(Household.number == "DR0001")).one()
        tx.update(stray, grid_id=nodes[CoverageTownship.rural_under].id)
    report = _report(coverage_ledger)
    assert report.totals.missing_posts == 2
    assert [h.number for h in report.ungridded] == ["DR0002", "DR0003"]
    assert {g.code: g.households for g in report.grids}[CoverageTownship.rural_under] == 2


def test_an_empty_ledger_gives_an_empty_report(ledger: Ledger) -> None:
    report = _report(ledger)
    assert report.grids == [] and report.ungridded == []
    assert report.totals.households == 0


def test_export_writes_one_sheet_per_section_with_chinese_headers(
    coverage_ledger: Ledger, tmp_path: Path
) -> None:
    report = _report(coverage_ledger)
    path = write_coverage_xlsx(report, tmp_path / "网格覆盖情况.xlsx")
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["汇总", "网格户数", "未划入网格的户", "缺岗网格"]

    summary = dict(book["汇总"].iter_rows(min_row=2, values_only=True))
    assert summary["网格数"] == 5
    assert summary["户数超出标准的网格"] == 1
    assert summary["未划入网格的户数"] == 3
    assert summary["城市网格标准户数"] == "300–500"

    grids = list(book["网格户数"].iter_rows(values_only=True))
    assert grids[0] == (
        "网格代码",
        "网格名称",
        "所属村（社区）",
        "城乡",
        "户数",
        "人数",
        "标准户数",
        "情况",
        "缺少岗位",
    )
    rows = {r[0]: r for r in grids[1:]}
    assert len(rows) == 5
    assert rows[CoverageTownship.rural_over] == (
        CoverageTownship.rural_over, "王家村第一网格", "王家村", "农村", 301, 0, "100–300", "超出标准",
        "网格协管员、信息采集员",
    )  # fmt: skip
    assert rows[CoverageTownship.urban_within][3:8] == ("城市", 300, 0, "300–500", "符合标准")
    assert isinstance(rows[CoverageTownship.rural_over][0], str), "codes stay text, not numbers"

    stray = list(book["未划入网格的户"].iter_rows(values_only=True))
    assert stray[0] == ("户号", "户主", "地址", "原因", "所挂节点")
    assert [r[0] for r in stray[1:]] == ["DR0001", "DR0002", "DR0003"]
    assert stray[3][1] == "赵铁柱" and stray[2][3] == "挂在非网格节点上" and stray[2][4] == "李家村"

    missing = list(book["缺岗网格"].iter_rows(values_only=True))
    assert [r[0] for r in missing[1:]] == [
        CoverageTownship.rural_under,
        CoverageTownship.rural_over,
        CoverageTownship.urban_under,
    ]
    book.close()


def test_export_to_an_unwritable_place_says_what_to_do(tmp_path: Path) -> None:
    folder = tmp_path / "a-file-not-a-folder"
    folder.write_text("x", encoding="utf-8")
    with pytest.raises(LedgerError, match="无法保存到") as info:
        write_coverage_xlsx(CoverageReport([], []), folder / "report.xlsx")
    assert "请" in info.value.message
