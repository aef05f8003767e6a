"""How far this laptop's clock is from the township server's, and the warning the user sees when it is far off.

Sync never decides anything by laptop clocks (SYNC.md), so a wrong clock loses nothing; but times shown and
recorded on this laptop (when a change was made, deadlines) are wrong, so the user is asked to set it right.
Qt-free: measured in the sync worker after a successful run, kept in the ledger's sync state so the warning stays
until a later check finds the clock right.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.ledger import Ledger
from app.models import SyncState, as_stored, utcnow

if TYPE_CHECKING:
    from sync.client import SyncClient

SKEW_LIMIT = timedelta(minutes=5)
"""A laptop clock further than this from the server's gets a warning."""
STATE_KEY = "clock_offset"
"""Sync-state key: the server's clock minus this laptop's, in seconds, as last measured."""


def offset_seconds(server_now: datetime, sent_at: datetime, received_at: datetime) -> float:
    """The server's clock minus this laptop's, taking the laptop's time halfway through the request.

    ``server_now`` may be aware (as the protocol sends it) or naive UTC; the laptop times are naive UTC.
    """
    server_now = as_stored(server_now)
    midway = sent_at + (received_at - sent_at) / 2
    return (server_now - midway).total_seconds()


def span_words(seconds: float) -> str:
    """A duration in the largest whole unit: 7 分钟, 3 小时, 1 天 (at least 1 分钟)."""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} 分钟"
    if seconds < 86400:
        return f"{round(seconds / 3600)} 小时"
    return f"{round(seconds / 86400)} 天"


def skew_warning(offset: float | None) -> str:
    """The warning for a measured offset (seconds), or "" when the clock is close enough or was never checked."""
    if offset is None or abs(offset) <= SKEW_LIMIT.total_seconds():
        return ""
    return f"本机时钟与乡镇服务器相差约 {span_words(offset)}，请校准电脑时间（不影响数据上传）"


def check_clock(ledger: Ledger, client: SyncClient, now: Callable[[], datetime] = utcnow) -> float:
    """Ask the server for its time, keep the offset in the ledger's sync state and return it (seconds)."""
    sent_at = now()
    answer = client.server_time()
    offset = offset_seconds(answer.now, sent_at, now())
    with ledger.write() as tx:
        tx.session.merge(SyncState(key=STATE_KEY, value=round(offset, 1)))
    return offset
