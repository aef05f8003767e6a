"""Where this laptop's work stands, in words for the status bar: all sent, N waiting (oldest age), offline,
needs a person, a sync that failed; what a running sync is doing; and a warning when the laptop's clock is far
from the server's. Qt-free: the window and the command line both use it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.ledger import Ledger
from app.models import OutboxOp, SyncState, utcnow
from sync.clock import STATE_KEY as CLOCK_OFFSET
from sync.clock import skew_warning, span_words

STAGES = {"上传": "正在上传", "下载": "正在下载", "建立索引": "正在为查找整理已下载的"}
"""The engine's progress stages, as the status bar says them while a sync runs."""
CONNECTING = "正在连接乡镇服务器…"


def read_state(session: Session) -> dict[str, Any]:
    """The ledger's sync state (cursor, epoch, token, last error…), key by key."""
    return {key: value for key, value in session.execute(select(SyncState.key, SyncState.value)).all()}


def enrolled(ledger: Ledger) -> bool:
    """Whether this laptop is enrolled with a township server (it holds a device token)."""
    with ledger.read() as session:
        return bool(read_state(session).get("token"))


@dataclass(frozen=True)
class SyncStatus:
    state: str
    """sent | waiting | offline | error | needs_person | not_enrolled"""
    text: str
    waiting: int
    needs_person: int
    warning: str = ""
    """A clock far from the server's (stays until a later check finds it right); "" when all is well."""
    detail: str = ""
    """The last sync's error in full, for a tooltip; "" after a sync that worked."""


def _age(then: datetime, now: datetime) -> str:
    return span_words(max(0.0, (now - then).total_seconds())) + "前"


def _local_clock(iso: str | None) -> str:
    if not iso:
        return ""
    when = datetime.fromisoformat(iso)
    return when.replace(tzinfo=UTC).astimezone().strftime("%H:%M")


def progress_text(stage: str, count: int) -> str:
    """What a running sync is doing: 正在下载 1,200 条…"""
    return f"{STAGES.get(stage, '正在' + stage)} {count:,} 条…"


def sync_status(session: Session, now: datetime | None = None) -> SyncStatus:
    now = now or utcnow()
    state = read_state(session)
    counts: dict[str, int] = {
        row[0]: int(row[1])
        for row in session.execute(select(OutboxOp.state, func.count()).group_by(OutboxOp.state))
    }
    waiting = int(counts.get("pending", 0))
    needs = int(counts.get("conflict", 0)) + int(counts.get("rejected", 0))
    offset = state.get(CLOCK_OFFSET)
    extra = {"warning": skew_warning(float(offset) if offset is not None else None)}
    extra["detail"] = str(state.get("last_error") or "")
    if needs:
        return SyncStatus("needs_person", f"需要处理（{needs} 条）", waiting, needs, **extra)
    if not state.get("token"):
        text = f"{waiting} 条待上传（本机未登记到乡镇服务器）" if waiting else "未登记到乡镇服务器"
        return SyncStatus("not_enrolled", text, waiting, 0, **extra)
    if state.get("last_error_offline") and waiting:
        return SyncStatus("offline", f"离线 · {waiting} 条待上传", waiting, 0, **extra)
    if state.get("last_error") and not state.get("last_error_offline"):
        text = "同步出错" + (f" · {waiting} 条待上传" if waiting else "")
        return SyncStatus("error", text, waiting, 0, **extra)
    if waiting:
        oldest = session.scalar(select(func.min(OutboxOp.created_at)).where(OutboxOp.state == "pending"))
        age = f"（最早 {_age(oldest, now)}）" if oldest else ""
        return SyncStatus("waiting", f"{waiting} 条待上传{age}", waiting, 0, **extra)
    clock = _local_clock(state.get("last_sync_at"))
    return SyncStatus("sent", "全部已上传" + (f" · {clock}" if clock else ""), 0, 0, **extra)


def remember_failure(ledger: Ledger, message: str, *, offline: bool) -> None:
    """Keep why a sync could not start (the engine does the same when a run fails), for the status bar."""
    with ledger.write() as tx:
        tx.session.merge(SyncState(key="last_error", value=message))
        tx.session.merge(SyncState(key="last_error_offline", value=offline))
