"""Test fixtures. Qt runs offscreen; every test gets its own encrypted ledger file in a temporary folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("GRIDDESK_PASSPHRASE", None)
os.environ.pop("GRIDDESK_PROFILE", None)

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.ledger import Ledger
from app.models import GridNode, Staff
from app.services import grid as grid_service

PASSPHRASE = "correct horse 口令"


@dataclass
class Township:
    """A small grid tree: a rural township with one area, one village and two grids, and staff."""

    township: GridNode
    village: GridNode
    grid_a: GridNode
    grid_b: GridNode
    collector: Staff


@pytest.fixture(scope="session")
def empty_ledger_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new ledger (schema and bundled reference data), made once; tests get copies of the closed file."""
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    Ledger.open(path, PASSPHRASE, actor="system", create=True).close()
    return path


def open_copy(source: Path, tmp_path: Path) -> Iterator[Ledger]:
    """A test's own copy of the closed ledger ``source``, open as collector1 (for a fixture to yield from)."""
    path = tmp_path / "profile" / "ledger.db"
    path.parent.mkdir(parents=True)
    shutil.copyfile(source, path)
    opened = Ledger.open(path, PASSPHRASE, actor="collector1")
    yield opened
    opened.close()


@pytest.fixture
def ledger(tmp_path: Path, empty_ledger_file: Path) -> Iterator[Ledger]:
    yield from open_copy(empty_ledger_file, tmp_path)


def build_township(ledger: Ledger) -> Township:
    with ledger.write() as tx:
        township = grid_service.create_grid_node(tx, code="620502101000", name="玉泉镇", kind="township")
        area = grid_service.create_grid_node(
            tx, code="620502101A01", name="第一片区", kind="area", parent_id=township.id
        )
        village = grid_service.create_grid_node(
            tx, code="620502101201", name="李家村", kind="village", parent_id=area.id
        )
        grid_a = grid_service.create_grid_node(
            tx, code="620502101201001", name="李家村第一网格", kind="grid", parent_id=village.id
        )
        grid_b = grid_service.create_grid_node(
            tx, code="620502101201002", name="李家村第二网格", kind="grid", parent_id=village.id
        )
        collector = grid_service.create_staff(tx, name="王采集", login="collector1")
        for post in ("manager", "assistant", "collector"):
            grid_service.assign_post(tx, collector, grid_a.id, post)
    return Township(township, village, grid_a, grid_b, collector)


@pytest.fixture
def township(ledger: Ledger) -> Township:
    return build_township(ledger)
