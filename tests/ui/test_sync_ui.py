"""Sync in the window, for real: the main window on laptop a's encrypted ledger, the township server as a
subprocess on loopback, laptop b beside it. Sync runs on its worker thread; the status bar, the household badges
and the conflict inbox follow what happened."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.ledger import Ledger
from app.models import Household, OutboxOp, Person
from app.profile import Profile
from app.services import households, persons
from sync.engine import run_sync
from tests.conftest import Township
from tests.sync.conftest import Laptops, Server, laptops, server  # noqa: F401 - fixtures
from tests.sync.test_engine import person_id, register_family
from tests.ui.test_main_window import chinese  # noqa: F401 - fixture
from ui.main import BADGE_COLUMN, MainWindow

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 20_000


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[Callable[[Ledger], MainWindow]]:
    """Open the window as a user does: an enrolled laptop syncs once at startup; wait for that run to end.

    The windows are kept until the test ends and then closed (which waits for a sync still running), since
    qtbot holds them weakly only."""
    opened: list[MainWindow] = []

    def open_(ledger: Ledger) -> MainWindow:
        window = MainWindow(ledger, Profile(ledger.path.parent))
        opened.append(window)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.sync.runs >= 1 and not window.sync.busy, timeout=WAIT_MS)
        return window

    yield open_
    for window in opened:
        window.close()


def status(window: MainWindow) -> str:
    return window.status_sync.text()


def badges(window: MainWindow) -> dict[str, str]:
    model = window.households
    model.show_grids(model.grid_ids)
    return {
        model.row_at(row).address: model.index(row, BADGE_COLUMN).data() for row in range(model.rowCount())
    }


def test_a_save_waits_then_sync_from_the_menu_sends_it_off_the_ui_thread(
    qtbot: QtBot,
    open_window: Callable[[Ledger], MainWindow],
    laptops: Laptops,  # noqa: F811
    chinese: None,  # noqa: F811
) -> None:
    window = open_window(laptops.a)
    assert status(window).startswith("同步：全部已上传 · ")
    register_family(laptops.a, laptops)
    # the window hears of the save by itself and says what waits
    qtbot.waitUntil(lambda: status(window) == "同步：3 条待上传（最早 1 分钟前）", timeout=WAIT_MS)
    assert badges(window) == {"李家村四组7号": "待上传"}
    threads: list[int] = []
    window.sync.worker.progress.connect(
        lambda *_: threads.append(threading.get_ident()), Qt.ConnectionType.DirectConnection
    )
    window.sync_action.trigger()
    assert window.sync.busy
    window.sync_action.trigger()  # a second start while one runs is refused, not queued
    qtbot.waitUntil(lambda: not window.sync.busy, timeout=WAIT_MS)
    assert window.sync.runs == 2
    qtbot.waitUntil(lambda: status(window).startswith("同步：全部已上传 · "), timeout=WAIT_MS)
    assert threads and threading.get_ident() not in threads, (
        "the engine reported progress from its own thread"
    )
    assert badges(window) == {"李家村四组7号": ""}
    run_sync(laptops.b)
    with laptops.b.read() as session:
        assert session.scalar(select(Household.address)) == "李家村四组7号"


def type_into_next_dialog(text: str, prompts: list[str]) -> None:
    """Type ``text`` into the input dialog about to open (the real dialog, driven by a timer) and accept it."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, answer)
            return
        prompts.append(dialog.labelText())
        dialog.setTextValue(text)
        dialog.accept()

    QTimer.singleShot(20, answer)


def test_conflicts_are_resolved_in_the_inbox_by_keeping_mine_and_by_merging(
    qtbot: QtBot,
    open_window: Callable[[Ledger], MainWindow],
    laptops: Laptops,  # noqa: F811
    chinese: None,  # noqa: F811
) -> None:
    register_family(laptops.a, laptops)
    run_sync(laptops.a)
    run_sync(laptops.b)
    wife, husband = person_id(laptops.a, "单桂兰"), person_id(laptops.a, "曾广才")
    edits = {laptops.a: {wife: "单贵兰", husband: "曾光才"}, laptops.b: {wife: "单桂莲", husband: "曾广财"}}
    for ledger, values in edits.items():
        with ledger.write() as tx:
            for pid, value in values.items():
                person = tx.session.get(Person, pid)
                assert person is not None
                persons.update_person(tx, person, former_name=value)
    run_sync(laptops.b)  # b first: a's changes meet b's on the server
    window = open_window(laptops.a)
    assert status(window) == "同步：需要处理（2 条）"
    assert badges(window) == {"李家村四组7号": "需处理"}, "a member's conflict shows on the household"
    qtbot.mouseClick(window.status_sync, Qt.MouseButton.LeftButton)
    dialog = window.inbox
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "需要处理"
    rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
    assert set(rows) == {"人员“单桂兰”", "人员“曾广才”"}
    cells = [dialog.table.item(rows["人员“单桂兰”"], column).text() for column in range(5)]
    assert cells[1] == "曾用名"
    assert cells[2].startswith("单贵兰\na · ") and cells[3].startswith("单桂莲\nb · ")
    assert "曾用名" in cells[4]
    if os.environ.get("GRIDDESK_SCREENSHOTS"):
        qtbot.wait(50)
        dialog.grab().save(str(ROOT / "docs" / "screenshots" / "inbox.png"))
    dialog.table.selectRow(rows["人员“单桂兰”"])
    assert dialog.keep_mine_button.text() == "保留本机的值" and dialog.keep_mine_button.isEnabled()
    assert dialog.merge_button.isEnabled() and not dialog.dismiss_button.isEnabled()
    qtbot.mouseClick(dialog.keep_mine_button, Qt.MouseButton.LeftButton)
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == ["人员“曾广才”"]
    dialog.table.selectRow(0)
    prompts: list[str] = []
    type_into_next_dialog("曾广财、曾光才", prompts)
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    assert prompts == ["人员“曾广才”的曾用名\n本机：曾光才\n乡镇服务器：曾广财\n要保留的值："]
    assert dialog.table.rowCount() == 0
    assert dialog.heading.text().startswith("没有需要处理的修改")
    qtbot.waitUntil(lambda: status(window) == "同步：2 条待上传（最早 1 分钟前）", timeout=WAIT_MS)
    window.sync_action.trigger()
    qtbot.waitUntil(lambda: status(window).startswith("同步：全部已上传 · "), timeout=WAIT_MS)
    assert badges(window) == {"李家村四组7号": ""}
    run_sync(laptops.b)
    with laptops.b.read() as session:
        theirs = {pid: session.get(Person, pid) for pid in (wife, husband)}
        assert {pid: p.former_name if p else None for pid, p in theirs.items()} == {
            wife: "单贵兰",
            husband: "曾广财、曾光才",
        }, "the choices reached the server and laptop b"
    with laptops.a.read() as session:
        waiting = session.scalars(select(OutboxOp.state).where(OutboxOp.state.in_(("conflict", "rejected"))))
        assert list(waiting) == []


def test_a_rejected_change_shows_its_reason_and_is_acknowledged(
    qtbot: QtBot,
    open_window: Callable[[Ledger], MainWindow],
    laptops: Laptops,  # noqa: F811
    chinese: None,  # noqa: F811
) -> None:
    grid_b = laptops.township.grid_b.id  # laptop a is enrolled for grid A only
    with laptops.a.write() as tx:
        house = households.register_household(tx, grid_id=grid_b, address="李家村二组3号").record.id
    window = open_window(laptops.a)
    assert status(window) == "同步：需要处理（1 条）"
    window.inbox_action.trigger()
    dialog = window.inbox
    assert dialog is not None
    cells = [dialog.table.item(0, column).text() for column in range(5)]
    assert cells[0] == "户“李家村二组3号”" and cells[1] == "新建" and cells[3] == "未被接受"
    assert "本设备只能修改登记时分配的网格" in cells[4]
    assert dialog.dismiss_button.isEnabled() and not dialog.keep_mine_button.isEnabled()
    qtbot.mouseClick(dialog.dismiss_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 0
    qtbot.waitUntil(lambda: status(window).startswith("同步：全部已上传"), timeout=WAIT_MS)
    with laptops.a.read() as session:
        kept = session.get(Household, house)
        assert kept is not None and kept.address == "李家村二组3号", "nothing saved on the laptop is lost"


def test_an_offline_server_is_found_by_the_quick_probe(
    qtbot: QtBot,
    open_window: Callable[[Ledger], MainWindow],
    laptops: Laptops,  # noqa: F811
    server: Server,  # noqa: F811
    chinese: None,  # noqa: F811
) -> None:
    window = open_window(laptops.a)
    register_family(laptops.a, laptops)
    server.stop()
    window.sync_action.trigger()
    qtbot.waitUntil(lambda: not window.sync.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: status(window) == "同步：离线 · 3 条待上传", timeout=WAIT_MS)
    assert window.status_sync.toolTip() == "连不上乡镇服务器，数据已保存在本机，网络恢复后自动同步。", (
        "the quick health probe found it, not the engine after its retries"
    )


def test_a_laptop_not_enrolled_never_starts_a_sync(
    qtbot: QtBot,
    ledger: Ledger,
    township: Township,
    chinese: None,  # noqa: F811
) -> None:
    window = MainWindow(ledger, Profile(ledger.path.parent))
    qtbot.addWidget(window)
    window.show()
    qtbot.wait(50)
    window.sync_action.trigger()
    assert not window.sync.busy and window.sync.runs == 0
    assert not window.sync.sync_thread.isRunning()
    assert "未登记" in window.statusBar().currentMessage()
    assert status(window).startswith("同步：") and "未登记到乡镇服务器" in status(window)
