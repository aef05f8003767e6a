"""Where this laptop's work stands, in words for the status bar: all sent, N waiting (oldest age), offline,
or needs a person. Qt-free: the window and the command line both use it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import OutboxOp, utcnow
from sync.engine import read_state


@dataclass(frozen=True)
class SyncStatus:
    state: str
    """sent | waiting | offline | needs_person | not_enrolled"""
    text: str
    waiting: int
    needs_person: int


def _age(then: datetime, now: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 3600:
        return f"{max(1, seconds // 60)} 分钟前"
    if seconds < 86400:
        return f"{seconds // 3600} 小时前"
    return f"{seconds // 86400} 天前"


def _local_clock(iso: str | None) -> str:
    if not iso:
        return ""
    when = datetime.fromisoformat(iso)
    return when.replace(tzinfo=UTC).astimezone().strftime("%H:%M")


def sync_status(session: Session, now: datetime | None = None) -> SyncStatus:
    now = now or utcnow()
    state = read_state(session)
    counts: dict[str, int] = {
        row[0]: int(row[1])
        for row in session.execute(select(OutboxOp.state, func.count()).group_by(OutboxOp.state))
    }
    waiting = int(counts.get("pending", 0))
    needs = int(counts.get("conflict", 0)) + int(counts.get("rejected", 0))
    if needs:
        return SyncStatus("needs_person", f"需要处理（{needs} 条）", waiting, needs)
    if not state.get("token"):
        text = f"{waiting} 条待上传（本机未登记到乡镇服务器）" if waiting else "未登记到乡镇服务器"
        return SyncStatus("not_enrolled", text, waiting, 0)
    if state.get("last_error_offline") and waiting:
        return SyncStatus("offline", f"离线 · {waiting} 条待上传", waiting, 0)
    if waiting:
        oldest = session.scalar(select(func.min(OutboxOp.created_at)).where(OutboxOp.state == "pending"))
        age = f"（最早 {_age(oldest, now)}）" if oldest else ""
        return SyncStatus("waiting", f"{waiting} 条待上传{age}", waiting, 0)
    clock = _local_clock(state.get("last_sync_at"))
    return SyncStatus("sent", "全部已上传" + (f" · {clock}" if clock else ""), 0, 0)
